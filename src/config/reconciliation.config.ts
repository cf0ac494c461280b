import { ConfigError, EnvReader } from './env-reader';

export interface ReconciliationConfig {
  /** A payment still pending/authorized this long after its last change is polled. */
  afterSeconds: number;
  /** How often the poller runs; 0 turns the background poller off. */
  intervalSeconds: number;
  /** At most this many provider polls per run (rate limit). */
  batchSize: number;
  /**
   * Seconds between two looks at a capture, cancel or refund whose outcome is not known yet
   * (lookup, re-send with the same idempotency key, or poll); the last one repeats.
   */
  retryScheduleSeconds: number[];
  /**
   * An operation still open this long (in hours, fractions allowed) that no provider API can
   * settle marks its payment `needsAttention` in the admin API.
   */
  attentionHours: number;
}

export const DEFAULT_OPERATION_RETRY_SCHEDULE = [30, 60, 120, 300, 600, 1800, 3600];

function nonNegativeInteger(reader: EnvReader, key: string, fallback: number): number {
  const raw = reader.optionalString(key);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(key, `must be a whole number (got "${raw}")`);
  return Number(raw);
}

/** Whole seconds, 0 allowed (tests look again at once); comma-separated. */
function secondsList(reader: EnvReader, key: string, fallback: number[]): number[] {
  const raw = reader.optionalString(key);
  if (raw === undefined) return fallback;
  const parts = raw.split(',').map((part) => part.trim());
  if (parts.some((part) => !/^\d+$/.test(part) || Number(part) > 86_400)) {
    throw new ConfigError(
      key,
      `must be a comma-separated list of whole seconds 0-86400 (got "${raw}")`,
    );
  }
  return parts.map(Number);
}

/** A positive number of hours; fractions allowed (0.001 h is 3.6 s). */
function positiveHours(reader: EnvReader, key: string, fallback: number): number {
  const raw = reader.optionalString(key);
  if (raw === undefined) return fallback;
  const hours = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || hours <= 0 || hours > 8760) {
    throw new ConfigError(key, `must be a number of hours above 0 and at most 8760 (got "${raw}")`);
  }
  return hours;
}

export function loadReconciliationConfig(reader: EnvReader): ReconciliationConfig {
  return {
    afterSeconds: nonNegativeInteger(reader, 'PAYMENTSERVER_RECONCILE_AFTER_SECONDS', 900),
    intervalSeconds: nonNegativeInteger(reader, 'PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS', 60),
    batchSize: Math.max(1, nonNegativeInteger(reader, 'PAYMENTSERVER_RECONCILE_BATCH_SIZE', 20)),
    retryScheduleSeconds: secondsList(
      reader,
      'PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE',
      DEFAULT_OPERATION_RETRY_SCHEDULE,
    ),
    attentionHours: positiveHours(reader, 'PAYMENTSERVER_RECONCILE_ATTENTION_HOURS', 24),
  };
}
