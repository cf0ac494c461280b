import type { EntityManager } from 'typeorm';
import { RoutingVersion } from '../routing/routing-version.entity';
import { EndpointSubscriptions } from './endpoint-subscriptions';

/** A manager that sees `version` on the version row and these subscribed event lists. */
function snapshot(version: number, events: string[][], reads: string[] = []): EntityManager {
  return {
    findOne: async (entity: unknown) => {
      reads.push(entity === RoutingVersion ? 'version' : 'other');
      return { version: String(version) };
    },
    find: async () => {
      reads.push('endpoints');
      return events.map((list) => ({ events: list }));
    },
  } as unknown as EntityManager;
}

describe('EndpointSubscriptions', () => {
  const current = 7;
  const subscriptions = () => new EndpointSubscriptions({ current: async () => current } as never);

  it('answers from what the caller sees and keeps it for the version', async () => {
    const cache = subscriptions();
    const reads: string[] = [];
    const now = snapshot(current, [['payment.paid']], reads);
    expect(await cache.wanted(now, 'int_1', 'payment.paid')).toBe(true);
    expect(await cache.wanted(now, 'int_1', 'payment.failed')).toBe(false);
    expect(reads).toEqual(['version', 'endpoints']);
  });

  it('does not trust, nor keep, a snapshot older than the version (an endpoint it may miss)', async () => {
    const cache = subscriptions();
    // A REPEATABLE READ transaction that began before endpoint writes bumped the version to 7.
    const stale = snapshot(current - 1, []);
    expect(await cache.wanted(stale, 'int_1', 'payment.paid')).toBe(true);
    const reads: string[] = [];
    expect(await cache.wanted(snapshot(current, [], reads), 'int_1', 'payment.paid')).toBe(false);
    expect(reads).toEqual(['version', 'endpoints']);
  });
});
