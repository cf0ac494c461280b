import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import type { RedisConfig } from '../../config/redis.config';
import { RedisConnection } from './redis-connection';

/** The RedisConnection, or null when PAYMENTSERVER_REDIS_URL is unset. */
export const REDIS = Symbol('REDIS');

/** Connects at start-up and closes the connection last, after the modules that write to it. */
@Injectable()
class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Optional() @Inject(REDIS) private readonly redis: RedisConnection | null) {}

  async onModuleInit(): Promise<void> {
    await this.redis?.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}

/**
 * Optional Redis for the state the instances share (rate-limit windows, circuit breaker): the
 * implementations are chosen where they are provided (RateLimiterModule, RoutingModule) by
 * whether REDIS is null.
 */
@Global()
@Module({})
export class RedisModule {
  static forRoot(config: RedisConfig | undefined): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        { provide: REDIS, useFactory: () => (config ? new RedisConnection(config) : null) },
        RedisLifecycle,
      ],
      exports: [REDIS],
    };
  }
}
