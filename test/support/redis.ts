import { randomBytes } from 'node:crypto';
import { loadRedisConfig } from '../../src/config/redis.config';
import { EnvReader } from '../../src/config/env-reader';
import { RedisConnection } from '../../src/common/redis/redis-connection';
import { serviceUrl } from './services';

/**
 * PAYMENTSERVER_TEST_REDIS_URL with a key prefix of its own (`?keyPrefix=`), so parallel runs
 * and suites sharing the Redis database never see each other's keys; undefined when unset
 * locally (the suite is skipped; in CI unset is an error, see services.ts).
 */
export function testRedisUrl(): string | undefined {
  const base = serviceUrl('redis');
  if (!base) return undefined;
  const url = new URL(base);
  url.searchParams.set('keyPrefix', `paymentserver-test:${randomBytes(6).toString('hex')}:`);
  return url.toString();
}

/** A connected RedisConnection on the test Redis, under a fresh key prefix. */
export async function testRedisConnection(url: string): Promise<RedisConnection> {
  const config = loadRedisConfig(new EnvReader({ PAYMENTSERVER_REDIS_URL: url }))!;
  const connection = new RedisConnection(config);
  await connection.connect();
  return connection;
}

/** Deletes every key under the connection's prefix, then closes it. */
export async function dropTestRedis(connection: RedisConnection | undefined): Promise<void> {
  if (!connection) return;
  const keys = await connection.client.keys(`${connection.keyPrefix}*`);
  if (keys.length > 0) await connection.client.del(...keys);
  await connection.close();
}
