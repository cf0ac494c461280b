import { DynamicModule, Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { PerimeterConfig } from '../../config/perimeter.config';
import { RateLimiter, rateLimitThrottlers } from './rate-limiter';
import { SharedRateCounter } from './shared-rate-counter';
import { RateLimitSyncJob } from './rate-limit-sync.job';

/**
 * The per-client limits (webhooks, failed authentications): in memory (@nestjs/throttler's
 * storage) on SQLite, shared through the database on a server database.
 */
@Global()
@Module({})
export class RateLimiterModule {
  static forRoot(perimeter: PerimeterConfig): DynamicModule {
    return {
      module: RateLimiterModule,
      imports: [ThrottlerModule.forRoot({ throttlers: rateLimitThrottlers(perimeter) })],
      providers: [RateLimiter, SharedRateCounter, RateLimitSyncJob],
      exports: [RateLimiter],
    };
  }
}
