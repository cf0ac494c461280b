import './heap-growth';
import 'reflect-metadata';
import 'dotenv/config';
import { Logger } from '@nestjs/common';
import { loadAppConfig } from './config/app.config';
import { undeclaredKeys } from './config/config-keys';
import { ConfigError } from './config/env-reader';
import { startServer } from './bootstrap';
import { HealthService } from './health/health.service';

async function main(): Promise<void> {
  let config;
  try {
    config = loadAppConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      // One clear line naming the key, and stop.
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const server = await startServer(config);
  const logger = new Logger('PaymentServer');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log({ msg: 'shutting down', signal });
    // Readiness fails first, then the listeners stop taking connections, in-flight requests
    // finish, workers stop and the database closes.
    server.app.get(HealthService).markShuttingDown();
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  logger.log({
    msg: 'PaymentServer listening',
    port: server.port,
    publicPort: server.publicPort,
    oidcIssuer: server.oidcIssuer,
    devIdentityProvider: server.devIdentityProvider
      ? 'development only: see README, Admin API'
      : undefined,
    database: config.database.driver,
    edition: config.database.edition,
    swagger: config.server.swagger ? `http://localhost:${server.port}/swagger` : undefined,
  });
  const unknown = undeclaredKeys(process.env);
  if (unknown.length > 0)
    logger.warn({ msg: 'ignored: no such configuration key (misspelt?)', keys: unknown });
}

void main().catch((error) => {
  process.stderr.write(
    `PaymentServer failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
