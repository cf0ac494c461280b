import { ConfigError, EnvReader } from './env-reader';

/** Provider webhooks: the inbox's retries and what unverified deliveries may cost. */
export interface WebhooksConfig {
  /** Delay before the first retry of a delivery whose processing failed; it doubles each time. */
  retryBaseSeconds: number;
  /** No single retry delay is longer than this. */
  retryMaxDelaySeconds: number;
  /** A delivery still failing this long after it arrived is marked `dead`. */
  retryHorizonSeconds: number;
  /** How often the inbox is searched for due retries. */
  retryIntervalMs: number;
  /** Provider calls that verifying unauthenticated requests may cost, per account per minute. */
  pollBudgetPerMinute: number;
}

export function loadWebhooksConfig(reader: EnvReader): WebhooksConfig {
  const retryBaseSeconds = reader.integer('PAYMENTSERVER_WEBHOOK_RETRY_BASE_SECONDS');
  const retryMaxDelaySeconds = reader.integer('PAYMENTSERVER_WEBHOOK_RETRY_MAX_DELAY_SECONDS');
  const retryHorizonSeconds = reader.integer('PAYMENTSERVER_WEBHOOK_RETRY_HORIZON_SECONDS');
  if (retryMaxDelaySeconds < retryBaseSeconds) {
    throw new ConfigError(
      'PAYMENTSERVER_WEBHOOK_RETRY_MAX_DELAY_SECONDS',
      `must not be below PAYMENTSERVER_WEBHOOK_RETRY_BASE_SECONDS (${retryBaseSeconds})`,
    );
  }
  return {
    retryBaseSeconds,
    retryMaxDelaySeconds,
    retryHorizonSeconds,
    retryIntervalMs: reader.integer('PAYMENTSERVER_WEBHOOK_RETRY_INTERVAL_MS'),
    pollBudgetPerMinute: reader.integer('PAYMENTSERVER_WEBHOOK_POLL_BUDGET_PER_MINUTE'),
  };
}
