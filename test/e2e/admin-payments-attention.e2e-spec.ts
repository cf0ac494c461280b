import { PaymentOperation } from '../../src/payments/entities/payment-operation.entity';
import { Refund } from '../../src/payments/entities/refund.entity';
import { enabledDialects } from '../support/services';
import {
  eventually,
  paymentBody,
  startTestServer,
  submitCheckout,
  TestServer,
} from '../support/test-server';
import { lostAnswerTestAccount } from '../support/test-provider-reports';

/**
 * `needsAttention=true|false` on the admin payment list and its totals: decided in the database
 * query (a capture, cancel or refund still pending since before
 * PAYMENTSERVER_RECONCILE_ATTENTION_HOURS), so it pages and totals exactly, on every database.
 * Operations are made pending by the test provider losing their answers; their age is set by
 * moving `createdAt` back, since waiting a day is not an option.
 */
describe.each(enabledDialects())('admin API: needsAttention filter (%s)', (dialect) => {
  let server: TestServer;
  let admin: string;
  let lossy: string;
  const ids: Record<string, string> = {};
  const list = async (query: string) =>
    server.request('GET', `/api/v1/admin/payments?${query}`, { token: admin });
  const totals = async (query: string) =>
    server.request('GET', `/api/v1/admin/payments/totals?${query}`, { token: admin });
  const idsOf = (res: { body: any }) => (res.body.data as { id: string }[]).map((p) => p.id).sort();
  const twoDaysAgo = () => new Date(Date.now() - 48 * 3_600_000);

  async function payment(
    name: string,
    outcome: 'paid' | 'authorized',
    accountId = 'test',
  ): Promise<string> {
    const created = await server.request('POST', '/api/v1/payments', {
      body: paymentBody({
        providerAccountId: accountId,
        captureMode: outcome === 'authorized' ? 'manual' : 'automatic',
      }),
    });
    expect(created.status).toBe(201);
    ids[name] = created.body.id;
    await submitCheckout(created.body.checkoutUrl, { outcome });
    await eventually(
      async () =>
        (await server.request('GET', `/api/v1/payments/${ids[name]}`)).body.status === outcome,
    );
    return ids[name];
  }

  beforeAll(async () => {
    server = await startTestServer({
      dialect,
      // The reconciler stays off: nothing settles the pending operations behind the test's back.
      env: { PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0' },
    });
    admin = await server.adminToken();
    lossy = await lostAnswerTestAccount(server, admin);

    // Old pending refund and old pending capture: these need attention.
    const oldRefund = await server.request(
      'POST',
      `/api/v1/payments/${await payment('oldRefund', 'paid', lossy)}/refunds`,
      { body: {} },
    );
    expect(oldRefund.body.status).toBe('pending');
    await server.dataSource
      .getRepository(Refund)
      .update({ id: oldRefund.body.id }, { createdAt: twoDaysAgo() });
    const oldCapture = await server.request(
      'POST',
      `/api/v1/payments/${await payment('oldCapture', 'authorized', lossy)}/capture`,
      { body: {} },
    );
    expect(oldCapture.body.pendingOperation).toMatchObject({ type: 'capture' });
    await server.dataSource
      .getRepository(PaymentOperation)
      .update({ id: oldCapture.body.pendingOperation.id }, { createdAt: twoDaysAgo() });

    // A pending refund younger than the hours, an old settled refund, and a plain payment: these do not.
    const fresh = await server.request(
      'POST',
      `/api/v1/payments/${await payment('freshRefund', 'paid', lossy)}/refunds`,
      { body: {} },
    );
    expect(fresh.body.status).toBe('pending');
    const settled = await server.request(
      'POST',
      `/api/v1/payments/${await payment('settledRefund', 'paid')}/refunds`,
      { body: {} },
    );
    expect(settled.body.status).toBe('succeeded');
    await server.dataSource
      .getRepository(Refund)
      .update({ id: settled.body.id }, { createdAt: twoDaysAgo() });
    await payment('plain', 'paid');
  });

  afterAll(async () => {
    await server?.close();
  });

  it('needsAttention=true lists exactly the payments with an operation open longer than the hours, each with its note', async () => {
    const res = await list('needsAttention=true');
    expect(res.status).toBe(200);
    expect(idsOf(res)).toEqual([ids.oldRefund, ids.oldCapture].sort());
    for (const p of res.body.data) expect(p.needsAttention).not.toBeNull();
    expect(idsOf(await list('needsAttention=true&status=authorized'))).toEqual([ids.oldCapture]);
  });

  it('needsAttention=false lists the others, each without a note', async () => {
    const res = await list('needsAttention=false');
    expect(idsOf(res)).toEqual([ids.freshRefund, ids.settledRefund, ids.plain].sort());
    for (const p of res.body.data) expect(p.needsAttention).toBeNull();
  });

  it('pages through the filter with the cursor', async () => {
    const first = await list('needsAttention=true&limit=1');
    expect(first.body.data).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await list(
      `needsAttention=true&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(second.body.data).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect([...idsOf(first), ...idsOf(second)].sort()).toEqual(
      [ids.oldRefund, ids.oldCapture].sort(),
    );
  });

  it('totals take the filter too', async () => {
    expect((await totals('needsAttention=true')).body).toMatchObject({
      count: 2,
      data: [{ currency: 'EUR', count: 2, amount: { value: 2100, currency: 'EUR' } }],
    });
    expect((await totals('needsAttention=false')).body.count).toBe(3);
  });

  it('refuses a value other than true or false with 400 naming the field', async () => {
    for (const value of ['yes', '1', 'TRUE', '']) {
      const res = await list(`needsAttention=${value}`);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        { field: 'needsAttention', message: 'must be true or false' },
      ]);
    }
    expect((await totals('needsAttention=maybe')).body.errors[0].field).toBe('needsAttention');
  });
});
