import { RoutingSnapshot } from './routing-rule.cache';
import { RoutingService } from './routing.service';
import { CircuitBreaker } from './circuit-breaker';
import type { RoutingRule } from './routing-rule.entity';
import type { ProviderAccount } from '../providers/provider-account.entity';
import type { Integration } from '../integrations/integration.entity';
import { ProviderError } from '../providers/provider-error';

const routingConfig = {
  providerTimeoutMs: 1000,
  timeBudgetMs: 5000,
  circuitFailureThreshold: 2,
  circuitCooldownMs: 60_000,
};

function account(id: string, provider: string, enabled = true): ProviderAccount {
  return { id, provider, enabled } as ProviderAccount;
}

const accounts = [
  account('eur_only', 'euro'),
  account('any', 'world'),
  account('off', 'world', false),
  account('default', 'world'),
];
const providers = {
  euro: {
    name: 'euro',
    capabilities: { currencies: ['EUR'], methods: ['card'], manualCapture: true },
  },
  world: {
    name: 'world',
    capabilities: { currencies: 'any', methods: ['card', 'ideal'], manualCapture: true },
  },
};

function service(rules: Partial<RoutingRule>[]) {
  const full = rules.map((r, i) => ({
    id: `rr_${i}`,
    name: `rule ${i}`,
    priority: i,
    enabled: true,
    integrationId: null,
    conditions: {},
    fallback: [],
    ...r,
  })) as RoutingRule[];
  const breaker = new CircuitBreaker({ routing: routingConfig });
  const routing = new RoutingService(
    {
      findBy: async () => accounts,
      findOneBy: async ({ id }: { id: string }) => accounts.find((a) => a.id === id) ?? null,
    } as never,
    { get: (name: keyof typeof providers) => providers[name] } as never,
    { current: async () => new RoutingSnapshot(1, full) } as never,
    breaker,
    { routing: routingConfig } as never,
  );
  return { routing, breaker };
}

const integration = (defaultProviderAccountId: string | null = null) =>
  ({ id: 'int_1', defaultProviderAccountId }) as Integration;
const request = {
  currency: 'EUR',
  amount: 1000,
  method: null,
  captureMode: 'automatic',
  country: null,
  email: null,
  reference: 'r1',
  metadata: null,
};

