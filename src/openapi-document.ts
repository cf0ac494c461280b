import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadAppConfig } from './config/app.config';
import { createApp } from './bootstrap';
import { createOpenApiDocument } from './common/http/swagger';

/**
 * Writes the server's OpenAPI document to the file named on the command line, without
 * listening: the dashboard's typed API client is generated from it at build time, so a renamed
 * field fails the dashboard's type check. An in-memory database and a placeholder issuer keep it
 * independent of the local configuration.
 */
async function main(): Promise<void> {
  const target = process.argv[2];
  if (!target) throw new Error('usage: node dist/src/openapi-document.js <output.json>');
  const config = loadAppConfig({
    NODE_ENV: 'development',
    PAYMENTSERVER_DB: 'memory',
    PAYMENTSERVER_SWAGGER: 'false',
    PAYMENTSERVER_OIDC_ISSUER: 'http://127.0.0.1:9/openapi-build',
    PAYMENTSERVER_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64'),
  });
  const app = await createApp(config, { logger: false });
  try {
    const document = createOpenApiDocument(app);
    fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
    fs.writeFileSync(target, JSON.stringify(document, null, 2) + '\n');
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `OpenAPI document failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
