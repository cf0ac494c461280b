import { ReconciliationService } from '../../src/reconciliation/reconciliation.service';
import { paymentBody, startTestServer, submitCheckout, TestServer } from '../support/test-server';

describe('reconciliation (polling the provider)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      env: {
        PAYMENTSERVER_RECONCILE_AFTER_SECONDS: '0',
        PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0',
      },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  async function paidWithLostWebhook(): Promise<any> {
    const created = await server.request('POST', '/api/v1/payments', { body: paymentBody() });
    const response = await submitCheckout(created.body.checkoutUrl, {
      outcome: 'paid',
      dropWebhook: 'true',
    });
    expect(response.status).toBe(303);
    expect((await server.request('GET', `/api/v1/payments/${created.body.id}`)).body.status).toBe(
      'pending',
    );
    return created.body;
  }

  it('recovers a payment whose webhook was lost', async () => {
    const payment = await paidWithLostWebhook();
    const polled = await server.server.app.get(ReconciliationService).runOnce();
    expect(polled).toBeGreaterThanOrEqual(1);
    const after = (await server.request('GET', `/api/v1/payments/${payment.id}`)).body;
    expect(after.status).toBe('paid');
    const events = (await server.request('GET', `/api/v1/payments/${payment.id}/events`)).body.data;
    expect(events[events.length - 1]).toMatchObject({
      fromStatus: 'pending',
      toStatus: 'paid',
      source: 'poll',
      ignored: false,
    });
  });

  it('trusts nothing in a webhook whose signature does not verify; the reconciler finds the truth', async () => {
    const payment = await paidWithLostWebhook();
    // The forged body claims "failed"; the provider really says "paid".
    const body = JSON.stringify({
      id: 'tpevt_forged',
      type: 'payment.updated',
      createdAt: new Date().toISOString(),
      data: {
        id: payment.provider.paymentId,
        status: 'failed',
        amount: payment.amount,
        amountCaptured: 0,
      },
    });
    const response = await fetch(`${server.baseUrl}/webhooks/test/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'test-signature': 't=1,v1=00' },
      body,
    });
    expect(response.status).toBe(401);
    // Nothing unverified costs a provider call: no poll now, the payment is left as it was.
    expect((await server.request('GET', `/api/v1/payments/${payment.id}`)).body.status).toBe(
      'pending',
    );
    await server.server.app.get(ReconciliationService).runOnce();
    const after = (await server.request('GET', `/api/v1/payments/${payment.id}`)).body;
    expect(after.status).toBe('paid');
    const events = (await server.request('GET', `/api/v1/payments/${payment.id}/events`)).body.data;
    expect(events.some((e: any) => e.source === 'webhook')).toBe(false);
    expect(events[events.length - 1].source).toBe('poll');
  });

  it('leaves payments that the provider still reports open as they are', async () => {
    const created = await server.request('POST', '/api/v1/payments', { body: paymentBody() });
    await server.server.app.get(ReconciliationService).reconcilePayment(created.body.id);
    const after = (await server.request('GET', `/api/v1/payments/${created.body.id}`)).body;
    expect(after.status).toBe('pending');
  });
});
