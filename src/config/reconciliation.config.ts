import { ConfigError, EnvReader } from './env-reader';

export interface ReconciliationConfig {
  /** A payment still pending/authorized this long after its last change is polled. */
  afterSeconds: number;
  /** How often the poller runs; 0 turns the background poller off. */
  intervalSeconds: number;
  /** At most this many provider polls per run (rate limit). */
  batchSize: number;
}

function nonNegativeInteger(reader: EnvReader, key: string, fallback: number): number {
  const raw = reader.optionalString(key);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(key, `must be a whole number (got "${raw}")`);
  return Number(raw);
}

export function loadReconciliationConfig(reader: EnvReader): ReconciliationConfig {
  return {
    afterSeconds: nonNegativeInteger(reader, 'PAYMENTSERVER_RECONCILE_AFTER_SECONDS', 900),
    intervalSeconds: nonNegativeInteger(reader, 'PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS', 60),
    batchSize: Math.max(1, nonNegativeInteger(reader, 'PAYMENTSERVER_RECONCILE_BATCH_SIZE', 20)),
  };
}
