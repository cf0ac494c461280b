import { RoutingRuleCache } from './routing-rule.cache';
import type { RoutingRule } from './routing-rule.entity';

function rule(id: string, priority: number, integrationId: string | null): RoutingRule {
  const now = new Date();
  return {
    id,
    name: id,
    priority,
    enabled: true,
    integrationId,
    conditions: {},
    targets: [{ providerAccountId: 'pa', weight: 1 }],
    fallback: [],
    createdAt: now,
    updatedAt: now,
  };
}

describe('routing rule cache', () => {
  let version = 1;
  let stored: RoutingRule[] = [];
  const calls = { version: 0, rules: 0 };
  const cache = new RoutingRuleCache(
    {
      find: async () => (calls.rules++, [...stored].sort((a, b) => a.priority - b.priority)),
    } as never,
    { current: async () => (calls.version++, version) } as never,
  );

  beforeEach(() => {
    stored = Array.from({ length: 50 }, (_, i) => rule(`r${i}`, i, i % 2 ? 'int_a' : null));
    version++;
    calls.version = 0;
    calls.rules = 0;
  });

  it('reads one version row per payment and loads the rules only once, however many there are', async () => {
    for (let i = 0; i < 20; i++) await cache.rulesFor('int_a');
    expect(calls).toEqual({ version: 20, rules: 1 });
  });

  it('keeps an integration to its own rules and the rules for every integration, in priority order', async () => {
    const forA = await cache.rulesFor('int_a');
    expect(forA).toHaveLength(50);
    const forB = await cache.rulesFor('int_b');
    expect(forB.map((r) => r.id)).toEqual(
      stored.filter((r) => r.integrationId === null).map((r) => r.id),
    );
    expect(forB.every((r, i) => i === 0 || forB[i - 1].priority < r.priority)).toBe(true);
  });

  it('reloads as soon as the version moves', async () => {
    await cache.rulesFor('int_a');
    stored = [rule('only', 1, null)];
    expect((await cache.rulesFor('int_a')).length).toBe(50);
    version++;
    expect((await cache.rulesFor('int_a')).map((r) => r.id)).toEqual(['only']);
    expect(calls.rules).toBe(2);
  });

  it('shares one reload between concurrent payments', async () => {
    await Promise.all(Array.from({ length: 10 }, () => cache.rulesFor('int_a')));
    expect(calls.rules).toBe(1);
  });

  it('remembers a derived answer per version and key, and computes it again after a write', async () => {
    let computed = 0;
    const compute = async () => ++computed;
    expect(await cache.remember('k1', compute)).toBe(1);
    expect(await cache.remember('k1', compute)).toBe(1);
    expect(await cache.remember('k2', compute)).toBe(2);
    version++;
    expect(await cache.remember('k1', compute)).toBe(3);
    expect(await cache.remember('k1', compute)).toBe(3);
  });

  it('does not keep a failed computation', async () => {
    await expect(
      cache.remember('bad', () => Promise.reject(new Error('database gone'))),
    ).rejects.toThrow('database gone');
    expect(await cache.remember('bad', async () => 'ok')).toBe('ok');
  });
});
