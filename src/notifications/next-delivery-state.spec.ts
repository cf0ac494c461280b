import { ChannelResult } from './channels/notification-channel';
import { nextDeliveryState, RetryPolicy } from './next-delivery-state';

const now = new Date('2026-01-01T12:00:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms);
/** random() = 0 makes the jitter factor exactly 1. */
const policy: RetryPolicy = {
  retryScheduleSeconds: [5, 300, 1800],
  notAttemptedDelayMs: 2000,
  random: () => 0,
};
const released = { leaseToken: null, leaseExpiresAt: null, updatedAt: now };

function next(attempts: number, result: ChannelResult, endpointExists = true, p = policy) {
  return nextDeliveryState({ attempts }, { result, endpointExists }, p, now);
}

describe('nextDeliveryState', () => {
  it('delivers on success, counts the attempt and clears the last error', () => {
    expect(next(2, { ok: true, responseCode: 204 })).toEqual({
      ...released,
      status: 'delivered',
      deliveredAt: now,
      attempts: 3,
      lastResponseCode: 204,
      lastError: null,
    });
  });

  it('retries a failed first attempt after the first step of the schedule', () => {
    expect(next(0, { ok: false, responseCode: 500, error: 'HTTP 500' })).toEqual({
      ...released,
      status: 'failing',
      attempts: 1,
      nextAttemptAt: at(5_000),
      lastResponseCode: 500,
      lastError: 'HTTP 500',
    });
  });

  it('takes the schedule step that matches the number of attempts made', () => {
    expect(next(1, { ok: false, responseCode: 503 }).nextAttemptAt).toEqual(at(300_000));
    expect(next(2, { ok: false, responseCode: 503 }).nextAttemptAt).toEqual(at(1_800_000));
  });

  it('gives up (dead) once the schedule is used up', () => {
    const changes = next(3, { ok: false, responseCode: 500, error: 'HTTP 500' });
    expect(changes).toEqual({
      ...released,
      status: 'dead',
      attempts: 4,
      lastResponseCode: 500,
      lastError: 'HTTP 500',
    });
    expect(changes.nextAttemptAt).toBeUndefined();
  });

  it('gives up at once when the target is gone (410)', () => {
    expect(next(0, { ok: false, responseCode: 410, gone: true, error: 'HTTP 410' })).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastResponseCode: 410,
    });
  });

  it('gives up at once when the endpoint no longer exists', () => {
    const changes = next(0, { ok: false, error: 'endpoint no longer exists' }, false);
    expect(changes).toMatchObject({ status: 'dead', attempts: 1 });
    expect(changes.lastError).toBe('endpoint no longer exists');
    expect(changes.lastResponseCode).toBeNull();
  });

  it('asks again soon, without using up an attempt, when the channel could not try', () => {
    const changes = next(2, { ok: false, notAttempted: true, error: 'broker down' });
    expect(changes).toEqual({
      ...released,
      nextAttemptAt: at(2_000),
      lastResponseCode: null,
      lastError: 'broker down',
    });
    expect(changes.status).toBeUndefined();
    expect(changes.attempts).toBeUndefined();
  });

  it('waits for Retry-After when it is longer than the schedule step', () => {
    const changes = next(0, { ok: false, responseCode: 429, retryAfterSeconds: 60 });
    expect(changes).toMatchObject({ status: 'failing', attempts: 1, nextAttemptAt: at(60_000) });
  });

  it('keeps the schedule step when Retry-After is shorter', () => {
    const changes = next(1, { ok: false, responseCode: 429, retryAfterSeconds: 1 });
    expect(changes.nextAttemptAt).toEqual(at(300_000));
  });

  it('spreads the retry over up to 20 % more than the schedule step, never less', () => {
    const low = next(1, { ok: false }, true, { ...policy, random: () => 0 });
    const high = next(1, { ok: false }, true, { ...policy, random: () => 0.999999 });
    expect(low.nextAttemptAt).toEqual(at(300_000));
    expect(high.nextAttemptAt).toEqual(at(360_000));
  });

  it('retries for at least the whole schedule (3 days by default) whatever the jitter', () => {
    const schedule = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];
    let elapsedMs = 0;
    let state: ReturnType<typeof next> = { attempts: 0 };
    for (;;) {
      const before = nextDeliveryState(
        { attempts: state.attempts! },
        { result: { ok: false }, endpointExists: true },
        { retryScheduleSeconds: schedule, notAttemptedDelayMs: 0, random: () => 0 },
        now,
      );
      if (before.status === 'dead') break;
      elapsedMs += before.nextAttemptAt!.getTime() - now.getTime();
      state = before;
    }
    expect(elapsedMs).toBeGreaterThanOrEqual(3 * 24 * 3600 * 1000);
  });

  it('records "failed" when a failure carries no message, and cuts long ones to 512 characters', () => {
    expect(next(0, { ok: false, responseCode: 500 }).lastError).toBe('failed');
    expect(next(0, { ok: false, error: 'x'.repeat(600) }).lastError).toHaveLength(512);
  });

  it('always releases the lease, whatever the outcome', () => {
    for (const result of [
      { ok: true },
      { ok: false },
      { ok: false, gone: true },
      { ok: false, notAttempted: true },
    ])
      expect(next(0, result)).toMatchObject(released);
  });

  it('is dead at once with an empty schedule', () => {
    const changes = next(0, { ok: false }, true, { ...policy, retryScheduleSeconds: [] });
    expect(changes).toMatchObject({ status: 'dead', attempts: 1 });
  });
});
