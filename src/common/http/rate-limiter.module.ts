import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { getDataSourceToken, getRepositoryToken } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { ThrottlerModule } from '@nestjs/throttler';
import type { PerimeterConfig } from '../../config/perimeter.config';
import { RateLimiter, rateLimitThrottlers } from './rate-limiter';
import { DatabaseRateCounter, SharedRateCounter } from './shared-rate-counter';
import { RedisRateCounter } from './redis-rate-counter';
import { RateLimitWindow } from './rate-limit-window.entity';
import { REDIS } from '../redis/redis.module';
import type { RedisConnection } from '../redis/redis-connection';
import { TransactionService } from '../../database/transaction.service';
import { RateLimitSyncJob } from './rate-limit-sync.job';

/** The windows in Redis when PAYMENTSERVER_REDIS_URL is set (any database), else the database. */
const SHARED_RATE_COUNTER: Provider = {
  provide: SharedRateCounter,
  inject: [REDIS, getDataSourceToken(), getRepositoryToken(RateLimitWindow), TransactionService],
  useFactory: (
    redis: RedisConnection | null,
    dataSource: DataSource,
    windows: Repository<RateLimitWindow>,
    tx: TransactionService,
  ): SharedRateCounter =>
    redis ? new RedisRateCounter(redis) : new DatabaseRateCounter(dataSource, windows, tx),
};

/**
 * The per-client limits (webhooks, failed authentications): shared through Redis when
 * PAYMENTSERVER_REDIS_URL is set; else in memory (@nestjs/throttler's storage) on SQLite and
 * shared through the database on a server database.
 */
@Global()
@Module({})
export class RateLimiterModule {
  static forRoot(perimeter: PerimeterConfig): DynamicModule {
    return {
      module: RateLimiterModule,
      imports: [ThrottlerModule.forRoot({ throttlers: rateLimitThrottlers(perimeter) })],
      providers: [RateLimiter, SHARED_RATE_COUNTER, RateLimitSyncJob],
      exports: [RateLimiter],
    };
  }
}
