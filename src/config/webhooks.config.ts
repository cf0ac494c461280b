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
  /** Provider calls caused by unverified webhooks, per provider account per minute. */
  pollBudgetPerMinute: number;
}

function wholeNumber(
  reader: EnvReader,
  key: string,
  fallback: number,
  min: number,
  max: number,
  unit: string,
): number {
  const raw = reader.optionalString(key);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(
      key,
      `must be a whole number of ${unit} from ${min} to ${max} (got "${raw}")`,
    );
  }
  return Number(raw);
}

const DAY = 86_400;

export function loadWebhooksConfig(reader: EnvReader): WebhooksConfig {
  const retryBaseSeconds = wholeNumber(
    reader,
    'PAYMENTSERVER_WEBHOOK_RETRY_BASE_SECONDS',
    30,
    1,
    DAY,
    'seconds',
  );
  const retryMaxDelaySeconds = wholeNumber(
    reader,
    'PAYMENTSERVER_WEBHOOK_RETRY_MAX_DELAY_SECONDS',
    6 * 3600,
    1,
    7 * DAY,
    'seconds',
  );
  const retryHorizonSeconds = wholeNumber(
    reader,
    'PAYMENTSERVER_WEBHOOK_RETRY_HORIZON_SECONDS',
    3 * DAY,
    1,
    30 * DAY,
    'seconds',
  );
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
    retryIntervalMs: wholeNumber(
      reader,
      'PAYMENTSERVER_WEBHOOK_RETRY_INTERVAL_MS',
      5000,
      100,
      600_000,
      'milliseconds',
    ),
    pollBudgetPerMinute: wholeNumber(
      reader,
      'PAYMENTSERVER_WEBHOOK_POLL_BUDGET_PER_MINUTE',
      60,
      1,
      100_000,
      'calls per minute',
    ),
  };
}
