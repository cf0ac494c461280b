import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/app.config';
import { buildDataSourceOptions } from './data-source';
import { ENTITIES } from './entities';
import { TransactionService } from './transaction.service';

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    const options = buildDataSourceOptions(config.database);
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
      providers: [TransactionService],
      exports: [TypeOrmModule, TransactionService],
    };
  }
}
