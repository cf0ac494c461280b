/**
 * The floor of our stack: NestJS 11 + Express with what every PaymentServer request goes
 * through (a global guard doing the API-key lookup, the global ValidationPipe with
 * class-transformer/class-validator on a nested DTO) and three prepared inserts in one
 * transaction through the driver; nothing else (no TypeORM, middleware, metrics or logging).
 *
 *   BENCH_TARGET_PORT=… BENCH_DB=sqlite|mysql|postgres BENCH_DB_URL=… node dist/bench/targets/minimal-nest/minimal-nest.server.js
 */
import 'reflect-metadata';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { MinimalModule } from './minimal.module';

async function main(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(MinimalModule, {
    logger: ['error'],
  });
  // The options PaymentServer's pipe has (src/common/http/validation.ts).
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.enableShutdownHooks();
  await app.listen(Number(process.env.BENCH_TARGET_PORT ?? 0), '127.0.0.1');
}

void main().catch((error) => {
  process.stderr.write(`minimal-nest failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
