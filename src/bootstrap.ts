import 'reflect-metadata';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { HTTP_LOGGER } from './common/logging/logging.module';
import * as express from 'express';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app.config';
import type { PaymentProvider } from './providers/provider.interface';
import { createValidationPipe } from './common/http/validation';
import { jsonBodyParser, requireJsonBodies } from './common/http/json-body';
import { requestPreamble } from './common/http/request-preamble';
import { helmetHeaders } from './common/http/security-headers';
import { setupSwagger } from './common/http/swagger';
import { createPublicListener } from './common/http/public-listener';
import { webhookRateLimit } from './common/http/webhook-rate-limit';
import { RateLimiter } from './common/http/rate-limiter';
import { MetricsService } from './metrics/metrics.service';
import { httpRequestTimer } from './metrics/http-metrics.middleware';
import {
  devIdentityProviderWarning,
  startDevIdentityProvider,
} from './dev-idp/dev-identity-provider';
import type { RunningIdentityProvider } from './dev-idp/identity-provider';

const BODY_LIMIT = '1mb';

export interface RunningServer {
  app: NestExpressApplication;
  port: number;
  publicPort?: number;
  /** The issuer the server trusts (the bundled development provider's when none is configured). */
  oidcIssuer: string;
  devIdentityProvider?: RunningIdentityProvider;
  close(): Promise<void>;
}

/** Builds the Nest application with everything but the listeners. */
export interface AppOptions {
  logger?: boolean;
  /** Connectors beyond the built-in ones (the test tree registers its example with this). */
  connectors?: readonly Type<PaymentProvider>[];
}

export async function createApp(
  config: AppConfig,
  options: AppOptions = {},
): Promise<NestExpressApplication> {
  // In-process test servers stay quiet unless asked (TEST_LOGS).
  if (options.logger === false)
    config = { ...config, logging: { ...config.logging, level: 'silent' } };
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, options.connectors),
    {
      bodyParser: false,
      bufferLogs: true,
    },
  );
  // nestjs-pino (structured, scrubbed, with request ids) behind every `new Logger(...)`.
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.set('trust proxy', ['loopback', ...config.perimeter.trustedProxies]);
  // API answers are `no-store`, so an ETag (a hash of every body) would only cost time.
  app.set('etag', false);
  // First, so that every answer of the middleware below (rate limits, body limits, parse errors)
  // carries the request id and the fixed headers, and is timed.
  app.use(
    requestPreamble({
      headers: helmetHeaders(),
      // API answers (API keys shown once, payments) must not sit in any cache. (What Express's
      // app.use('/api') would match: `/api` and below, in any letter case.)
      noStore: /^\/api(?:\/|$)/i,
      time: config.metrics.enabled
        ? httpRequestTimer(app.get(MetricsService).httpRequestDuration)
        : undefined,
    }),
  );
  // Right after the request id, so that every answer below (429, 413, 400) has its log line.
  app.use(app.get<express.RequestHandler>(HTTP_LOGGER));
  // Closed unless origins are configured: then only those, never "*", never credentials by cookie.
  if (config.perimeter.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.perimeter.corsOrigins,
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: [
        'Authorization',
        'Content-Type',
        'Idempotency-Key',
        'X-Api-Key',
        'X-Request-Id',
      ],
      exposedHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    });
  }
  if (config.perimeter.webhookRequestsPerMinute > 0) {
    app.use('/webhooks', webhookRateLimit(app.get(RateLimiter)));
  }
  // Webhooks keep their exact bytes for signature checks (the intake refuses deep JSON before a
  // provider parses it); the API takes JSON only, depth- and NUL-checked before it is parsed (the
  // parser lets a webhook's body, already read, pass). Only the test provider's checkout page
  // posts a form.
  app.use('/webhooks', express.raw({ type: () => true, limit: BODY_LIMIT }));
  app.use('/api/v1', requireJsonBodies());
  app.use(jsonBodyParser(BODY_LIMIT));
  app.use('/test-provider', express.urlencoded({ extended: false, limit: BODY_LIMIT }));
  app.useGlobalPipes(createValidationPipe());
  if (config.server.swagger) setupSwagger(app);
  return app;
}

export async function startServer(
  config: AppConfig,
  options: AppOptions = {},
): Promise<RunningServer> {
  let devIdentityProvider: RunningIdentityProvider | undefined;
  if (!config.security.oidcIssuer) {
    // No OpenID Connect provider configured: the bundled development one (refused in production).
    devIdentityProvider = await startDevIdentityProvider(config);
    config = {
      ...config,
      security: { ...config.security, oidcIssuer: devIdentityProvider.issuer },
    };
  }
  let app: NestExpressApplication;
  try {
    app = await createApp(config, options);
    if (devIdentityProvider) {
      app
        .get(Logger)
        .warn(devIdentityProviderWarning(devIdentityProvider, config), 'DevIdentityProvider');
    }
    await app.listen(config.server.port);
  } catch (error) {
    await devIdentityProvider?.close();
    throw error;
  }
  const port = (app.getHttpServer().address() as AddressInfo).port;
  let publicServer: http.Server | undefined;
  let publicPort: number | undefined;
  if (config.server.publicPort !== undefined) {
    publicServer = createPublicListener(app.getHttpAdapter().getInstance() as express.Express);
    await new Promise<void>((resolve) => publicServer!.listen(config.server.publicPort, resolve));
    publicPort = (publicServer.address() as AddressInfo).port;
  }
  return {
    app,
    port,
    publicPort,
    oidcIssuer: config.security.oidcIssuer!,
    devIdentityProvider,
    close: async () => {
      if (publicServer) await new Promise<void>((resolve) => publicServer!.close(() => resolve()));
      await app.close();
      await devIdentityProvider?.close();
    },
  };
}
