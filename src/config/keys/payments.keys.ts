import type { ConfigKey } from './config-key';
import { DAY } from './shared';

/** The payment path: idempotency, routing, provider webhooks and reconciliation. */
export const PAYMENT_KEYS: readonly ConfigKey[] = [
  // Idempotency
  {
    name: 'PAYMENTSERVER_IDEMPOTENCY_LEASE_SECONDS',
    section: 'Idempotency',
    type: 'integer',
    default: '60',
    min: 1,
    max: 3600,
    unit: 'seconds',
    description:
      'A key whose request died (crash, kill) is free again this long after its last sign of life; a running request renews it.',
  },
  // Routing
  {
    name: 'PAYMENTSERVER_PROVIDER_TIMEOUT_MS',
    section: 'Routing',
    type: 'integer',
    default: '10000',
    min: 1,
    max: 300_000,
    description:
      'How long one provider call may take before it fails as a retryable `timeout` (applied by the core HTTP client).',
  },
  {
    name: 'PAYMENTSERVER_ROUTING_TIME_BUDGET_MS',
    section: 'Routing',
    type: 'integer',
    default: '25000',
    min: 1,
    max: 600_000,
    description: 'How long creating one payment may spend on provider calls, fallbacks included.',
  },
  {
    name: 'PAYMENTSERVER_CIRCUIT_FAILURE_THRESHOLD',
    section: 'Routing',
    type: 'integer',
    default: '5',
    min: 1,
    max: 1000,
    description: 'Consecutive retryable failures that take a provider account out of rotation.',
  },
  {
    name: 'PAYMENTSERVER_CIRCUIT_COOLDOWN_MS',
    section: 'Routing',
    type: 'integer',
    default: '30000',
    min: 1,
    max: 86_400_000,
    description: 'How long an account stays out of rotation before one probe payment may try it.',
  },
  // Provider webhooks
  {
    name: 'PAYMENTSERVER_WEBHOOK_RETRY_BASE_SECONDS',
    section: 'Provider webhooks',
    type: 'integer',
    default: '30',
    min: 1,
    max: DAY,
    unit: 'seconds',
    description:
      'Delay before the first retry of a provider webhook whose processing failed; it doubles each time.',
  },
  {
    name: 'PAYMENTSERVER_WEBHOOK_RETRY_MAX_DELAY_SECONDS',
    section: 'Provider webhooks',
    type: 'integer',
    default: '21600',
    min: 1,
    max: 7 * DAY,
    unit: 'seconds',
    description:
      'No single retry delay is longer than this; not below `PAYMENTSERVER_WEBHOOK_RETRY_BASE_SECONDS`.',
  },
  {
    name: 'PAYMENTSERVER_WEBHOOK_RETRY_HORIZON_SECONDS',
    section: 'Provider webhooks',
    type: 'integer',
    default: '259200',
    min: 1,
    max: 30 * DAY,
    unit: 'seconds',
    description: 'A provider webhook still failing this long after it arrived is marked `dead`.',
  },
  {
    name: 'PAYMENTSERVER_WEBHOOK_RETRY_INTERVAL_MS',
    section: 'Provider webhooks',
    type: 'integer',
    default: '5000',
    min: 100,
    max: 600_000,
    unit: 'milliseconds',
    description: 'How often the webhook inbox is searched for due retries.',
  },
  {
    name: 'PAYMENTSERVER_WEBHOOK_POLL_BUDGET_PER_MINUTE',
    section: 'Provider webhooks',
    type: 'integer',
    default: '60',
    min: 1,
    max: 100_000,
    unit: 'calls per minute',
    description:
      'Provider calls that verifying unauthenticated requests may cost (Mollie fetches, PayPal certificate downloads, polls for buyers back from PayPal), per provider account per minute.',
  },
  // Reconciliation
  {
    name: 'PAYMENTSERVER_RECONCILE_AFTER_SECONDS',
    section: 'Reconciliation',
    type: 'integer',
    default: '900',
    min: 0,
    unit: 'seconds',
    description:
      'A payment still `pending` or `authorized` this long after its last change is polled at its provider.',
  },
  {
    name: 'PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS',
    section: 'Reconciliation',
    type: 'integer',
    default: '60',
    min: 0,
    unit: 'seconds',
    description: 'How often the reconciliation job runs; `0`: off.',
  },
  {
    name: 'PAYMENTSERVER_RECONCILE_BATCH_SIZE',
    section: 'Reconciliation',
    type: 'integer',
    default: '20',
    min: 0,
    description: 'At most this many provider polls of each kind per run (rate limit); `0` means 1.',
  },
  {
    name: 'PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE',
    section: 'Reconciliation',
    type: 'integer-list',
    default: '30,60,120,300,600,1800,3600',
    min: 0,
    max: DAY,
    unit: 'seconds',
    description:
      'Seconds between looks at a capture, cancel or refund whose outcome is unknown or still open at the provider (lookup, re-send with the same idempotency key, poll); the last one repeats.',
  },
  {
    name: 'PAYMENTSERVER_RECONCILE_ATTENTION_HOURS',
    section: 'Reconciliation',
    type: 'decimal',
    default: '24',
    above: 0,
    max: 8760,
    unit: 'hours',
    description:
      'An operation no provider API can settle (Adyen) still open this long marks its payment `needsAttention` in the admin API; fractions allowed.',
  },
];
