import { createTestDatabase, TestDatabase } from '../support/databases';
import { enabledDialects } from '../support/services';
import {
  paymentBody,
  startPeer,
  startTestServer,
  submitCheckout,
  TestServer,
} from '../support/test-server';

const ACCOUNTS = '/api/v1/admin/provider-accounts';
const INTEGRATIONS = '/api/v1/admin/integrations';
const RULES = '/api/v1/admin/routing-rules';

/**
 * Provider accounts belong to integrations (`integrationIds`): what one shop may not use, it can
 * neither force nor be routed to, and no rule or default can point it there.
 */
describe.each(enabledDialects())('provider accounts belong to integrations (%s)', (dialect) => {
  let server: TestServer;
  let admin: string;
  let shopA: { id: string; key: string };
  let shopB: { id: string; key: string };
  let nextPriority = 100;

  const call = (method: string, path: string, body?: unknown) =>
    server.request(method, path, { token: admin, body });
  const fields = (body: any) => (body.errors ?? []).map((e: any) => e.field);
  const newAccount = async (name: string, extra: Record<string, unknown> = {}) => {
    const created = await call('POST', ACCOUNTS, {
      provider: 'test',
      name,
      credentials: {},
      ...extra,
    });
    expect(created.status).toBe(201);
    return created.body as { id: string; integrationIds: string[] | null };
  };
  const newShop = async (name: string) => {
    const integration = await call('POST', INTEGRATIONS, { name });
    expect(integration.status).toBe(201);
    const key = await call('POST', `${INTEGRATIONS}/${integration.body.id}/api-keys`);
    return { id: integration.body.id as string, key: key.body.key as string };
  };
  const pay = (shop: { key: string }, overrides: Record<string, unknown> = {}) =>
    server.request('POST', '/api/v1/payments', { apiKey: shop.key, body: paymentBody(overrides) });

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    admin = await server.adminToken();
    shopA = await newShop('shop A');
    shopB = await newShop('shop B');
  });

  afterAll(async () => {
    await server?.close();
  });

  it('shows integrationIds on provider accounts: null (every integration) unless set', async () => {
    const shared = await newAccount('shared');
    expect(shared.integrationIds).toBeNull();
    const own = await newAccount('A only', { integrationIds: [shopA.id, shopA.id] });
    expect(own.integrationIds).toEqual([shopA.id]);
    expect((await call('GET', `${ACCOUNTS}/${own.id}`)).body.integrationIds).toEqual([shopA.id]);
    const widened = await call('PATCH', `${ACCOUNTS}/${own.id}`, { integrationIds: null });
    expect(widened.body.integrationIds).toBeNull();
    const listed = await call('GET', `${ACCOUNTS}?limit=100`);
    expect(listed.body.data.find((a: any) => a.id === 'test').integrationIds).toBeNull();
  });

  it('refuses integrationIds naming no integration, naming the entry', async () => {
    const response = await call('POST', ACCOUNTS, {
      provider: 'test',
      name: 'x',
      credentials: {},
      integrationIds: [shopA.id, 'int_nope'],
    });
    expect(response.status).toBe(400);
    expect(fields(response.body)).toEqual(['integrationIds[1]']);
    expect(
      (
        await call('POST', ACCOUNTS, {
          provider: 'test',
          name: 'x',
          credentials: {},
          integrationIds: 'int_x',
        })
      ).status,
    ).toBe(400);
  });

  it("answers 422 provider_account_not_allowed when integration B forces A's account, and takes it from A", async () => {
    const own = await newAccount("A's merchant account", { integrationIds: [shopA.id] });
    const refused = await pay(shopB, { providerAccountId: own.id });
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.code).toBe('provider_account_not_allowed');
    // Nothing was created for B.
    expect(
      (await server.request('GET', '/api/v1/payments', { apiKey: shopB.key })).body.data,
    ).toHaveLength(0);
    // Not allowed comes first: B learns nothing about what the account supports.
    expect((await pay(shopB, { providerAccountId: own.id, captureMode: 'manual' })).body.code).toBe(
      'provider_account_not_allowed',
    );

    const taken = await pay(shopA, { providerAccountId: own.id });
    expect(taken.status).toBe(201);
    expect(taken.body.provider.accountId).toBe(own.id);
    // An unknown account stays a 400 naming the field.
    const unknown = await pay(shopB, { providerAccountId: 'pa_nope' });
    expect([unknown.status, fields(unknown.body)]).toEqual([400, ['providerAccountId']]);
  });

  it('refuses a routing rule whose targets or fallback name an account its integration may not use', async () => {
    const own = await newAccount('A rule target', { integrationIds: [shopA.id] });
    const shared = await newAccount('shared target');
    const target = await call('POST', RULES, {
      name: 'B to A',
      priority: nextPriority++,
      integrationId: shopB.id,
      targets: [
        { providerAccountId: shared.id, weight: 1 },
        { providerAccountId: own.id, weight: 1 },
      ],
    });
    expect(target.status).toBe(400);
    expect(fields(target.body)).toEqual(['targets[1].providerAccountId']);
    const fallback = await call('POST', RULES, {
      name: 'B falls to A',
      priority: nextPriority++,
      integrationId: shopB.id,
      targets: [{ providerAccountId: shared.id, weight: 1 }],
      fallback: [own.id],
    });
    expect(fallback.status).toBe(400);
    expect(fields(fallback.body)).toEqual(['fallback[0]']);
    // A rule for every integration may name only shared accounts.
    const everyone = await call('POST', RULES, {
      name: 'all to A',
      priority: nextPriority++,
      targets: [{ providerAccountId: own.id, weight: 1 }],
    });
    expect(everyone.status).toBe(400);
    expect(fields(everyone.body)).toEqual(['targets[0].providerAccountId']);

    const forA = await call('POST', RULES, {
      name: 'A to A',
      priority: nextPriority++,
      integrationId: shopA.id,
      conditions: { currencies: ['SEK'] },
      targets: [{ providerAccountId: own.id, weight: 1 }],
    });
    expect(forA.status).toBe(201);
    // Moving A's rule to B (or to everyone) is refused as well.
    const moved = await call('PATCH', `${RULES}/${forA.body.id}`, { integrationId: shopB.id });
    expect([moved.status, fields(moved.body)]).toEqual([400, ['targets[0].providerAccountId']]);
    expect((await call('PATCH', `${RULES}/${forA.body.id}`, { integrationId: null })).status).toBe(
      400,
    );

    const routed = await pay(shopA, { amount: { value: 500, currency: 'SEK' } });
    expect(routed.body.provider.accountId).toBe(own.id);
    expect(routed.body.routing.ruleId).toBe(forA.body.id);
    expect((await call('DELETE', `${RULES}/${forA.body.id}`)).status).toBe(204);
  });

  it('refuses an integration default the integration may not use', async () => {
    const own = await newAccount('A default', { integrationIds: [shopA.id] });
    const patched = await call('PATCH', `${INTEGRATIONS}/${shopB.id}`, {
      defaultProviderAccountId: own.id,
    });
    expect([patched.status, fields(patched.body)]).toEqual([400, ['defaultProviderAccountId']]);
    const created = await call('POST', INTEGRATIONS, {
      name: 'shop C',
      defaultProviderAccountId: own.id,
    });
    expect([created.status, fields(created.body)]).toEqual([400, ['defaultProviderAccountId']]);
    expect(
      (await call('PATCH', `${INTEGRATIONS}/${shopA.id}`, { defaultProviderAccountId: own.id }))
        .status,
    ).toBe(200);
    expect(
      (await call('PATCH', `${INTEGRATIONS}/${shopA.id}`, { defaultProviderAccountId: 'test' }))
        .status,
    ).toBe(200);
  });

  it('refuses to take an account from an integration whose rule or default still uses it (409, naming them)', async () => {
    const account = await newAccount('in use by B');
    const rule = await call('POST', RULES, {
      name: 'B uses it',
      priority: nextPriority++,
      integrationId: shopB.id,
      conditions: { currencies: ['NOK'] },
      targets: [{ providerAccountId: account.id, weight: 1 }],
    });
    expect(rule.status).toBe(201);
    expect(
      (await call('PATCH', `${INTEGRATIONS}/${shopB.id}`, { defaultProviderAccountId: account.id }))
        .status,
    ).toBe(200);

    const narrowed = await call('PATCH', `${ACCOUNTS}/${account.id}`, {
      integrationIds: [shopA.id],
    });
    expect(narrowed.status).toBe(409);
    expect(narrowed.body.code).toBe('provider_account_in_use');
    expect(narrowed.body.detail).toContain(rule.body.id);
    expect(narrowed.body.detail).toContain(`integration ${shopB.id}`);
    expect((await call('GET', `${ACCOUNTS}/${account.id}`)).body.integrationIds).toBeNull();
    // Keeping B on the list is fine.
    expect(
      (await call('PATCH', `${ACCOUNTS}/${account.id}`, { integrationIds: [shopA.id, shopB.id] }))
        .status,
    ).toBe(200);

    expect((await call('DELETE', `${RULES}/${rule.body.id}`)).status).toBe(204);
    expect(
      (await call('PATCH', `${INTEGRATIONS}/${shopB.id}`, { defaultProviderAccountId: 'test' }))
        .status,
    ).toBe(200);
    const freed = await call('PATCH', `${ACCOUNTS}/${account.id}`, { integrationIds: [shopA.id] });
    expect([freed.status, freed.body.integrationIds]).toEqual([200, [shopA.id]]);
  });

  it('keeps refunds, captures and cancels working on an existing payment after its account was taken from the integration', async () => {
    const account = await newAccount('was shared');
    const paid = await pay(shopB, {
      providerAccountId: account.id,
      amount: { value: 1000, currency: 'EUR' },
    });
    expect((await submitCheckout(paid.body.checkoutUrl, { outcome: 'paid' })).status).toBe(303);
    const authorized = await pay(shopB, { providerAccountId: account.id, captureMode: 'manual' });
    expect(
      (await submitCheckout(authorized.body.checkoutUrl, { outcome: 'authorized' })).status,
    ).toBe(303);
    const open = await pay(shopB, { providerAccountId: account.id });
    expect(
      (await call('PATCH', `${ACCOUNTS}/${account.id}`, { integrationIds: [shopA.id] })).status,
    ).toBe(200);

    const refund = await server.request('POST', `/api/v1/payments/${paid.body.id}/refunds`, {
      apiKey: shopB.key,
      body: { amount: { value: 300, currency: 'EUR' } },
    });
    expect([refund.status, refund.body.status]).toEqual([201, 'succeeded']);
    const captured = await server.request(
      'POST',
      `/api/v1/payments/${authorized.body.id}/capture`,
      { apiKey: shopB.key, body: {} },
    );
    expect([captured.status, captured.body.status]).toEqual([200, 'paid']);
    const canceled = await server.request('POST', `/api/v1/payments/${open.body.id}/cancel`, {
      apiKey: shopB.key,
    });
    expect([canceled.status, canceled.body.status]).toEqual([200, 'canceled']);
    // A new payment of B on it is refused; A, now its owner, can never touch B's payments.
    expect((await pay(shopB, { providerAccountId: account.id })).body.code).toBe(
      'provider_account_not_allowed',
    );
    const byA = await server.request('POST', `/api/v1/payments/${paid.body.id}/refunds`, {
      apiKey: shopA.key,
      body: { amount: { value: 100, currency: 'EUR' } },
    });
    expect(byA.status).toBe(404);
  });

  it('skips an account the integration may not use (changed outside the API), recording why, and fails with provider_account_not_allowed when nothing is left', async () => {
    const allowedAccount = await newAccount('B may use');
    const forbidden = await newAccount('taken behind the API');
    const rule = await call('POST', RULES, {
      name: 'B, with a fallback',
      priority: nextPriority++,
      integrationId: shopB.id,
      conditions: { currencies: ['DKK'] },
      targets: [{ providerAccountId: forbidden.id, weight: 1 }],
      fallback: [allowedAccount.id],
    });
    expect(rule.status).toBe(201);
    // As if written by an older version, or by hand in the database.
    await server.dataSource
      .getRepository('ProviderAccount')
      .update({ id: forbidden.id }, { integrationIds: [shopA.id] });

    const routed = await pay(shopB, { amount: { value: 700, currency: 'DKK' } });
    expect(routed.status).toBe(201);
    expect(routed.body.provider.accountId).toBe(allowedAccount.id);
    expect(routed.body.routing.attempts).toEqual([
      {
        providerAccountId: forbidden.id,
        outcome: 'skipped',
        error: expect.stringMatching(/^provider_account_not_allowed: /),
      },
      { providerAccountId: allowedAccount.id, outcome: 'succeeded' },
    ]);

    await server.dataSource
      .getRepository('ProviderAccount')
      .update({ id: allowedAccount.id }, { integrationIds: [shopA.id] });
    expect(
      (await call('PATCH', `${INTEGRATIONS}/${shopB.id}`, { defaultProviderAccountId: null }))
        .status,
    ).toBe(200);
    const none = await pay(shopB, { amount: { value: 700, currency: 'DKK' } });
    expect(none.status).toBe(422);
    expect(none.body.code).toBe('provider_account_not_allowed');
    expect((await call('DELETE', `${RULES}/${rule.body.id}`)).status).toBe(204);
  });

  it('forgets a deleted integration in the accounts reserved for it', async () => {
    const shopD = await newShop('shop D');
    const account = await newAccount('A and D', { integrationIds: [shopA.id, shopD.id] });
    expect((await call('DELETE', `${INTEGRATIONS}/${shopD.id}`)).status).toBe(204);
    expect((await call('GET', `${ACCOUNTS}/${account.id}`)).body.integrationIds).toEqual([
      shopA.id,
    ]);
  });
});

