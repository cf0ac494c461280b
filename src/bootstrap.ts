import 'reflect-metadata';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import * as express from 'express';
import helmet from 'helmet';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app.config';
import { createValidationPipe } from './common/http/validation';
import { requestIdMiddleware } from './common/http/request-id';
import { setupSwagger } from './common/http/swagger';
import { problem } from './common/errors/problem-details.filter';
import { startDevIdentityProvider } from './dev-idp/dev-identity-provider';
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
export async function createApp(config: AppConfig, options: { logger?: boolean } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: options.logger === false ? false : new ConsoleLogger({ json: true, logLevels: ['log', 'warn', 'error', 'fatal'] }),
  });
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestIdMiddleware);
  app.use(helmet());
  // Webhooks keep their exact bytes for signature checks; everything else is parsed.
  app.use('/webhooks', express.raw({ type: () => true, limit: BODY_LIMIT }));
  app.use(express.json({ limit: BODY_LIMIT }));
  app.use(express.urlencoded({ extended: false, limit: BODY_LIMIT }));
  app.useGlobalPipes(createValidationPipe());
  if (config.server.swagger) setupSwagger(app);
  return app;
}

/**
 * The public listener serves only /webhooks/*: it hands those requests to the same
 * application and answers 404 to everything else.
 */
function publicListener(app: NestExpressApplication): http.Server {
  const handler = app.getHttpAdapter().getInstance() as express.Express;
  return http.createServer((req, res) => {
    if (req.url?.startsWith('/webhooks/')) {
      handler(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify(problem(404, 'not_found', 'Not found', 'Only /webhooks/* is served on this listener')));
  });
}

export async function startServer(config: AppConfig, options: { logger?: boolean } = {}): Promise<RunningServer> {
  let devIdentityProvider: RunningIdentityProvider | undefined;
  if (!config.security.oidcIssuer) {
    // No OpenID Connect provider configured: the bundled development one (refused in production).
    devIdentityProvider = await startDevIdentityProvider(config);
    config = { ...config, security: { ...config.security, oidcIssuer: devIdentityProvider.issuer } };
  }
  let app: NestExpressApplication;
  try {
    app = await createApp(config, options);
    await app.listen(config.server.port);
  } catch (error) {
    await devIdentityProvider?.close();
    throw error;
  }
  const port = (app.getHttpServer().address() as AddressInfo).port;
  let publicServer: http.Server | undefined;
  let publicPort: number | undefined;
  if (config.server.publicPort !== undefined) {
    publicServer = publicListener(app);
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
