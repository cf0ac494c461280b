/** How a failed delivery is retried (PAYMENTSERVER_WEBHOOK_RETRY_*). */
export interface RetryPolicy {
  baseSeconds: number;
  maxDelaySeconds: number;
  horizonSeconds: number;
}

/**
 * When to try a delivery again after its `attempts`-th attempt failed at `now`: the delay
 * doubles from the base up to the maximum, ±20 % at random so that many deliveries failed by
 * one outage do not all come back in the same instant (the ranges of consecutive delays do not
 * overlap, so delays still grow). The last retry falls on the horizon; null once the horizon
 * has passed: the delivery is dead.
 */
export function nextRetryAt(
  policy: RetryPolicy,
  attempts: number,
  receivedAt: Date,
  now: Date,
  random: () => number = Math.random,
): Date | null {
  const deadline = receivedAt.getTime() + policy.horizonSeconds * 1000;
  if (now.getTime() >= deadline) return null;
  const exponential = Math.min(
    policy.baseSeconds * 2 ** Math.min(Math.max(attempts - 1, 0), 40),
    policy.maxDelaySeconds,
  );
  const delayMs = Math.round(exponential * 1000 * (0.8 + 0.4 * random()));
  return new Date(Math.min(now.getTime() + delayMs, deadline));
}
