import { DynamicModule, Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { LoggingConfig } from '../../config/logging.config';
import { createHttpLogger } from './http-logger';

/** The request-logging middleware; bootstrap mounts it right after the request id. */
export const HTTP_LOGGER = Symbol('HTTP_LOGGER');

/**
 * nestjs-pino behind Nest's Logger, with the request middleware mounted by us instead of by
 * nestjs-pino (`useExisting`, no `forRoutes`), for two reasons:
 *
 * - nestjs-pino applies it as Nest module middleware, which runs after the Express middleware
 *   (rate limits, body parsers): a request refused there (429, 413, malformed JSON) would get
 *   no line. Mounted first, every request gets one.
 * - Nest mounts module middleware as an Express route (`all('/{*path}')`), which gives every
 *   request a `req.route`, so the HTTP metrics could no longer tell unmatched requests apart.
 *
 * The middleware (http-logger.ts) does what nestjs-pino's own does, without pino-http: it runs
 * the rest of the request in nestjs-pino's context, so every Logger call made while handling a
 * request carries its `requestId`, and writes the request's line when the answer is sent.
 */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(config: LoggingConfig): DynamicModule {
    const httpLogger = createHttpLogger(config);
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: { logger: httpLogger.logger },
          useExisting: true,
          forRoutes: [],
        }),
      ],
      providers: [{ provide: HTTP_LOGGER, useValue: httpLogger }],
      exports: [HTTP_LOGGER],
    };
  }
}
