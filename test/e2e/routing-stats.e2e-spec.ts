import { enabledDialects } from '../support/services';
import { paymentBody, startTestServer, submitCheckout, TestServer } from '../support/test-server';

describe.each(enabledDialects())('admin API: statistics (%s)', (dialect) => {
  let server: TestServer;
  let admin: string;
  let declining: string;
  let started: Date;
  const stats = (query: string) =>
    server.request('GET', `/api/v1/admin/stats${query}`, { token: admin });

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    admin = await server.adminToken();
    started = new Date(Date.now() - 1000);
    declining = (
      await server.request('POST', '/api/v1/admin/provider-accounts', {
        token: admin,
        body: {
          provider: 'test',
          name: 'declines',
          credentials: {},
          settings: { failureMode: 'decline' },
        },
      })
    ).body.id;
    // On the default account `test`: 3 EUR payments (2 paid: 1000 + 2500), 1 USD payment paid (700), 1 left pending.
    const pay = async (amount: { value: number; currency: string }, outcome?: string) => {
      const payment = (
        await server.request('POST', '/api/v1/payments', { body: paymentBody({ amount }) })
      ).body;
      if (outcome) await submitCheckout(payment.checkoutUrl, { outcome });
      return payment;
    };
    await pay({ value: 1000, currency: 'EUR' }, 'paid');
    await pay({ value: 2500, currency: 'EUR' }, 'paid');
    await pay({ value: 4000, currency: 'EUR' }, 'failed');
    await pay({ value: 700, currency: 'USD' }, 'paid');
    await pay({ value: 900, currency: 'USD' });
    // Two declined at creation: no provider took them.
    for (let i = 0; i < 2; i++) {
      await server.request('POST', '/api/v1/payments', {
        body: paymentBody({ providerAccountId: declining }),
      });
    }
  });

  afterAll(async () => {
    await server?.close();
  });

  it('groups by provider: counts, paid counts, success rate and paid volume per currency', async () => {
    const res = await stats('');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [
        {
          key: 'none',
          count: 2,
          paidCount: 0,
          successRate: 0,
          volume: [],
          grossVolume: [],
          refundedVolume: [],
          chargedBackVolume: [],
          refundedCount: 0,
          chargedBackCount: 0,
        },
        {
          key: 'test',
          count: 5,
          paidCount: 3,
          successRate: 0.6,
          volume: [
            { value: 3500, currency: 'EUR' },
            { value: 700, currency: 'USD' },
          ],
          grossVolume: [
            { value: 3500, currency: 'EUR' },
            { value: 700, currency: 'USD' },
          ],
          refundedVolume: [
            { value: 0, currency: 'EUR' },
            { value: 0, currency: 'USD' },
          ],
          chargedBackVolume: [
            { value: 0, currency: 'EUR' },
            { value: 0, currency: 'USD' },
          ],
          refundedCount: 0,
          chargedBackCount: 0,
        },
      ],
    });
  });

  it('groups by status and by provider account', async () => {
    expect(
      (await stats('?groupBy=status')).body.data.map((r: any) => [r.key, r.count, r.paidCount]),
    ).toEqual([
      ['failed', 3, 0],
      ['paid', 3, 3],
      ['pending', 1, 0],
    ]);
    const byAccount = (await stats('?groupBy=account')).body.data;
    expect(byAccount.find((r: any) => r.key === 'test')).toMatchObject({
      count: 5,
      paidCount: 3,
      successRate: 0.6,
    });
  });

  it('groups by UTC day and honours the time window', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const byDay = (await stats(`?groupBy=day&from=${started.toISOString()}`)).body.data;
    expect(byDay.reduce((n: number, r: any) => n + r.count, 0)).toBe(7);
    // Unless the suite ran across midnight: one day, today, and bare dates (as a date picker sends
    // them) cover it, `to` including that whole day.
    if (byDay.length === 1) {
      expect(byDay[0].key).toBe(today);
      const sameDay = (await stats(`?from=${today}&to=${today}`)).body.data;
      expect(sameDay.reduce((n: number, r: any) => n + r.count, 0)).toBe(7);
    }
    const empty = await stats(
      `?from=${encodeURIComponent('2020-01-01T00:00:00Z')}&to=${encodeURIComponent('2020-01-02T00:00:00Z')}`,
    );
    expect(empty.body).toEqual({ data: [] });
  });

  it('refuses a bad window or grouping with 400 naming the field', async () => {
    const bad = await stats('?groupBy=week');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('groupBy');
    expect((await stats('?from=yesterday')).body.errors[0].field).toBe('from');
    const backwards = await stats(
      `?from=${encodeURIComponent('2026-02-01T00:00:00Z')}&to=${encodeURIComponent('2026-01-01T00:00:00Z')}`,
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].field).toBe('to');
  });

  it('takes the last day there is: to=9999-12-31 counts everything, and so does the widest window', async () => {
    const all = await stats('?groupBy=status');
    expect(all.body.data.length).toBeGreaterThan(0);
    const untilTheEnd = await stats('?to=9999-12-31&groupBy=status');
    expect(untilTheEnd.status).toBe(200);
    expect(untilTheEnd.body).toEqual(all.body);
    const widest = await stats(
      `?from=${encodeURIComponent('0100-01-01T00:00:00+14:00')}&to=${encodeURIComponent('9999-12-31T23:59:59.999Z')}&groupBy=status`,
    );
    expect(widest.body).toEqual(all.body);
  });

  it.each([
    ['an instant after 9999', `from=${encodeURIComponent('9999-12-31T23:00:00-05:00')}`, 'from'],
    ['an instant after 9999', `to=${encodeURIComponent('9999-12-31T23:00:00-05:00')}`, 'to'],
    ['a week date', 'from=2026-W05', 'from'],
    ['an ordinal date', 'to=2026-123', 'to'],
    ['a date without hyphens', 'to=20261130', 'to'],
  ])('refuses %s (%s) with 400 naming the field', async (_, query, field) => {
    const response = await stats(`?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
  });

  it('is for administrators only', async () => {
    expect((await server.request('GET', '/api/v1/admin/stats')).status).toBe(401);
  });
});