describe('RoutingService', () => {
  it('skips an account whose provider cannot take the currency or method, with the reason', async () => {
    const { routing } = service([
      { targets: [{ providerAccountId: 'eur_only', weight: 1 }], fallback: ['any'] },
    ]);
    const usd = await routing.route(integration(), { ...request, currency: 'USD' });
    expect(usd.candidates.map((c) => c.account.id)).toEqual(['any']);
    expect(usd.skipped).toEqual([
      { providerAccountId: 'eur_only', outcome: 'skipped', error: 'euro does not support USD' },
    ]);
    const ideal = await routing.route(integration(), { ...request, method: 'ideal' });
    expect(ideal.skipped[0].error).toBe('euro does not support method ideal');
    const eur = await routing.route(integration(), request);
    expect(eur.candidates.map((c) => [c.account.id, c.role])).toEqual([
      ['eur_only', 'target'],
      ['any', 'fallback #1'],
    ]);
  });

  it('lists target, fallbacks in order, then the default account, each once', async () => {
    const { routing } = service([
      { targets: [{ providerAccountId: 'any', weight: 1 }], fallback: ['off', 'any', 'eur_only'] },
    ]);
    const decision = await routing.route(integration('default'), request);
    expect(decision.candidates.map((c) => [c.account.id, c.role])).toEqual([
      ['any', 'target'],
      ['eur_only', 'fallback #3'],
      ['default', "the integration's default account"],
    ]);
    expect(decision.skipped).toEqual([
      { providerAccountId: 'off', outcome: 'skipped', error: 'account is disabled' },
    ]);
  });

  it('fails with no_route when nothing matches and there is no default, or every account is unusable', async () => {
    await expect(service([]).routing.route(integration(), request)).rejects.toMatchObject({
      code: 'no_route',
      status: 422,
    });
    const onlyOff = service([{ targets: [{ providerAccountId: 'off', weight: 1 }] }]).routing;
    await expect(onlyOff.route(integration(), request)).rejects.toMatchObject({
      code: 'no_route',
      message: expect.stringContaining('off: account is disabled'),
    });
  });

  it('does not admit an account whose circuit is open, and says why', async () => {
    const { routing } = service([{ targets: [{ providerAccountId: 'any', weight: 1 }] }]);
    const decision = await routing.route(integration(), request);
    routing.recordOutcome('any', new ProviderError('timeout', 'slow'));
    expect(routing.admit(decision, decision.candidates[0])).toBeNull();
    routing.recordOutcome('any', new ProviderError('timeout', 'slow'));
    expect(routing.admit(decision, decision.candidates[0])).toBe(
      'not tried: circuit open after repeated failures (timeout: slow)',
    );
    // A decline is an answer: it does not count against the account.
    routing.recordOutcome('any', new ProviderError('declined', 'no'));
    expect(routing.admit(decision, decision.candidates[0])).toBeNull();
  });

  it('fails a call that outlives the per-call timeout as a retryable timeout', async () => {
    const { routing } = service([{ targets: [{ providerAccountId: 'any', weight: 1 }] }]);
    const decision = await routing.route(integration(), request);
    decision.deadline = Date.now() + 20;
    await expect(routing.withinBudget(decision, async () => 'answer')).resolves.toBe('answer');
    await expect(
      routing.withinBudget(decision, () => new Promise(() => undefined)),
    ).rejects.toMatchObject({ code: 'timeout', retryable: true });
  });

  it('plans with every candidate explained: the split target not chosen, repeats, unusable ones', async () => {
    const { routing } = service([
      {
        id: 'rr_split',
        targets: [
          { providerAccountId: 'any', weight: 1 },
          { providerAccountId: 'eur_only', weight: 1 },
        ],
        fallback: ['off', 'any'],
      },
    ]);
    const plan = await routing.plan(integration('default'), { ...request, currency: 'USD' });
    const chosen = plan.candidates.find((c) => c.role === 'target' && c.considered)!;
    expect(plan.refusal).toBeNull();
    expect(
      plan.candidates.map((c) => [c.providerAccountId, c.role, c.label, c.eligible, c.considered]),
    ).toEqual([
      [
        'any',
        'target',
        'target',
        chosen.providerAccountId === 'any',
        chosen.providerAccountId === 'any',
      ],
      ['eur_only', 'target', 'target', false, chosen.providerAccountId === 'eur_only'],
      ['off', 'fallback', 'fallback #1', false, true],
      [
        'any',
        'fallback',
        'fallback #2',
        chosen.providerAccountId !== 'any',
        chosen.providerAccountId !== 'any',
      ],
      ['default', 'default', "the integration's default account", true, true],
    ]);
    expect(plan.candidates[2].why).toBe('account is disabled');
    // The decision for a real create is the plan's considered, eligible candidates in order.
    const decision = await routing.route(integration('default'), { ...request, currency: 'USD' });
    expect(decision.candidates.map((c) => c.account.id)).toEqual(
      plan.candidates.filter((c) => c.eligible).map((c) => c.providerAccountId),
    );
  });

  it('refuses a forced account its provider cannot serve as not_supported_by_provider', async () => {
    const { routing } = service([]);
    const forced = { ...request, currency: 'USD', providerAccountId: 'eur_only' };
    const plan = await routing.plan(integration(), forced);
    expect(plan.refusal).toMatchObject({
      code: 'not_supported_by_provider',
      message: 'euro does not support currency USD',
    });
    await expect(routing.route(integration(), forced)).rejects.toMatchObject({
      code: 'not_supported_by_provider',
      status: 422,
    });
    await expect(
      routing.route(integration(), { ...request, providerAccountId: 'nope' }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'providerAccountId' }],
    });
  });
});
