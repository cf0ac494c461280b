import { nextRetryAt } from './webhook-retry.schedule';

const policy = { baseSeconds: 30, maxDelaySeconds: 6 * 3600, horizonSeconds: 3 * 86_400 };
const received = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(received.getTime() + seconds * 1000);

describe('webhook retry schedule', () => {
  it('doubles the delay from the base, with at most ±20 % jitter', () => {
    expect(nextRetryAt(policy, 1, received, received, () => 0.5)).toEqual(at(30));
    expect(nextRetryAt(policy, 2, received, at(30), () => 0.5)).toEqual(at(90));
    expect(nextRetryAt(policy, 3, received, at(90), () => 0)).toEqual(at(90 + 96));
    expect(nextRetryAt(policy, 3, received, at(90), () => 1)).toEqual(at(90 + 144));
  });

  it('keeps growing even with the worst jitter, until the maximum delay', () => {
    const delays: number[] = [];
    for (let attempts = 1; attempts <= 9; attempts++) {
      const shortest = nextRetryAt(policy, attempts + 1, received, received, () => 0)!.getTime();
      const longest = nextRetryAt(policy, attempts, received, received, () => 1)!.getTime();
      delays.push(shortest - longest);
    }
    expect(delays.every((gap) => gap > 0)).toBe(true);
    expect(nextRetryAt(policy, 30, received, received, () => 0.5)).toEqual(at(6 * 3600));
  });

  it('retries on the horizon itself, then gives up (dead)', () => {
    const horizon = 3 * 86_400;
    expect(nextRetryAt(policy, 20, received, at(horizon - 60), () => 0.5)).toEqual(at(horizon));
    expect(nextRetryAt(policy, 21, received, at(horizon), () => 0.5)).toBeNull();
    expect(nextRetryAt(policy, 21, received, at(horizon + 5), () => 0.5)).toBeNull();
  });

  it('covers at least three days before giving up with the defaults', () => {
    let now = received;
    let attempts = 1;
    for (;;) {
      const next = nextRetryAt(policy, attempts, received, now, () => 0.5);
      if (!next) break;
      now = next;
      attempts++;
    }
    expect(now.getTime() - received.getTime()).toBeGreaterThanOrEqual(3 * 86_400 * 1000);
    expect(attempts).toBeGreaterThan(12);
  });
});
