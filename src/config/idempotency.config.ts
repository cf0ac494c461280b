import { EnvReader } from './env-reader';

export interface IdempotencyConfig {
  /**
   * How long a request holds its Idempotency-Key without a sign of life. The holder renews it
   * while it runs; a crashed one stops, and the key is free again this long after.
   */
  leaseSeconds: number;
}

export function loadIdempotencyConfig(reader: EnvReader): IdempotencyConfig {
  return { leaseSeconds: reader.integer('PAYMENTSERVER_IDEMPOTENCY_LEASE_SECONDS') };
}
