import { ReconciliationService } from '../../src/reconciliation/reconciliation.service';
import { enabledDialects } from '../support/services';
import { paymentBody, startTestServer, submitCheckout, TestServer } from '../support/test-server';

describe.each(enabledDialects())('payment fields on %s', (dialect) => {
  let server: TestServer;
  let adminToken: string;

  beforeAll(async () => {
    server = await startTestServer({
      dialect,
      env: {
        PAYMENTSERVER_RECONCILE_AFTER_SECONDS: '0',
        PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0',
      },
    });
    adminToken = await server.adminToken();
  });

  afterAll(async () => {
    await server?.close();
  });

  const create = (overrides: Record<string, unknown> = {}) =>
    server.request('POST', '/api/v1/payments', { body: paymentBody(overrides) });
  const get = async (id: string) => (await server.request('GET', `/api/v1/payments/${id}`)).body;

  describe('methodUsed and provider.testMode', () => {
    it('is null until the customer pays, then the method chosen on the checkout page', async () => {
      const created = await create();
      expect(created.status).toBe(201);
      expect(created.body.methodUsed).toBeNull();
      expect(created.body.provider.testMode).toBe(true);
      const page = await fetch(created.body.checkoutUrl);
      expect(await page.text()).toContain('<option value="card" selected>card</option>');
      await submitCheckout(created.body.checkoutUrl, { outcome: 'paid', method: 'ideal' });
      const paid = await get(created.body.id);
      expect(paid).toMatchObject({ status: 'paid', method: null, methodUsed: 'ideal' });
    });

    it('defaults to the requested method; a canceled checkout never picked one', async () => {
      const klarna = await create({ method: 'klarna' });
      await submitCheckout(klarna.body.checkoutUrl, { outcome: 'authorized' });
      expect(await get(klarna.body.id)).toMatchObject({
        status: 'authorized',
        methodUsed: 'klarna',
      });
      const canceled = await create({ method: 'card' });
      await submitCheckout(canceled.body.checkoutUrl, { outcome: 'canceled' });
      expect(await get(canceled.body.id)).toMatchObject({ status: 'canceled', methodUsed: null });
    });

    it('comes with a polled status when the webhook was lost', async () => {
      const created = await create();
      await submitCheckout(created.body.checkoutUrl, {
        outcome: 'paid',
        method: 'bancontact',
        dropWebhook: 'true',
      });
      expect((await get(created.body.id)).methodUsed).toBeNull();
      await server.server.app.get(ReconciliationService).runOnce();
      const paid = await get(created.body.id);
      expect(paid).toMatchObject({ status: 'paid', methodUsed: 'bancontact' });
      const events = (await server.request('GET', `/api/v1/payments/${created.body.id}/events`))
        .body.data;
      expect(events.pop()).toMatchObject({ toStatus: 'paid', source: 'poll' });
    });

    it("provider.testMode is the account's testMode at the time of the payment", async () => {
      const account = await server.request('POST', '/api/v1/admin/provider-accounts', {
        token: adminToken,
        body: { provider: 'test', name: 'live-ish test account', testMode: false, credentials: {} },
      });
      expect(account.status).toBe(201);
      const created = await create({ providerAccountId: account.body.id });
      expect(created.status).toBe(201);
      expect(created.body.provider).toMatchObject({ accountId: account.body.id, testMode: false });
      await server.request('PATCH', `/api/v1/admin/provider-accounts/${account.body.id}`, {
        token: adminToken,
        body: { testMode: true },
      });
      expect((await get(created.body.id)).provider.testMode).toBe(false);
    });
  });
});
