import { DynamicModule, Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { LoggingConfig } from '../../config/logging.config';
import { createHttpLogger } from './http-logger';

/** pino-http's middleware; bootstrap mounts it ahead of every other middleware. */
export const HTTP_LOGGER = Symbol('HTTP_LOGGER');

/**
 * nestjs-pino with a pino-http middleware of our own (`useExisting`): Nest's `@Module`
 * middleware runs after Express's (rate limits, body parsers), so a request refused there
 * (429, 413, malformed JSON) would get no line; mounted first, every request gets one.
 */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(config: LoggingConfig): DynamicModule {
    const httpLogger = createHttpLogger(config);
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: { logger: httpLogger.logger }, useExisting: true }),
      ],
      providers: [{ provide: HTTP_LOGGER, useValue: httpLogger }],
      exports: [HTTP_LOGGER],
    };
  }
}
