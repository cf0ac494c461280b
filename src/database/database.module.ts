import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/app.config';
import { buildDataSourceOptions } from './data-source';
import { ENTITIES } from './entities';
import { TransactionService } from './transaction.service';
import { WalCheckpointer } from './wal-checkpointer';
import { SqliteIntegerParameters } from './sqlite-integer-parameters';
import { RowStatements } from './statements/row-statements';
import { CacheVersions } from '../routing/cache-versions';

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    const checkpointer = config.database.driver === 'sqlite';
    const options = buildDataSourceOptions(config.database, { externalCheckpoints: checkpointer });
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          ...options,
          // An in-memory database starts empty every time: it always needs its schema.
          migrationsRun: config.database.migrationsRun || config.database.driver === 'memory',
          migrationsTransactionMode: 'each',
          retryAttempts: 3,
          retryDelay: 1000,
        }),
        TypeOrmModule.forFeature(ENTITIES),
      ],
      providers: [
        TransactionService,
        RowStatements,
        // The version rows the API-key and routing caches check, read once per request.
        CacheVersions,
        SqliteIntegerParameters,
        ...(checkpointer
          ? [{ provide: WalCheckpointer, useValue: new WalCheckpointer(config.database.url) }]
          : []),
      ],
      exports: [TypeOrmModule, TransactionService, RowStatements, CacheVersions],
    };
  }
}
