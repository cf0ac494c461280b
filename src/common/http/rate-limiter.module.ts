import { DynamicModule, Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { PerimeterConfig } from '../../config/perimeter.config';
import { RateLimiter, rateLimitThrottlers } from './rate-limiter';

/** The per-client limits (webhooks, failed authentications) on @nestjs/throttler's storage. */
@Global()
@Module({})
export class RateLimiterModule {
  static forRoot(perimeter: PerimeterConfig): DynamicModule {
    return {
      module: RateLimiterModule,
      imports: [ThrottlerModule.forRoot({ throttlers: rateLimitThrottlers(perimeter) })],
      providers: [RateLimiter],
      exports: [RateLimiter],
    };
  }
}
