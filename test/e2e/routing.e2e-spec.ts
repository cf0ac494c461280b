import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { enabledDialects } from '../support/services';
import { eventually, paymentBody, startTestServer, TestServer } from '../support/test-server';
import { chooseTarget, stickyKeyOf } from '../../src/routing/weighted-split';

/** A stand-in PSP for the test provider's `baseUrl`: it answers with an HTTP status, or never answers at all. */
async function fakeUpstream(
  behaviour: 'hang' | number,
): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    req.resume();
    if (behaviour !== 'hang')
      res.writeHead(behaviour, { 'content-type': 'application/json' }).end('{"error":"not now"}');
    // 'hang': keep the connection open and never answer.
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

const PROVIDER_TIMEOUT_MS = 1000;
const TIME_BUDGET_MS = 2500;
const CIRCUIT_THRESHOLD = 3;

describe.each(enabledDialects())('payment routing (%s)', (dialect) => {
  let server: TestServer;
  let admin: string;
  let upstreams: { close: () => Promise<void> }[] = [];

  const adminCall = (method: string, path: string, body?: unknown) =>
    server.request(method, path, { token: admin, body });
  const account = async (name: string, extra: Record<string, unknown> = {}) => {
    const res = await adminCall('POST', '/api/v1/admin/provider-accounts', {
      provider: 'test',
      name,
      credentials: {},
      ...extra,
    });
    expect({ status: res.status, body: res.status === 201 ? 'ok' : res.body }).toEqual({
      status: 201,
      body: 'ok',
    });
    return res.body.id as string;
  };

  const accounts = async (...names: string[]) => {
    const ids: string[] = [];
    for (const name of names) ids.push(await account(name));
    return ids;
  };

  /** A fresh integration (its own rules, its own key) so that tests cannot see each other's rules. */
  const shop = async (defaultProviderAccountId?: string, on: TestServer = server) => {
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
      pay: (overrides: Record<string, unknown> = {}, via: TestServer = on) =>
        via.request('POST', '/api/v1/payments', { apiKey: key, body: paymentBody(overrides) }),
      rule: async (body: Record<string, unknown>, via: TestServer = on) => {
        const res = await via.request('POST', '/api/v1/admin/routing-rules', {
          token: admin,
          body: { name: 'rule', priority: nextPriority++, integrationId: integration.id, ...body },
        });
        expect({ status: res.status, errors: res.body.errors }).toEqual({
          status: 201,
          errors: undefined,
        });
        return res.body;
      },
    };
  };

  beforeAll(async () => {
    server = await startTestServer({
      dialect,
      env: {
        PAYMENTSERVER_PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
        PAYMENTSERVER_ROUTING_TIME_BUDGET_MS: String(TIME_BUDGET_MS),
        PAYMENTSERVER_CIRCUIT_FAILURE_THRESHOLD: String(CIRCUIT_THRESHOLD),
        PAYMENTSERVER_CIRCUIT_COOLDOWN_MS: '3000',
      },
    });
    admin = await server.adminToken();
  });

  afterAll(async () => {
    await Promise.all(upstreams.map((u) => u.close()));
    upstreams = [];
    await server?.close();
  });

  describe('matching', () => {
    it('routes by each condition and by combinations, and sends the rest to the default account', async () => {
      const [usd, big, be, card, app, combo, fallbackDefault] = await accounts(
        ...['usd', 'big', 'be', 'card', 'app', 'combo', 'default'],
      );
      const s = await shop(fallbackDefault);
      const rComboRule = await s.rule({
        name: 'EUR iDEAL NL',
        priority: 5,
        conditions: { currencies: ['EUR'], countries: ['NL'], methods: ['ideal'] },
        targets: [{ providerAccountId: combo, weight: 1 }],
      });
      await s.rule({
        name: 'USD',
        priority: 10,
        conditions: { currencies: ['USD'] },
        targets: [{ providerAccountId: usd, weight: 1 }],
      });
      await s.rule({
        name: 'big',
        priority: 20,
        conditions: { amountMin: 10000, amountMax: 20000 },
        targets: [{ providerAccountId: big, weight: 1 }],
      });
      await s.rule({
        name: 'Belgium',
        priority: 30,
        conditions: { countries: ['BE'] },
        targets: [{ providerAccountId: be, weight: 1 }],
      });
      await s.rule({
        name: 'cards',
        priority: 40,
        conditions: { methods: ['card'] },
        targets: [{ providerAccountId: card, weight: 1 }],
      });
      await s.rule({
        name: 'app',
        priority: 50,
        conditions: { metadata: { channel: 'app' } },
        targets: [{ providerAccountId: app, weight: 1 }],
      });

      const cases: [string, Record<string, unknown>, string][] = [
        ['currency', { amount: { value: 1000, currency: 'USD' } }, usd],
        ['amount within range', { amount: { value: 15000, currency: 'EUR' } }, big],
        ['amount at the upper bound', { amount: { value: 20000, currency: 'EUR' } }, big],
        ['amount above the range', { amount: { value: 20001, currency: 'EUR' } }, fallbackDefault],
        ['country', { customer: { country: 'BE' } }, be],
        ['method', { method: 'card' }, card],
        ['metadata', { metadata: { channel: 'app' } }, app],
        ['combination', { customer: { country: 'NL' }, method: 'ideal' }, combo],
        [
          'combination with one condition failing',
          { customer: { country: 'NL' }, method: 'card' },
          card,
        ],
        ['nothing matches', {}, fallbackDefault],
      ];
      for (const [name, overrides, expected] of cases) {
        const res = await s.pay(overrides);
        expect({ name, status: res.status, account: res.body.provider?.accountId }).toEqual({
          name,
          status: 201,
          account: expected,
        });
      }

      const combined = (await s.pay({ customer: { country: 'NL' }, method: 'ideal' })).body;
      expect(combined.routing.ruleId).toBe(rComboRule.id);
      expect(combined.routing.reason).toBe(
        `rule "EUR iDEAL NL" (${rComboRule.id}, priority 5) matched: currency EUR is one of EUR; country NL is one of NL; method ideal is one of ideal; its only target is ${combo}`,
      );
      expect(combined.routing.attempts).toEqual([
        { providerAccountId: combo, outcome: 'succeeded' },
      ]);
      const unmatched = (await s.pay()).body;
      expect(unmatched.routing).toEqual({
        ruleId: null,
        reason: `no routing rule matched; the integration's default account ${fallbackDefault}`,
        attempts: [{ providerAccountId: fallbackDefault, outcome: 'succeeded' }],
      });
    });

    it('takes the lowest priority first, skips disabled rules, and a rule change applies to the next payment', async () => {
      const [first, second, third] = await accounts(...['first', 'second', 'third']);
      const s = await shop();
      await s.rule({
        name: 'off',
        priority: 1,
        enabled: false,
        targets: [{ providerAccountId: third, weight: 1 }],
      });
      const r30 = await s.rule({
        name: 'thirty',
        priority: 30,
        targets: [{ providerAccountId: second, weight: 1 }],
      });
      const r20 = await s.rule({
        name: 'twenty',
        priority: 20,
        targets: [{ providerAccountId: first, weight: 1 }],
      });
      expect((await s.pay()).body.provider.accountId).toBe(first);

      await adminCall('PATCH', `/api/v1/admin/routing-rules/${r20.id}`, { enabled: false });
      const next = (await s.pay()).body;
      expect(next.provider.accountId).toBe(second);
      expect(next.routing.ruleId).toBe(r30.id);

      await adminCall('PATCH', `/api/v1/admin/routing-rules/${r30.id}`, {
        targets: [{ providerAccountId: third, weight: 1 }],
      });
      expect((await s.pay()).body.provider.accountId).toBe(third);
      await adminCall('DELETE', `/api/v1/admin/routing-rules/${r30.id}`);
      const none = await s.pay();
      expect(none.status).toBe(422);
      expect(none.body.code).toBe('no_route');
    });

    it('applies rules for every integration, interleaved with the integration’s own by priority', async () => {
      const [own, global] = await accounts(...['own', 'global']);
      const s = await shop();
      const currency = 'CHF';
      await s.rule({
        name: 'own',
        priority: 900_002,
        conditions: { currencies: [currency] },
        targets: [{ providerAccountId: own, weight: 1 }],
      });
      const everyone = await adminCall('POST', '/api/v1/admin/routing-rules', {
        name: 'all shops CHF',
        priority: 900_001,
        integrationId: null,
        conditions: { currencies: [currency], metadata: { route: 'global' } },
        targets: [{ providerAccountId: global, weight: 1 }],
      });
      expect(everyone.status).toBe(201);
      expect(
        (await s.pay({ amount: { value: 100, currency }, metadata: { route: 'global' } })).body
          .provider.accountId,
      ).toBe(global);
      expect((await s.pay({ amount: { value: 100, currency } })).body.provider.accountId).toBe(own);
      await adminCall('DELETE', `/api/v1/admin/routing-rules/${everyone.body.id}`);
    });

    it('answers 422 no_route without a matching rule and without a default account', async () => {
      const s = await shop();
      const res = await s.pay();
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('no_route');
    });

    it('skips a disabled account for the fallback, and uses the default account as the last resort', async () => {
      const [off, spare, fallbackDefault] = [
        await account('off', { enabled: false }),
        await account('spare'),
        await account('default'),
      ];
      const s = await shop(fallbackDefault);
      const rule = await s.rule({
        name: 'to a disabled account',
        targets: [{ providerAccountId: off, weight: 1 }],
        fallback: [spare],
      });
      const viaFallback = (await s.pay()).body;
      expect(viaFallback.provider.accountId).toBe(spare);
      expect(viaFallback.routing.attempts).toEqual([
        { providerAccountId: off, outcome: 'skipped', error: 'account is disabled' },
        { providerAccountId: spare, outcome: 'succeeded' },
      ]);
      expect(viaFallback.routing.reason).toContain(
        `${off} was skipped (account is disabled), so fallback #1 ${spare} took the payment`,
      );

      await adminCall('PATCH', `/api/v1/admin/routing-rules/${rule.id}`, { fallback: [] });
      const viaDefault = (await s.pay()).body;
      expect(viaDefault.provider.accountId).toBe(fallbackDefault);
      expect(viaDefault.routing.ruleId).toBe(rule.id);
      expect(viaDefault.routing.reason).toContain(
        `so the integration's default account ${fallbackDefault} took the payment`,
      );

      // Without a default account nothing is left: no_route.
      await adminCall('PATCH', `/api/v1/admin/integrations/${s.id}`, {
        defaultProviderAccountId: null,
      });
      const none = await s.pay();
      expect(none.status).toBe(422);
      expect(none.body.code).toBe('no_route');
      expect(none.body.detail).toContain(`${off}: account is disabled`);
    });
  });

  describe('weighted split', () => {
    it('is sticky per customer e-mail (else reference) and follows the published bucket function', async () => {
      const [a, b] = await accounts(...['a', 'b']);
      const s = await shop();
      const targets = [
        { providerAccountId: a, weight: 50 },
        { providerAccountId: b, weight: 50 },
      ];
      const rule = await s.rule({ name: 'A/B', targets });
      const seen = new Set<string>();
      for (let i = 0; i < 24; i++) {
        const email = `buyer-${i}@example.com`;
        const expected = chooseTarget(rule.id, targets, stickyKeyOf(email, 'ignored').key).target
          .providerAccountId;
        const first = (await s.pay({ customer: { email } })).body;
        const again = (await s.pay({ customer: { email: email.toUpperCase() } })).body;
        expect([first.provider.accountId, again.provider.accountId]).toEqual([expected, expected]);
        expect(first.routing.reason).toMatch(
          new RegExp(
            `weighted split ${a} 50 / ${b} 50: the customer\\.email falls in bucket \\d+ of 100, which belongs to ${expected}`,
          ),
        );
        seen.add(expected);
      }
      // 24 customers at 50/50 all on one side: probability 2^-23.
      expect(seen).toEqual(new Set([a, b]));

      const reference = `order-${randomBytes(4).toString('hex')}`;
      const byReference = chooseTarget(rule.id, targets, stickyKeyOf(null, reference).key).target
        .providerAccountId;
      const r1 = (await s.pay({ reference })).body;
      const r2 = (await s.pay({ reference })).body;
      expect([r1.provider.accountId, r2.provider.accountId]).toEqual([byReference, byReference]);
      expect(r1.routing.reason).toContain('the reference falls in bucket');
    });
  });

  describe('fallback', () => {
    it('falls back when the first account answers 503 (failureMode unavailable), recording every attempt', async () => {
      const [down, spare] = [
        await account('down', { settings: { failureMode: 'unavailable' } }),
        await account('spare'),
      ];
      const s = await shop();
      const rule = await s.rule({
        name: 'primary with spare',
        targets: [{ providerAccountId: down, weight: 1 }],
        fallback: [spare],
      });
      const res = await s.pay();
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'pending', provider: { accountId: spare } });
      expect(res.body.routing.attempts).toEqual([
        {
          providerAccountId: down,
          outcome: 'failed',
          error: expect.stringMatching(/^provider_unavailable: /),
        },
        { providerAccountId: spare, outcome: 'succeeded' },
      ]);
      expect(res.body.routing.reason).toBe(
        `rule "primary with spare" (${rule.id}, priority ${rule.priority}) matched: it has no conditions; its only target is ${down}; ${down} failed (provider_unavailable), so fallback #1 ${spare} took the payment`,
      );
      const q = server.dataSource.driver.escape.bind(server.dataSource.driver);
      const rows = await server.dataSource.query(
        `SELECT ${q('providerAccountId')} AS account, ${q('outcome')} AS outcome, ${q('errorCode')} AS code FROM payment_attempts WHERE ${q('paymentId')} = '${res.body.id}' ORDER BY ${q('createdAt')}`,
      );
      expect(rows).toEqual([
        { account: down, outcome: 'failed', code: 'provider_unavailable' },
        { account: spare, outcome: 'succeeded', code: null },
      ]);
    });

    it('falls back when the PSP behind the first account answers HTTP 503', async () => {
      const upstream = await fakeUpstream(503);
      upstreams.push(upstream);
      const [down, spare] = [
        await account('503', { baseUrl: upstream.url }),
        await account('spare'),
      ];
      const s = await shop();
      await s.rule({ targets: [{ providerAccountId: down, weight: 1 }], fallback: [spare] });
      const res = (await s.pay()).body;
      expect(upstream.hits()).toBe(1);
      expect(res.provider.accountId).toBe(spare);
      expect(res.routing.attempts[0]).toEqual({
        providerAccountId: down,
        outcome: 'failed',
        error: 'provider_unavailable: test provider upstream answered HTTP 503',
      });
    });

    it.each([
      [429, 'rate_limited'],
      [502, 'provider_unavailable'],
    ])('falls back when the PSP answers HTTP %s (%s)', async (status, code) => {
      const upstream = await fakeUpstream(status);
      upstreams.push(upstream);
      const [failing, spare] = [
        await account(`http-${status}`, { baseUrl: upstream.url }),
        await account('spare'),
      ];
      const s = await shop();
      await s.rule({ targets: [{ providerAccountId: failing, weight: 1 }], fallback: [spare] });
      const res = (await s.pay()).body;
      expect(res.provider.accountId).toBe(spare);
      expect(res.routing.attempts[0]).toMatchObject({
        providerAccountId: failing,
        outcome: 'failed',
        error: expect.stringMatching(new RegExp(`^${code}: `)),
      });
    });

    it.each([
      [400, 'invalid_request'],
      [401, 'invalid_credentials'],
    ])(
      'does not fall back when the PSP refuses the request with HTTP %s (%s): final',
      async (status, code) => {
        const upstream = await fakeUpstream(status);
        upstreams.push(upstream);
        const [refusing, spare] = [
          await account(`http-${status}`, { baseUrl: upstream.url }),
          await account('spare'),
        ];
        const s = await shop();
        await s.rule({ targets: [{ providerAccountId: refusing, weight: 1 }], fallback: [spare] });
        const res = (await s.pay()).body;
        expect(res).toMatchObject({ status: 'failed', failure: { code }, provider: null });
        expect(res.routing.attempts).toEqual([
          {
            providerAccountId: refusing,
            outcome: 'failed',
            error: expect.stringMatching(new RegExp(`^${code}: `)),
          },
        ]);
      },
    );

    it('falls back when the PSP cannot be reached at all (connection refused)', async () => {
      const closed = await fakeUpstream(200);
      const url = closed.url;
      await closed.close();
      const [unreachable, spare] = [
        await account('unreachable', { baseUrl: url }),
        await account('spare'),
      ];
      const s = await shop();
      await s.rule({ targets: [{ providerAccountId: unreachable, weight: 1 }], fallback: [spare] });
      const res = (await s.pay()).body;
      expect(res.provider.accountId).toBe(spare);
      expect(res.routing.attempts[0]).toMatchObject({
        providerAccountId: unreachable,
        outcome: 'failed',
        error: expect.stringMatching(/^connection_failed: /),
      });
    });

    it('skips for the fallback an account whose provider cannot do the method asked (manual capture of iDEAL at Mollie), calling no PSP', async () => {
      const closed = await fakeUpstream(200);
      await closed.close();
      // Mollie captures only cards and Klarna separately; its (closed) base URL proves no call is made.
      const mollie = await account('mollie without ideal capture', {
        provider: 'mollie',
        credentials: { apiKey: 'test_abcdefghijklmnopqrstuvwxyz' },
        baseUrl: closed.url,
      });
      const spare = await account('spare');
      const s = await shop();
      await s.rule({ targets: [{ providerAccountId: mollie, weight: 1 }], fallback: [spare] });
      const res = await s.pay({ captureMode: 'manual', method: 'ideal' });
      expect(res.status).toBe(201);
      expect(res.body.provider.accountId).toBe(spare);
      expect(res.body.routing.attempts).toEqual([
        {
          providerAccountId: mollie,
          outcome: 'skipped',
          error: 'mollie does not support manual capture of ideal payments',
        },
        { providerAccountId: spare, outcome: 'succeeded' },
      ]);
      // The same account still takes a card payment with manual capture as its first choice.
      const card = await s.pay({ captureMode: 'manual', method: 'card' });
      expect(card.body.routing.attempts[0]).toMatchObject({
        providerAccountId: mollie,
        outcome: 'failed',
        error: expect.stringMatching(/^connection_failed: /),
      });
    });

    it('falls back when the PSP behind the first account does not answer in time', async () => {
      const upstream = await fakeUpstream('hang');
      upstreams.push(upstream);
      const [slow, spare] = [
        await account('slow', { baseUrl: upstream.url }),
        await account('spare'),
      ];
      const s = await shop();
      await s.rule({ targets: [{ providerAccountId: slow, weight: 1 }], fallback: [spare] });
      const res = (await s.pay()).body;
      expect(upstream.hits()).toBe(1);
      expect(res.status).toBe('pending');
      expect(res.provider.accountId).toBe(spare);
      expect(res.routing.attempts[0]).toEqual({
        providerAccountId: slow,
        outcome: 'failed',
        error: expect.stringMatching(/^timeout: /),
      });
      expect(res.routing.reason).toContain(
        `${slow} failed (timeout), so fallback #1 ${spare} took the payment`,
      );
    });

    it('stops trying once the overall time budget is spent', async () => {
      const upstream = await fakeUpstream('hang');
      upstreams.push(upstream);
      // Each hanging account costs the full provider timeout (1 s) of the 2.5 s budget.
      const slow = [
        await account('s1', { baseUrl: upstream.url }),
        await account('s2', { baseUrl: upstream.url }),
        await account('s3', { baseUrl: upstream.url }),
      ];
      const spare = await account('spare');
      const s = await shop();
      await s.rule({
        targets: [{ providerAccountId: slow[0], weight: 1 }],
        fallback: [slow[1], slow[2], spare],
      });
      const res = (await s.pay()).body;
      expect(res.status).toBe('failed');
      const attempts = res.routing.attempts as {
        providerAccountId: string;
        outcome: string;
        error: string;
      }[];
      expect(attempts.map((a) => a.providerAccountId)).toEqual([...slow, spare]);
      // Two full timeouts fit into the budget; the third account gets what is left (or nothing,
      // on a very slow machine); the spare account, fine as it is, is never reached.
      const tried = attempts.filter((a) => a.outcome === 'failed');
      expect(tried.length).toBeGreaterThanOrEqual(2);
      expect(tried.every((a) => a.error.startsWith('timeout: '))).toBe(true);
      const notTried = attempts.slice(tried.length);
      expect(notTried.length).toBeGreaterThanOrEqual(1);
      expect(
        notTried.every((a) => a.outcome === 'skipped' && a.error.includes('time budget')),
      ).toBe(true);
      expect(upstream.hits()).toBe(tried.length);
    });

    it('does not fall back on a decline: it is final', async () => {
      const [declining, spare] = [
        await account('declining', { settings: { failureMode: 'decline' } }),
        await account('spare'),
      ];
      const s = await shop(spare);
      await s.rule({ targets: [{ providerAccountId: declining, weight: 1 }], fallback: [spare] });
      const res = await s.pay();
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        status: 'failed',
        failure: { code: 'declined' },
        provider: null,
      });
      expect(res.body.routing.attempts).toEqual([
        {
          providerAccountId: declining,
          outcome: 'declined',
          error: expect.stringMatching(/^declined: /),
        },
      ]);
      expect(res.body.routing.reason).toContain('a decline is final and is not retried elsewhere');
    });
  });

  describe('circuit breaker', () => {
    it('takes a failing account out of rotation after repeated failures, probes it after the cooldown, and closes on success', async () => {
      const [flaky, spare] = [
        await account('flaky', { settings: { failureMode: 'unavailable' } }),
        await account('spare'),
      ];
      const s = await shop();
      await s.rule({ targets: [{ providerAccountId: flaky, weight: 1 }], fallback: [spare] });
      const health = async () =>
        (await adminCall('GET', `/api/v1/admin/provider-accounts/${flaky}/health`)).body;
      expect(await health()).toMatchObject({
        providerAccountId: flaky,
        state: 'closed',
        consecutiveFailures: 0,
        scope: 'shared',
      });

      for (let i = 0; i < CIRCUIT_THRESHOLD; i++) {
        const res = (await s.pay()).body;
        expect(res.routing.attempts[0]).toMatchObject({
          providerAccountId: flaky,
          outcome: 'failed',
        });
      }
      expect(await health()).toMatchObject({
        state: 'open',
        consecutiveFailures: CIRCUIT_THRESHOLD,
        lastFailure: expect.stringMatching(/^provider_unavailable/),
      });

      // Open: not even tried.
      const skipped = (await s.pay()).body;
      expect(skipped.provider.accountId).toBe(spare);
      expect(skipped.routing.attempts[0]).toEqual({
        providerAccountId: flaky,
        outcome: 'skipped',
        error: expect.stringContaining('circuit open'),
      });

      // The PSP recovers; after the cooldown the next payment probes it and closes the circuit.
      await adminCall('PATCH', `/api/v1/admin/provider-accounts/${flaky}`, {
        settings: { failureMode: 'none' },
      });
      await eventually(async () => (await health()).state === 'half_open');
      const probe = (await s.pay()).body;
      expect(probe.provider.accountId).toBe(flaky);
      expect(probe.routing.attempts).toEqual([{ providerAccountId: flaky, outcome: 'succeeded' }]);
      expect(await health()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    });

    it('answers 404 for the health of an unknown account', async () => {
      expect(
        (await adminCall('GET', '/api/v1/admin/provider-accounts/pa_nope/health')).status,
      ).toBe(404);
    });
  });

  describe('several server instances on one database', () => {
    it('a rule change made on one instance applies to the next payment on the other', async () => {
      const second = await startTestServer({
        dialect,
        database: {
          env: Object.fromEntries(
            Object.entries(server.env).filter(
              ([k]) => k.startsWith('PAYMENTSERVER_DB') || k === 'PAYMENTSERVER_EDITION',
            ),
          ),
          drop: async () => undefined,
        },
        env: { PAYMENTSERVER_ENCRYPTION_KEY: server.env.PAYMENTSERVER_ENCRYPTION_KEY },
      });
      try {
        const [a, b, c] = await accounts(...['a', 'b', 'c']);
        const s = await shop();
        const rule = await s.rule({
          name: 'moving',
          priority: 50,
          targets: [{ providerAccountId: a, weight: 1 }],
        });
        // The second instance has cached the rules once it routed a payment.
        expect((await s.pay({}, second)).body.provider.accountId).toBe(a);

        await adminCall('PATCH', `/api/v1/admin/routing-rules/${rule.id}`, {
          targets: [{ providerAccountId: b, weight: 1 }],
        });
        expect((await s.pay({}, second)).body.provider.accountId).toBe(b);
        expect((await s.pay({}, server)).body.provider.accountId).toBe(b);

        // And the other way round: a rule created through the second instance.
        await s.rule(
          { name: 'earlier', priority: 10, targets: [{ providerAccountId: c, weight: 1 }] },
          second,
        );
        expect((await s.pay({}, server)).body.provider.accountId).toBe(c);
      } finally {
        await second.stop();
      }
    });
  });
});
