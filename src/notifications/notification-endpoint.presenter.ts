import type { DeliveryAttempt } from './delivery-attempt.entity';
import type { NotificationDelivery } from './notification-delivery.entity';
import type { NotificationEndpoint } from './notification-endpoint.entity';

/** An endpoint as the admin API shows it: never its signing secrets. */
export function toEndpointView(endpoint: NotificationEndpoint) {
  return {
    id: endpoint.id,
    integrationId: endpoint.integrationId,
    type: endpoint.type,
    url: endpoint.url,
    exchange: endpoint.exchange,
    routingKeyPrefix: endpoint.routingKeyPrefix,
    events: endpoint.events,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    previousSecretExpiresAt:
      endpoint.previousSecretSealed && endpoint.previousSecretExpiresAt
        ? endpoint.previousSecretExpiresAt.toISOString()
        : null,
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}

/** A delivery with its latest attempts, as the admin API shows it. */
export function toDeliveryView(delivery: NotificationDelivery, attempts: DeliveryAttempt[] = []) {
  const open = delivery.status === 'pending' || delivery.status === 'failing';
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    paymentId: delivery.paymentId,
    status: delivery.status,
    attemptCount: delivery.attempts,
    nextAttemptAt: open ? delivery.nextAttemptAt.toISOString() : null,
    lastResponseCode: delivery.lastResponseCode,
    lastError: delivery.lastError,
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    attempts: attempts.map((a) => ({
      outcome: a.outcome,
      responseCode: a.responseCode,
      durationMs: a.durationMs,
      error: a.error,
      startedAt: a.startedAt.toISOString(),
    })),
    createdAt: delivery.createdAt.toISOString(),
  };
}
