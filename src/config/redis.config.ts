import { ConfigError, EnvReader } from './env-reader';

export const DEFAULT_REDIS_KEY_PREFIX = 'paymentserver:';

/** PAYMENTSERVER_REDIS_URL, validated: where the instances share rate limits and circuits. */
export interface RedisConfig {
  /** The connection URL for ioredis (the `keyPrefix` query parameter taken out). */
  url: string;
  /** Put before every key this server writes; several deployments may share one Redis. */
  keyPrefix: string;
  /** The URL without its password, for logs and errors. */
  display: string;
}

/** Unset: undefined (the instances share through the database). */
export function loadRedisConfig(reader: EnvReader): RedisConfig | undefined {
  const key = 'PAYMENTSERVER_REDIS_URL';
  const value = reader.optionalString(key);
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    // Not echoed: the value may hold a password.
    throw new ConfigError(
      key,
      'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0',
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError(key, `must start with redis:// or rediss:// (got ${parsed.protocol}//)`);
  }
  if (!parsed.hostname) throw new ConfigError(key, 'must name a host');
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,5}$/.test(db)) {
    throw new ConfigError(key, `must select a database by number (/0, /1…; got "/${db}")`);
  }
  const keyPrefix = parsed.searchParams.get('keyPrefix') ?? DEFAULT_REDIS_KEY_PREFIX;
  if (keyPrefix === '' || keyPrefix.length > 100) {
    throw new ConfigError(key, 'keyPrefix must be 1 to 100 characters');
  }
  parsed.searchParams.delete('keyPrefix');
  const url = parsed.toString();
  if (parsed.password) parsed.password = '***';
  return { url, keyPrefix, display: parsed.toString() };
}
