import type { ChannelResult } from './channels/notification-channel';
import type { NotificationDelivery } from './notification-delivery.entity';

/** How failed attempts are retried (PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE). */
export interface RetryPolicy {
  /** Delay before attempt n+1 after n failed attempts; when used up the delivery is dead. */
  retryScheduleSeconds: number[];
  /** A channel that could not even try (broker down) is asked again after this long. */
  notAttemptedDelayMs: number;
  /** Source for the jitter; Math.random in production, fixed in tests. */
  random?: () => number;
}

/** What became of one attempt. */
export interface AttemptOutcome {
  result: ChannelResult;
  /** False when the endpoint was deleted before the attempt: nothing left to retry. */
  endpointExists: boolean;
}

/**
 * Up to 20 % more, so that many failed deliveries do not all come back in the same instant;
 * never less, so that a delivery is retried for at least the schedule's sum (the contract's
 * "at least 3 days" with the default schedule) before it is dead.
 */
export function withJitter(seconds: number, random = Math.random): number {
  return Math.round(seconds * 1000 * (1 + 0.2 * random()));
}

/**
 * What an attempt's outcome does to its delivery row: the lease is always released; success
 * delivers; a channel that could not try comes back soon without using up the schedule; a
 * gone target (or endpoint) is dead at once; any other failure waits for the next step of the
 * schedule (or the target's Retry-After, whichever is longer) and is dead once it is used up.
 */
export function nextDeliveryState(
  delivery: Pick<NotificationDelivery, 'attempts'>,
  { result, endpointExists }: AttemptOutcome,
  policy: RetryPolicy,
  now: Date,
): Partial<NotificationDelivery> {
  const changes: Partial<NotificationDelivery> = {
    leaseToken: null,
    leaseExpiresAt: null,
    updatedAt: now,
    lastResponseCode: result.responseCode ?? null,
    lastError: result.ok ? null : (result.error ?? 'failed').slice(0, 512),
  };
  if (result.ok)
    return { ...changes, status: 'delivered', deliveredAt: now, attempts: delivery.attempts + 1 };
  if (result.notAttempted)
    return { ...changes, nextAttemptAt: new Date(now.getTime() + policy.notAttemptedDelayMs) };
  const attempts = delivery.attempts + 1;
  if (result.gone || !endpointExists) return { ...changes, status: 'dead', attempts };
  const schedule = policy.retryScheduleSeconds;
  if (attempts > schedule.length) return { ...changes, status: 'dead', attempts };
  const delayMs = Math.max(
    withJitter(schedule[attempts - 1], policy.random),
    (result.retryAfterSeconds ?? 0) * 1000,
  );
  return {
    ...changes,
    status: 'failing',
    attempts,
    nextAttemptAt: new Date(now.getTime() + delayMs),
  };
}
