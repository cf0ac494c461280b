import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { enabledDialects } from '../support/services';
import { startTestServer, TestServer } from '../support/test-server';
import { PAYMENT_METHODS } from '../../src/domain/payment-status';
import { MOLLIE_METHODS } from '../../src/providers/mollie/mollie.mapper';

const METHODS = '/api/v1/payment-methods';
/** Mollie's methods in our order (the listing follows PAYMENT_METHODS). */
const MOLLIE = PAYMENT_METHODS.filter((m) => m in MOLLIE_METHODS);

describe.each(enabledDialects())('payment-method listing (%s)', (dialect) => {
  let server: TestServer;
  let admin: string;
  let upstream: http.Server;
  let upstreamHits = 0;

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

  /** Routable Mollie account whose API is a counting stand-in: the listing must never call it. */
  const mollie = (name: string) =>
    account(name, {
      provider: 'mollie',
      credentials: { apiKey: `test_${randomBytes(12).toString('hex')}` },
      baseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
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
    return {
      id: integration.id as string,
      methods: (query: string) => server.request('GET', `${METHODS}?${query}`, { apiKey: key }),
      rule: async (body: Record<string, unknown>) => {
        const res = await adminCall('POST', '/api/v1/admin/routing-rules', {
          name: 'rule',
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

  const each = (methods: readonly string[], providers: string[]) =>
    methods.map((method) => ({ method, providers }));

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      upstreamHits++;
      req.resume();
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    server = await startTestServer({ dialect });
    admin = await server.adminToken();
  });

  afterAll(async () => {
    await server?.close();
    upstream?.closeAllConnections();
    await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
  });

  it('lists every method of the default account on a fresh install', async () => {
    const res = await server.request('GET', `${METHODS}?amount=1050&currency=EUR`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: each(PAYMENT_METHODS, ['test']) });
  });

  it('answers from the rule that would match, its targets and fallback, per method and currency', async () => {
    const idealAccount = await account('ideal-nl');
    const off = await account('off', { enabled: false });
    const m = await mollie('mollie');
    const s = await shop();
    await s.rule({
      name: 'iDEAL in NL',
      priority: 10,
      conditions: { currencies: ['EUR'], countries: ['NL'], methods: ['ideal'] },
      targets: [{ providerAccountId: idealAccount, weight: 1 }],
    });
    await s.rule({
      name: 'EUR',
      priority: 20,
      conditions: { currencies: ['EUR'], amountMax: 100000 },
      targets: [
        { providerAccountId: m, weight: 1 },
        { providerAccountId: off, weight: 1 },
      ],
    });
    await s.rule({
      name: 'metadata only',
      priority: 30,
      conditions: { metadata: { channel: 'app' } },
      targets: [{ providerAccountId: idealAccount, weight: 1 }],
    });

    const nl = await s.methods('amount=1050&currency=EUR&country=NL');
    expect(nl.status).toBe(200);
    expect(nl.body.data).toEqual(
      MOLLIE.map((method) => ({ method, providers: [method === 'ideal' ? 'test' : 'mollie'] })),
    );
    // Outside NL the iDEAL rule does not match: iDEAL goes through the EUR rule to Mollie.
    const de = await s.methods('amount=1050&currency=EUR&country=DE');
    expect(de.body.data).toEqual(each(MOLLIE, ['mollie']));
    // Above amountMax and in a currency no rule names: no rule, no default account, nothing.
    expect((await s.methods('amount=200000&currency=EUR')).body).toEqual({ data: [] });
    expect((await s.methods('amount=1050&currency=HUF')).body).toEqual({ data: [] });
    // A currency Mollie does not take, with a rule that matches it: nothing either.
    await s.rule({
      name: 'HUF',
      priority: 40,
      conditions: { currencies: ['HUF'] },
      targets: [{ providerAccountId: m, weight: 1 }],
    });
    expect((await s.methods('amount=1050&currency=HUF')).body).toEqual({ data: [] });
    expect(upstreamHits).toBe(0);
  });

  it('changes at once with routing, account and default-account writes (cache invalidation)', async () => {
    const m = await mollie('mollie-b');
    const other = await account('other', { enabled: false });
    const s = await shop();
    const rule = await s.rule({
      priority: 10,
      targets: [
        { providerAccountId: m, weight: 3 },
        { providerAccountId: other, weight: 1 },
      ],
    });
    const query = 'amount=500&currency=EUR';
    expect((await s.methods(query)).body.data).toEqual(each(MOLLIE, ['mollie']));
    expect((await s.methods(query)).body.data).toEqual(each(MOLLIE, ['mollie']));

    // An account write: the split's second target is enabled, so every customer may reach it.
    await adminCall('PATCH', `/api/v1/admin/provider-accounts/${other}`, { enabled: true });
    expect((await s.methods(query)).body.data).toEqual(
      PAYMENT_METHODS.map((method) => ({
        method,
        providers: method in MOLLIE_METHODS ? ['mollie', 'test'] : ['test'],
      })),
    );

    // A rule write: the rule is switched off, and there is no default account.
    await adminCall('PATCH', `/api/v1/admin/routing-rules/${rule.id}`, { enabled: false });
    expect((await s.methods(query)).body).toEqual({ data: [] });

    // An integration write: a default account takes everything no rule matches.
    const fallback = await account('default');
    const patched = await adminCall('PATCH', `/api/v1/admin/integrations/${s.id}`, {
      defaultProviderAccountId: fallback,
    });
    expect(patched.status).toBe(200);
    expect((await s.methods(query)).body.data).toEqual(each(PAYMENT_METHODS, ['test']));

    // Disabling the default account takes it away again.
    await adminCall('PATCH', `/api/v1/admin/provider-accounts/${fallback}`, { enabled: false });
    expect((await s.methods(query)).body).toEqual({ data: [] });
  });

  it("sees only its own integration's rules", async () => {
    const m = await mollie('mollie-c');
    const a = await shop();
    const b = await shop();
    await a.rule({ priority: 10, targets: [{ providerAccountId: m, weight: 1 }] });
    expect((await a.methods('amount=100&currency=EUR')).body.data).toEqual(
      each(MOLLIE, ['mollie']),
    );
    expect((await b.methods('amount=100&currency=EUR')).body).toEqual({ data: [] });
  });

  it.each([
    ['currency=EUR', 'amount'],
    ['amount=abc&currency=EUR', 'amount'],
    ['amount=10.5&currency=EUR', 'amount'],
    ['amount=0&currency=EUR', 'amount'],
    ['amount=-5&currency=EUR', 'amount'],
    ['amount=100', 'currency'],
    ['amount=100&currency=XXY', 'currency'],
    ['amount=100&currency=eur', 'currency'],
    ['amount=100&currency=EUR&country=Netherlands', 'country'],
    ['amount=100&currency=EUR&country=nl', 'country'],
    ['amount=100&currency=EUR&colour=red', 'colour'],
  ])('answers 400 naming the field for %s', async (query, field) => {
    const res = await server.request('GET', `${METHODS}?${query}`);
    expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({
      status: 400,
      type: expect.stringContaining('application/problem+json'),
    });
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('needs an API key', async () => {
    const res = await server.request('GET', `${METHODS}?amount=100&currency=EUR`, { apiKey: null });
    expect(res.status).toBe(401);
  });

  it('is documented in Swagger with its query and answer', async () => {
    const doc = (await server.request('GET', '/swagger/json')).body;
    const op = doc.paths[METHODS]?.get;
    expect(op).toBeDefined();
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'amount',
      'country',
      'currency',
    ]);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401']));
  });
});
