import 'reflect-metadata';
import 'dotenv/config';
import { loadAppConfig } from './config/app.config';
import { ConfigError } from './config/env-reader';
import { startServer } from './bootstrap';

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
  process.stdout.write(
    JSON.stringify({
      level: 'log',
      msg: 'PaymentServer listening',
      port: server.port,
      publicPort: server.publicPort,
      oidcIssuer: server.oidcIssuer,
      devIdentityProvider: server.devIdentityProvider ? 'development only: see README, Admin API' : undefined,
      database: config.database.driver,
      edition: config.database.edition,
      swagger: config.server.swagger ? `http://localhost:${server.port}/swagger` : undefined,
    }) + '\n',
  );
}

void main().catch((error) => {
  process.stderr.write(`PaymentServer failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
