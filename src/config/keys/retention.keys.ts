import type { ConfigKey } from './config-key';

/** How long housekeeping records are kept. */
export const RETENTION_KEYS: readonly ConfigKey[] = [
  // Retention
  {
    name: 'PAYMENTSERVER_RETENTION_DAYS',
    section: 'Retention',
    type: 'integer',
    default: '90',
    min: 0,
    max: 36_500,
    unit: 'days',
    description:
      'Settled housekeeping records older than this are deleted hourly: processed, dead and rejected provider webhooks, delivered or dead notification deliveries with their attempts, outbox events with no delivery left; `0`: keep them forever. Payments, refunds and status history are never deleted; expired idempotency keys are purged every run regardless.',
  },
  {
    name: 'PAYMENTSERVER_AUDIT_RETENTION_DAYS',
    section: 'Retention',
    type: 'integer',
    default: '400',
    min: 0,
    max: 36_500,
    unit: 'days',
    description:
      '[Audit events](operations.md#audit-log) older than this are deleted hourly; `0`: keep them forever.',
  },
];