const serverDialects = enabledDialects().filter((d) => d !== 'sqlite');
const describeCluster =
  serverDialects.length > 0 ? describe.each(serverDialects) : describe.skip.each([['none']]);

describeCluster('provider account changes on two instances sharing one %s database', (dialect) => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase(dialect as 'mysql' | 'postgres');
    a = await startTestServer({ database });
    b = await startPeer(a, database);
  });

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await database?.drop();
  });

  it('takes an account from an integration on one instance; the next payment on the other cannot use it', async () => {
    const token = await a.adminToken();
    const shop = await a.request('POST', INTEGRATIONS, { token, body: { name: 'other shop' } });
    const account = await a.request('POST', ACCOUNTS, {
      token,
      body: { provider: 'test', name: 'moving', credentials: {} },
    });
    const rule = await a.request('POST', RULES, {
      token,
      body: {
        name: 'EUR via moving',
        priority: 5,
        conditions: { currencies: ['CHF'] },
        targets: [{ providerAccountId: account.body.id, weight: 1 }],
      },
    });
    expect(rule.status).toBe(201);
    // Instance b routes (and caches the rules) first.
    const before = await b.request('POST', '/api/v1/payments', {
      body: paymentBody({ amount: { value: 100, currency: 'CHF' } }),
    });
    expect(before.body.provider.accountId).toBe(account.body.id);

    // On instance a: the rule goes, then the account is reserved for the other shop.
    expect((await a.request('DELETE', `${RULES}/${rule.body.id}`, { token })).status).toBe(204);
    expect(
      (
        await a.request('PATCH', `${ACCOUNTS}/${account.body.id}`, {
          token,
          body: { integrationIds: [shop.body.id] },
        })
      ).status,
    ).toBe(200);

    const forced = await b.request('POST', '/api/v1/payments', {
      body: paymentBody({ providerAccountId: account.body.id }),
    });
    expect(forced.body.code).toBe('provider_account_not_allowed');
    const routed = await b.request('POST', '/api/v1/payments', {
      body: paymentBody({ amount: { value: 100, currency: 'CHF' } }),
    });
    expect(routed.status).toBe(201);
    expect(routed.body.provider.accountId).toBe('test');
  });
});
