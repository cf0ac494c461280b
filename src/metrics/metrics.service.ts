import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { APP_CONFIG, AppConfig } from '../config/app.config';

/** Every metric name starts with this, the process and Node.js defaults included. */
export const METRIC_PREFIX = 'paymentserver_';

/**
 * The application's own registry (not prom-client's global one, so several instances in one
 * process do not collide) and the metrics the hot paths update: observe/inc only, no I/O.
 * Label values are always from small fixed sets: never payment ids, raw paths or secrets.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'HTTP requests on both listeners by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly paymentStatusChanges = new Counter({
    name: `${METRIC_PREFIX}payment_status_changes_total`,
    help: 'Committed payment status changes by provider, from, to and source (api, webhook, poll)',
    labelNames: ['provider', 'from', 'to', 'source'] as const,
    registers: [this.registry],
  });

  readonly paymentsCreated = new Counter({
    name: `${METRIC_PREFIX}payments_created_total`,
    help: 'Payments created, by the provider that took them (none when none did) and outcome',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly providerRequestDuration = new Histogram({
    name: `${METRIC_PREFIX}provider_request_duration_seconds`,
    help: 'HTTP calls to payment service providers by provider, method and status class',
    labelNames: ['provider', 'method', 'status_class'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly webhooksReceived = new Counter({
    name: `${METRIC_PREFIX}webhooks_received_total`,
    help: 'Provider webhooks received, by provider and outcome',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly webhookRejections = new Counter({
    name: `${METRIC_PREFIX}webhook_items_rejected_total`,
    help: 'Verified provider webhook items not applied because their signed fields contradict the payment, by provider and reason',
    labelNames: ['provider', 'reason'] as const,
    registers: [this.registry],
  });

  readonly webhookPolls = new Counter({
    name: `${METRIC_PREFIX}webhook_polls_total`,
    help: 'Provider calls asked for by unauthenticated requests (Mollie fetches, PayPal certificate downloads, polls for buyers back from PayPal), by provider and outcome (allowed, over_budget)',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly notificationAttempts = new Counter({
    name: `${METRIC_PREFIX}notification_attempts_total`,
    help: 'Recorded delivery attempts of status notifications to shops, by channel and outcome',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'metrics'>) {
    // Nothing reads the process metrics when the endpoint is off, so they are not collected.
    if (config.metrics.enabled)
      collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
  }
}
