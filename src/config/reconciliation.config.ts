import { EnvReader } from './env-reader';

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

export const DEFAULT_OPERATION_RETRY_SCHEDULE = new EnvReader({}).integerList(
  'PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE',
);

export function loadReconciliationConfig(reader: EnvReader): ReconciliationConfig {
  return {
    afterSeconds: reader.integer('PAYMENTSERVER_RECONCILE_AFTER_SECONDS'),
    intervalSeconds: reader.integer('PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS'),
    batchSize: Math.max(1, reader.integer('PAYMENTSERVER_RECONCILE_BATCH_SIZE')),
    retryScheduleSeconds: reader.integerList('PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE'),
    attentionHours: reader.decimal('PAYMENTSERVER_RECONCILE_ATTENTION_HOURS'),
  };
}
