import { enabledDialects } from '../support/services';
import {
  eventually,
  paymentBody,
  startTestServer,
  submitCheckout,
  TestServer,
} from '../support/test-server';

/**
 * The admin payment list's search filters (customer email, amount range, currency, method,
 * provider payment id) and the totals for a filter, on every database.
 */
describe.each(enabledDialects())('admin API: payment search and totals (%s)', (dialect) => {
  let server: TestServer;
  let admin: string;
  let other: string;
  const ids: Record<string, string> = {};
  const list = async (query: string) =>
    server.request('GET', `/api/v1/admin/payments?${query}`, { token: admin });
  const totals = async (query: string) =>
    server.request('GET', `/api/v1/admin/payments/totals?${query}`, { token: admin });
  const idsOf = (res: { body: any }) => (res.body.data as { id: string }[]).map((p) => p.id).sort();

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    admin = await server.adminToken();
    other = (
      await server.request('POST', '/api/v1/admin/integrations', {
        token: admin,
        body: { name: 'second shop', defaultProviderAccountId: 'test' },
      })
    ).body.id;
    const otherKey = (
      await server.request('POST', `/api/v1/admin/integrations/${other}/api-keys`, { token: admin })
    ).body.key;
    const create = async (
      name: string,
      overrides: Record<string, unknown>,
      outcome?: string,
      apiKey?: string,
    ) => {
      const res = await server.request('POST', '/api/v1/payments', {
        body: paymentBody(overrides),
        apiKey,
      });
      expect(res.status).toBe(201);
      ids[name] = res.body.id;
      if (outcome) await submitCheckout(res.body.checkoutUrl, { outcome });
      return res.body;
    };
    await create(
      'jane',
      {
        amount: { value: 1050, currency: 'EUR' },
        method: 'ideal',
        customer: { email: 'Jane.Doe@Example.com' },
      },
      'paid',
    );
    await create(
      'janeAgain',
      {
        amount: { value: 2500, currency: 'EUR' },
        method: 'card',
        customer: { email: 'jane.doe@example.com' },
      },
      'paid',
    );
    // An underscore is a LIKE wildcard: `a_b@` must not find `axb@`.
    await create('underscore', {
      amount: { value: 700, currency: 'EUR' },
      customer: { email: 'a_b@example.com' },
    });
    await create('x', {
      amount: { value: 700, currency: 'EUR' },
      customer: { email: 'axb@example.com' },
    });
    await create('yen', { amount: { value: 1050, currency: 'JPY' }, method: 'card' }, 'failed');
    await create(
      'otherShop',
      { amount: { value: 1200, currency: 'EUR' }, customer: { email: 'jane.doe@example.com' } },
      undefined,
      otherKey,
    );
    await eventually(
      async () =>
        (await server.request('GET', `/api/v1/payments/${ids.janeAgain}`)).body.status === 'paid',
    );
    // A partial refund, so that the totals have something refunded.
    const refund = await server.request('POST', `/api/v1/admin/payments/${ids.janeAgain}/refunds`, {
      token: admin,
      body: { amount: { value: 500, currency: 'EUR' } },
    });
    expect(refund.status).toBe(201);
    await eventually(
      async () =>
        (await server.request('GET', `/api/v1/payments/${ids.janeAgain}`)).body.amountRefunded ===
        500,
    );
  });

  afterAll(async () => {
    await server?.close();
  });

  it('finds payments by customer email ignoring case, across integrations, and treats LIKE wildcards literally', async () => {
    expect(idsOf(await list('customerEmail=JANE.DOE%40example.COM'))).toEqual(
      [ids.jane, ids.janeAgain, ids.otherShop].sort(),
    );
    expect(
      idsOf(await list(`customerEmail=jane.doe%40example.com&integrationId=${other}`)),
    ).toEqual([ids.otherShop]);
    expect(idsOf(await list('customerEmail=a_b%40example.com'))).toEqual([ids.underscore]);
    expect(idsOf(await list('customerEmail=nobody%40example.com'))).toEqual([]);
  });

  it('filters by amount range (inclusive, minor units), currency and method', async () => {
    expect(idsOf(await list('currency=EUR&amountMin=1050&amountMax=2500'))).toEqual(
      [ids.jane, ids.janeAgain, ids.otherShop].sort(),
    );
    expect(idsOf(await list('amountMin=1050&amountMax=1050'))).toEqual([ids.jane, ids.yen].sort());
    expect(idsOf(await list('currency=JPY'))).toEqual([ids.yen]);
    expect(idsOf(await list('method=card'))).toEqual([ids.janeAgain, ids.yen].sort());
    expect(idsOf(await list('method=card&status=failed'))).toEqual([ids.yen]);
  });

  it("finds a payment by the provider's own id", async () => {
    const payment = (await server.request('GET', `/api/v1/payments/${ids.jane}`)).body;
    expect(idsOf(await list(`providerPaymentId=${payment.provider.paymentId}`))).toEqual([
      ids.jane,
    ]);
  });

  it('pages through a filter with the cursor, and the shop API takes the same filters for its own payments only', async () => {
    const first = await list('currency=EUR&limit=2');
    expect(first.body.data).toHaveLength(2);
    const second = await list(
      `currency=EUR&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    const third = await list(
      `currency=EUR&limit=2&cursor=${encodeURIComponent(second.body.nextCursor)}`,
    );
    expect(third.body.nextCursor).toBeNull();
    expect([...idsOf(first), ...idsOf(second), ...idsOf(third)].sort()).toEqual(
      [ids.jane, ids.janeAgain, ids.underscore, ids.x, ids.otherShop].sort(),
    );

    const shop = await server.request(
      'GET',
      '/api/v1/payments?customerEmail=jane.doe%40example.com',
    );
    expect(idsOf(shop)).toEqual([ids.jane, ids.janeAgain].sort());
  });

  it('totals a filter per currency: counts, paid counts, amounts, captured, refunded and net', async () => {
    const all = await totals('');
    expect(all.status).toBe(200);
    expect(all.body).toEqual({
      count: 6,
      data: [
        {
          currency: 'EUR',
          count: 5,
          paidCount: 2,
          amount: { value: 1050 + 2500 + 700 + 700 + 1200, currency: 'EUR' },
          captured: { value: 3550, currency: 'EUR' },
          refunded: { value: 500, currency: 'EUR' },
          net: { value: 3050, currency: 'EUR' },
        },
        {
          currency: 'JPY',
          count: 1,
          paidCount: 0,
          amount: { value: 1050, currency: 'JPY' },
          captured: { value: 0, currency: 'JPY' },
          refunded: { value: 0, currency: 'JPY' },
          net: { value: 0, currency: 'JPY' },
        },
      ],
    });
    expect(
      (await totals(`customerEmail=jane.doe%40example.com&integrationId=${other}`)).body,
    ).toMatchObject({ count: 1, data: [{ currency: 'EUR', count: 1, paidCount: 0 }] });
    const filtered = await totals('customerEmail=jane.doe%40example.com&status=paid');
    expect(filtered.body).toMatchObject({
      count: 1,
      data: [{ currency: 'EUR', count: 1, amount: { value: 1050, currency: 'EUR' } }],
    });
    expect((await totals('currency=USD')).body).toEqual({ count: 0, data: [] });
  });

  it('takes the widest window there is, years 1 to 9999, and finds every payment in it', async () => {
    const widest = await list(
      `createdFrom=0100-01-01&createdTo=${encodeURIComponent('9999-12-31T23:59:59.999Z')}&limit=100`,
    );
    expect(widest.status).toBe(200);
    expect(idsOf(widest)).toEqual(idsOf(await list('limit=100')));
  });

  it('refuses bad filters with 400 naming the field, and paging parameters on totals', async () => {
    const backwards = await list('amountMin=500&amountMax=100');
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].field).toBe('amountMax');
    expect((await totals('amountMin=500&amountMax=100')).body.errors[0].field).toBe('amountMax');
    for (const [query, field] of [
      ['amountMin=-1', 'amountMin'],
      ['amountMax=1.5', 'amountMax'],
      ['customerEmail=not-an-email', 'customerEmail'],
      ['currency=EURO', 'currency'],
      ['method=cash', 'method'],
      ['createdFrom=2026-W05', 'createdFrom'],
      ['createdTo=20261130', 'createdTo'],
      [`createdTo=${encodeURIComponent('9999-12-31T23:00:00-05:00')}`, 'createdTo'],
    ]) {
      const res = await list(query);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe(field);
    }
    const paged = await totals('limit=5');
    expect(paged.status).toBe(400);
    expect(paged.body.errors[0].field).toBe('limit');
  });

  it('answers 401 without an admin token', async () => {
    expect((await server.request('GET', '/api/v1/admin/payments/totals')).status).toBe(401);
  });
});
