import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { enabledDialects } from '../support/services';
import { paymentBody, startTestServer, TestServer } from '../support/test-server';
import { READ_SCOPE } from '../support/test-idp';
import { chooseTarget, stickyKeyOf } from '../../src/routing/weighted-split';
import { Payment } from '../../src/payments/entities/payment.entity';

const SIMULATE = '/api/v1/admin/routing/simulate';
const CIRCUIT_THRESHOLD = 2;

/** A stand-in PSP that counts requests: the simulation must never reach it. */
async function countingUpstream(): Promise<{
  url: string;
  hits: () => number;
  close: () => Promise<void>;
}> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(500, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe.each(enabledDialects())('routing simulation (%s)', (dialect) => {
  let server: TestServer;
  let admin: string;
  let upstream: Awaited<ReturnType<typeof countingUpstream>>;

  const adminCall = (method: string, path: string, body?: unknown) =>
    server.request(method, path, { token: admin, body });

  const account = async (name: string, extra: Record<string, unknown> = {}) => {
    const res = await adminCall('POST', '/api/v1/admin/provider-accounts', {
      provider: 'test',
      name,
      credentials: {},
      ...extra,
    });
    expect({ status: res.status, errors: res.body.errors }).toEqual({
      status: 201,
      errors: undefined,
    });
    return res.body.id as string;
  };

  /** A Mollie account whose API is the counting upstream: routable, but never to be called here. */
  const mollie = (name: string) =>
    account(name, {
      provider: 'mollie',
      credentials: { apiKey: `test_${randomBytes(12).toString('hex')}` },
      baseUrl: upstream.url,
    });

  const shop = async (defaultProviderAccountId?: string) => {
    const integration = (
      await adminCall('POST', '/api/v1/admin/integrations', {
        name: `shop-${randomBytes(4).toString('hex')}`,
        defaultProviderAccountId,
      })
    ).body;
    const key = (await adminCall('POST', `/api/v1/admin/integrations/${integration.id}/api-keys`))
      .body.key as string;
    let nextPriority = 100;
    return {
      id: integration.id as string,
      pay: (body: Record<string, unknown>) =>
        server.request('POST', '/api/v1/payments', { apiKey: key, body }),
      simulate: (body: Record<string, unknown>) =>
        adminCall('POST', SIMULATE, { ...body, integrationId: integration.id }),
      rule: async (body: Record<string, unknown>) => {
        const res = await adminCall('POST', '/api/v1/admin/routing-rules', {
          name: 'rule',
          priority: nextPriority++,
          integrationId: integration.id,
          ...body,
        });
        expect({ status: res.status, errors: res.body.errors }).toEqual({
          status: 201,
          errors: undefined,
        });
        return res.body;
      },
    };
  };

  const countPayments = () => server.dataSource.getRepository(Payment).count();

  beforeAll(async () => {
    upstream = await countingUpstream();
    server = await startTestServer({
      dialect,
      env: {
        PAYMENTSERVER_CIRCUIT_FAILURE_THRESHOLD: String(CIRCUIT_THRESHOLD),
        PAYMENTSERVER_CIRCUIT_COOLDOWN_MS: '600000',
      },
    });
    admin = await server.adminToken();
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it('answers what real creates do for a weighted split, customer by customer (sticky bucket)', async () => {
    const [a, b, spare] = [await account('a'), await account('b'), await account('spare')];
    const s = await shop();
    const rule = await s.rule({
      name: 'A/B',
      conditions: { currencies: ['EUR'] },
      targets: [
        { providerAccountId: a, weight: 30 },
        { providerAccountId: b, weight: 70 },
      ],
      fallback: [spare],
    });
    // Customers picked so that each target gets five (the rule id, and so the buckets, is random).
    const customers: number[] = [];
    const perTarget = new Map<string, number>();
    for (let i = 0; customers.length < 10; i++) {
      const target = chooseTarget(
        rule.id,
        rule.targets,
        stickyKeyOf(`customer${i}@example.com`, '').key,
      ).target.providerAccountId;
      if ((perTarget.get(target) ?? 0) >= 5) continue;
      perTarget.set(target, (perTarget.get(target) ?? 0) + 1);
      customers.push(i);
    }
    const seen = new Set<string>();
    for (const i of customers) {
      const body = paymentBody({ customer: { email: `Customer${i}@Example.com` } });
      const sim = await s.simulate(body);
      expect(sim.status).toBe(200);
      const created = await s.pay(body);
      expect(created.status).toBe(201);
      const choice = chooseTarget(
        rule.id,
        rule.targets,
        stickyKeyOf(`customer${i}@example.com`, '').key,
      );
      const chosen = choice.target.providerAccountId;
      const other = chosen === a ? b : a;
      seen.add(chosen);
      expect({
        ruleId: sim.body.ruleId,
        reason: sim.body.reason,
        providerAccountId: sim.body.providerAccountId,
      }).toEqual({
        ruleId: created.body.routing.ruleId,
        reason: created.body.routing.reason,
        providerAccountId: created.body.provider.accountId,
      });
      expect(created.body.provider.accountId).toBe(chosen);
      expect(sim.body.refusal).toBeNull();
      const bucket = `bucket ${choice.bucket} of 100`;
      expect(sim.body.candidates).toEqual([
        {
          providerAccountId: a,
          provider: 'test',
          role: 'target',
          eligible: chosen === a,
          why:
            chosen === a
              ? `weighted split ${a} 30 / ${b} 70: the customer.email falls in ${bucket}, which belongs to ${a}`
              : `not chosen: the weighted split gives ${bucket} to ${b}`,
        },
        {
          providerAccountId: b,
          provider: 'test',
          role: 'target',
          eligible: chosen === b,
          why:
            chosen === b
              ? `weighted split ${a} 30 / ${b} 70: the customer.email falls in ${bucket}, which belongs to ${b}`
              : `not chosen: the weighted split gives ${bucket} to ${a}`,
        },
        {
          providerAccountId: spare,
          provider: 'test',
          role: 'fallback',
          eligible: true,
          why: `fallback #1 of rule ${rule.id}, tried if the accounts before it fail with a retryable error`,
        },
      ]);
      expect(other).not.toBe(chosen);
    }
    expect(seen).toEqual(new Set([a, b]));
  });

  it('uses the reference as the sticky key without an email, like a create', async () => {
    const [a, b] = [await account('ref-a'), await account('ref-b')];
    const s = await shop();
    const rule = await s.rule({
      targets: [
        { providerAccountId: a, weight: 1 },
        { providerAccountId: b, weight: 1 },
      ],
    });
    for (let i = 0; i < 6; i++) {
      const body = paymentBody({ reference: `ref-${i}` });
      const sim = await s.simulate(body);
      const created = await s.pay(body);
      const expected = chooseTarget(rule.id, rule.targets, stickyKeyOf(null, `ref-${i}`).key);
      expect(sim.body.providerAccountId).toBe(expected.target.providerAccountId);
      expect(created.body.provider.accountId).toBe(expected.target.providerAccountId);
      expect(sim.body.reason).toContain(`the reference falls in bucket ${expected.bucket} of 2`);
    }
  });

  it('follows rule priority and conditions, and names the matching conditions', async () => {
    const [nl, usd, def] = [await account('nl'), await account('usd'), await account('def')];
    const s = await shop(def);
    const nlRule = await s.rule({
      name: 'NL iDEAL',
      priority: 10,
      conditions: { countries: ['NL'], methods: ['ideal'], amountMin: 100, amountMax: 5000 },
      targets: [{ providerAccountId: nl, weight: 1 }],
    });
    const usdRule = await s.rule({
      name: 'USD',
      priority: 20,
      conditions: { currencies: ['USD'], metadata: { channel: 'app' } },
      targets: [{ providerAccountId: usd, weight: 1 }],
    });
    const cases: [Record<string, unknown>, string | null, string][] = [
      [
        { method: 'ideal', customer: { country: 'NL' } },
        nlRule.id,
        `rule "NL iDEAL" (${nlRule.id}, priority 10) matched: amount 1050 is within 100..5000; country NL is one of NL; method ideal is one of ideal; its only target is ${nl}`,
      ],
      [
        { method: 'ideal', customer: { country: 'NL' }, amount: { value: 9000, currency: 'EUR' } },
        null,
        `no routing rule matched; the integration's default account ${def}`,
      ],
      [
        { amount: { value: 1050, currency: 'USD' }, metadata: { channel: 'app' } },
        usdRule.id,
        `rule "USD" (${usdRule.id}, priority 20) matched: currency USD is one of USD; metadata channel=app; its only target is ${usd}`,
      ],
      [
        { amount: { value: 1050, currency: 'USD' } },
        null,
        `no routing rule matched; the integration's default account ${def}`,
      ],
    ];
    for (const [overrides, ruleId, reason] of cases) {
      const body = paymentBody(overrides);
      const sim = await s.simulate(body);
      const created = await s.pay(body);
      expect({ ruleId: sim.body.ruleId, reason: sim.body.reason }).toEqual({ ruleId, reason });
      expect({
        ruleId: created.body.routing.ruleId,
        reason: created.body.routing.reason,
        account: created.body.provider.accountId,
      }).toEqual({ ruleId, reason, account: sim.body.providerAccountId });
    }
    const viaDefault = await s.simulate(paymentBody({ amount: { value: 1, currency: 'USD' } }));
    expect(viaDefault.body.candidates).toEqual([
      {
        providerAccountId: def,
        provider: 'test',
        role: 'default',
        eligible: true,
        why: "no routing rule matched: the integration's default account",
      },
    ]);
  });

  it('skips disabled, unsupported and repeated accounts with why, and goes where a create goes', async () => {
    const off = await account('off', { enabled: false });
    const noHuf = await mollie('mollie-no-huf');
    const ok = await account('ok');
    const s = await shop(ok);
    const rule = await s.rule({
      name: 'chain',
      targets: [{ providerAccountId: off, weight: 1 }],
      fallback: [noHuf, ok],
    });
    const body = paymentBody({ amount: { value: 1050, currency: 'HUF' }, method: 'sofort' });
    const sim = await s.simulate(body);
    expect(sim.status).toBe(200);
    expect(sim.body.candidates).toEqual([
      {
        providerAccountId: off,
        provider: 'test',
        role: 'target',
        eligible: false,
        why: 'account is disabled',
      },
      {
        providerAccountId: noHuf,
        provider: 'mollie',
        role: 'fallback',
        eligible: false,
        why: 'mollie does not support HUF',
      },
      {
        providerAccountId: ok,
        provider: 'test',
        role: 'fallback',
        eligible: true,
        why: `fallback #2 of rule ${rule.id}, tried if the accounts before it fail with a retryable error`,
      },
      {
        providerAccountId: ok,
        provider: 'test',
        role: 'default',
        eligible: false,
        why: 'already listed as fallback #2: an account is tried at most once',
      },
    ]);
    expect(sim.body.providerAccountId).toBe(ok);
    // The method check, with a currency Mollie does take.
    const method = await s.simulate(paymentBody({ method: 'sofort' }));
    expect(method.body.candidates[1]).toMatchObject({
      providerAccountId: noHuf,
      eligible: false,
      why: 'mollie does not support method sofort',
    });
    // A currency Mollie takes, but not for the method asked: iDEAL is euros only.
    const idealInPounds = await s.simulate(
      paymentBody({ amount: { value: 1050, currency: 'GBP' }, method: 'ideal' }),
    );
    expect(idealInPounds.body.candidates[1]).toMatchObject({
      providerAccountId: noHuf,
      eligible: false,
      why: 'mollie does not support GBP for method ideal',
    });
    const cardInPounds = await s.simulate(
      paymentBody({ amount: { value: 1050, currency: 'GBP' }, method: 'card' }),
    );
    expect(cardInPounds.body.candidates[1]).toMatchObject({
      providerAccountId: noHuf,
      eligible: true,
    });
    const created = await s.pay(body);
    expect(created.status).toBe(201);
    expect(created.body.provider.accountId).toBe(ok);
    expect(created.body.routing.attempts.slice(0, 2)).toEqual([
      { providerAccountId: off, outcome: 'skipped', error: 'account is disabled' },
      { providerAccountId: noHuf, outcome: 'skipped', error: 'mollie does not support HUF' },
    ]);
    expect(upstream.hits()).toBe(0);
  });

  it('shows an open circuit as not eligible, and the next account is where a create goes', async () => {
    const down = await account('down', { settings: { failureMode: 'unavailable' } });
    const spare = await account('spare');
    const s = await shop();
    const rule = await s.rule({
      name: 'primary',
      targets: [{ providerAccountId: down, weight: 1 }],
      fallback: [spare],
    });
    const before = await s.simulate(paymentBody());
    expect(before.body.candidates[0]).toMatchObject({ providerAccountId: down, eligible: true });
    expect(before.body.providerAccountId).toBe(down);
    for (let i = 0; i < CIRCUIT_THRESHOLD; i++) {
      const failedOver = await s.pay(paymentBody());
      expect(failedOver.body.provider.accountId).toBe(spare);
    }
    const health = await adminCall('GET', `/api/v1/admin/provider-accounts/${down}/health`);
    expect(health.body.state).toBe('open');
    // Simulating again and again takes no probe and changes nothing.
    for (let i = 0; i < 3; i++) {
      const sim = await s.simulate(paymentBody());
      expect(sim.body.candidates[0]).toEqual({
        providerAccountId: down,
        provider: 'test',
        role: 'target',
        eligible: false,
        why: expect.stringMatching(
          /^circuit open after repeated failures \(provider_unavailable: .*\); not tried until \d{4}-/,
        ),
      });
      expect(sim.body.providerAccountId).toBe(spare);
    }
    const after = await adminCall('GET', `/api/v1/admin/provider-accounts/${down}/health`);
    expect(after.body).toEqual(health.body);
    const created = await s.pay(paymentBody());
    expect(created.body.provider.accountId).toBe(spare);
    expect(created.body.routing.ruleId).toBe(rule.id);
    expect(created.body.routing.attempts[0]).toMatchObject({
      providerAccountId: down,
      outcome: 'skipped',
      error: expect.stringMatching(/^not tried: circuit open/),
    });
  });

  it('refuses like a create: not allowed for the integration, not supported, no route', async () => {
    const s = await shop();
    const other = await shop();
    const theirs = await account('theirs', { integrationIds: [other.id] });
    const forced = await s.simulate(paymentBody({ providerAccountId: theirs }));
    expect(forced.status).toBe(200);
    expect(forced.body).toEqual({
      ruleId: null,
      reason: `providerAccountId ${theirs} was given in the request; routing rules were not consulted`,
      candidates: [
        {
          providerAccountId: theirs,
          provider: 'test',
          role: 'target',
          eligible: false,
          why: `provider_account_not_allowed: integration ${s.id} may not use this account`,
        },
      ],
      providerAccountId: null,
      refusal: {
        code: 'provider_account_not_allowed',
        title: 'Provider account not allowed',
        detail: `Provider account ${theirs} may not be used by this integration`,
      },
    });
    const created = await s.pay(paymentBody({ providerAccountId: theirs }));
    expect({
      status: created.status,
      code: created.body.code,
      detail: created.body.detail,
    }).toEqual({
      status: 422,
      code: 'provider_account_not_allowed',
      detail: forced.body.refusal.detail,
    });
    // The other integration may use it.
    const allowed = await other.simulate(paymentBody({ providerAccountId: theirs }));
    expect(allowed.body.candidates[0]).toMatchObject({
      eligible: true,
      why: 'requested in the payment',
    });

    const noHuf = await mollie('mollie-forced');
    const unsupported = await s.simulate(
      paymentBody({ providerAccountId: noHuf, amount: { value: 100, currency: 'HUF' } }),
    );
    const refused = await s.pay(
      paymentBody({ providerAccountId: noHuf, amount: { value: 100, currency: 'HUF' } }),
    );
    expect(unsupported.body.refusal).toEqual({
      code: 'not_supported_by_provider',
      title: 'Not supported by provider',
      detail: refused.body.detail,
    });
    expect(refused.body.code).toBe('not_supported_by_provider');

    const none = await s.simulate(paymentBody());
    const noRoute = await s.pay(paymentBody());
    expect(none.body).toMatchObject({
      ruleId: null,
      candidates: [],
      providerAccountId: null,
      refusal: { code: 'no_route', detail: noRoute.body.detail },
    });
    expect(noRoute.body.code).toBe('no_route');
    expect(upstream.hits()).toBe(0);
  });

  it('writes nothing and calls no provider', async () => {
    const onlyMollie = await mollie('mollie-only');
    const s = await shop(onlyMollie);
    const payments = await countPayments();
    for (let i = 0; i < 3; i++) {
      const sim = await s.simulate(paymentBody({ customer: { email: `x${i}@example.com` } }));
      expect(sim.body.providerAccountId).toBe(onlyMollie);
    }
    expect(await countPayments()).toBe(payments);
    expect(upstream.hits()).toBe(0);
  });

  it('validates the body like a create and names the field', async () => {
    const s = await shop();
    const cases: [Record<string, unknown>, string][] = [
      [
        { ...paymentBody(), integrationId: s.id, amount: { value: -1, currency: 'EUR' } },
        'amount.value',
      ],
      [
        { ...paymentBody(), integrationId: s.id, amount: { value: 1, currency: 'XXY' } },
        'amount.currency',
      ],
      [{ ...paymentBody(), integrationId: s.id, method: 'cash' }, 'method'],
      [{ ...paymentBody(), integrationId: s.id, surprise: true }, 'surprise'],
      [paymentBody(), 'integrationId'],
      [
        { ...paymentBody(), integrationId: s.id, providerAccountId: 'pa_nope' },
        'providerAccountId',
      ],
    ];
    for (const [body, field] of cases) {
      const res = await adminCall('POST', SIMULATE, body);
      expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({
        status: 400,
        type: expect.stringContaining('application/problem+json'),
      });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const unknown = await adminCall('POST', SIMULATE, {
      ...paymentBody(),
      integrationId: 'int_nope',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({
      code: 'unknown_integration',
      errors: [{ field: 'integrationId', message: 'is not an integration' }],
    });
  });

  it('is admin API: no token is 401, an API key is not enough', async () => {
    const s = await shop();
    const body = { ...paymentBody(), integrationId: s.id };
    expect((await server.request('POST', SIMULATE, { body, apiKey: null })).status).toBe(401);
    expect((await server.request('POST', SIMULATE, { body })).status).toBe(401);
  });

  it('is for admins only: a read-only token (scope or role viewer) is 403, and only that refusal is audited', async () => {
    const s = await shop();
    const body = { ...paymentBody(), integrationId: s.id };
    const audited = async () =>
      (
        await server.request('GET', '/api/v1/admin/audit-events?limit=100', { token: admin })
      ).body.data.filter((e: { action: string }) => e.action === 'routing.simulate');
    const before = await audited();
    const viewers = [
      await server.clientToken(`sim-viewer-${randomBytes(3).toString('hex')}`, {
        scope: READ_SCOPE,
      }),
      await server.adminToken({ roles: ['viewer'] }),
    ];
    for (const token of viewers) {
      const refused = await server.request('POST', SIMULATE, { token, body });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ code: 'forbidden' });
      expect(refused.body.detail).toContain('may only read');
    }
    // An admin's dry run changes nothing, so it is no audit event; the refused attempts are.
    expect((await adminCall('POST', SIMULATE, body)).status).toBe(200);
    const after = await audited();
    expect(after).toHaveLength(before.length + 2);
    expect(after.slice(0, 2).map((e: { outcome: string }) => e.outcome)).toEqual([
      'failed',
      'failed',
    ]);
  });

  it('is documented in Swagger with its answer', async () => {
    const doc = (await server.request('GET', '/swagger/json')).body;
    const op = doc.paths[SIMULATE]?.post;
    expect(op).toBeDefined();
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401']));
    expect(Object.keys(doc.components.schemas.RoutingSimulationDto.properties)).toEqual(
      expect.arrayContaining(['ruleId', 'reason', 'candidates', 'providerAccountId', 'refusal']),
    );
  });
});
