import { ConfigError, EnvReader } from './env-reader';

export interface IdempotencyConfig {
  /**
   * How long a request holds its Idempotency-Key without a sign of life. The holder renews it
   * while it runs; a crashed one stops, and the key is free again this long after.
   */
  leaseSeconds: number;
}

export function loadIdempotencyConfig(reader: EnvReader): IdempotencyConfig {
  const key = 'PAYMENTSERVER_IDEMPOTENCY_LEASE_SECONDS';
  const raw = reader.optionalString(key);
  if (raw === undefined) return { leaseSeconds: 60 };
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 3600) {
    throw new ConfigError(key, `must be a whole number of seconds from 1 to 3600 (got "${raw}")`);
  }
  return { leaseSeconds: Number(raw) };
}
