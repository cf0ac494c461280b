import type { AppConfig } from '../config/app.config';
import { DeliveryClaims } from './delivery.claims';
import { attemptOutcome } from './delivery.recorder';
import type { NotificationDelivery } from './notification-delivery.entity';
import { NotificationWorker } from './notification.worker';
import { withJitter } from './next-delivery-state';

describe('withJitter', () => {
  it('spreads a delay over up to 20 % more, never less', () => {
    expect(withJitter(300, () => 0)).toBe(300_000);
    expect(withJitter(300, () => 0.5)).toBe(330_000);
    expect(withJitter(300, () => 0.999999)).toBe(360_000);
  });

  it('never returns the same delay for every failed delivery', () => {
    const delays = new Set(Array.from({ length: 50 }, () => withJitter(1800)));
    expect(delays.size).toBeGreaterThan(1);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(1_800_000);
      expect(delay).toBeLessThanOrEqual(2_160_000);
    }
  });
});

describe('attemptOutcome', () => {
  it('names what became of an attempt, for the attempts metric', () => {
    expect(attemptOutcome({ ok: true, responseCode: 204 })).toBe('succeeded');
    expect(attemptOutcome({ ok: false, responseCode: 500 })).toBe('failed');
    expect(attemptOutcome({ ok: false, responseCode: 410, gone: true })).toBe('gone');
    expect(attemptOutcome({ ok: false, notAttempted: true, error: 'broker down' })).toBe(
      'not_attempted',
    );
  });
});

describe('NotificationWorker.deliverDue', () => {
  it('stops renewing the leases of a claim it cannot read, so they run out and are claimed again', async () => {
    const config = {
      notifications: { batchSize: 10, endpointConcurrency: 2, leaseSeconds: 60 },
    } as unknown as AppConfig;
    const writes: unknown[] = [];
    const tx = { write: async (work: unknown) => writes.push(work) };
    const claims = new DeliveryClaims({} as never, tx as never, config);
    const delivery = { id: 'nd_1', endpointId: 'ne_1', eventId: 'evt_1' } as NotificationDelivery;
    // The real claim records the token as held once the UPDATE has taken the rows.
    jest.spyOn(claims, 'claim').mockImplementation(async () => {
      (claims as unknown as { held: Map<string, number> }).held.set('lease_1', 1);
      return { token: 'lease_1', deliveries: [delivery] };
    });
    const lostConnection = { find: () => Promise.reject(new Error('connection lost')) };
    const webhook = { type: 'webhook', available: () => true };
    const worker = new NotificationWorker(
      lostConnection as never,
      lostConnection as never,
      {} as never,
      {} as never,
      claims,
      {} as never,
      [webhook as never],
      config,
    );
    await expect(worker.deliverDue()).rejects.toThrow('connection lost');
    expect(await claims.renew()).toBe(0);
    expect(writes).toEqual([]);
  });
});
