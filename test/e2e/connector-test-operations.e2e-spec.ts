import { ConnectorHarness } from '../simulators/connector-e2e-support';
import { paymentBody, startTestServer, submitCheckout, TestServer } from '../support/test-server';

/**
 * The built-in test provider loses the answer to a capture, cancel or refund after doing it
 * when its account says `settings.operationFault`; like a real PSP it remembers idempotency keys
 * and can be asked what it did, so the reconciler settles each one once.
 */
describe('test provider operations with lost answers (sqlite)', () => {
  let server: TestServer;
  let h: ConnectorHarness;
  const accounts: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer({
      env: {
        PAYMENTSERVER_RECONCILE_AFTER_SECONDS: '0',
        PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0',
        PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE: '0',
      },
    });
    h = await ConnectorHarness.open(server);
    for (const fault of ['lost_answer', 'unavailable_after_work']) {
      const account = await h.createAccount({
        provider: 'test',
        credentials: {},
        settings: { operationFault: fault },
      });
      expect(account.status).toBe(201);
      accounts[fault] = account.body.id;
    }
  });

  afterAll(async () => {
    await server?.close();
  });

  async function payment(fault: string, outcome: 'paid' | 'authorized'): Promise<any> {
    const created = await server.request('POST', '/api/v1/payments', {
      body: paymentBody({
        providerAccountId: accounts[fault],
        captureMode: outcome === 'authorized' ? 'manual' : 'automatic',
      }),
    });
    expect(created.status).toBe(201);
    await submitCheckout(created.body.checkoutUrl, { outcome });
    return h.waitForStatus(created.body.id, outcome);
  }

  async function ledger(
    providerPaymentId: string,
  ): Promise<{ amountCaptured: number; amountRefunded: number; status: string }> {
    const q = server.dataSource.driver.escape.bind(server.dataSource.driver);
    const [row] = await server.dataSource.query(
      `SELECT status, ${q('amountCaptured')} AS captured, ${q('amountRefunded')} AS refunded FROM test_provider_payments WHERE id = '${providerPaymentId}'`,
    );
    return {
      status: row.status,
      amountCaptured: Number(row.captured),
      amountRefunded: Number(row.refunded),
    };
  }

  it.each(['lost_answer', 'unavailable_after_work'])(
    'a refund done but answered with %s is pending, blocks a second one, and settles once',
    async (fault) => {
      const paid = await payment(fault, 'paid');
      const refund = await server.request('POST', `/api/v1/payments/${paid.id}/refunds`, {
        body: {},
      });
      expect(refund).toMatchObject({
        status: 201,
        body: { status: 'pending', amount: { value: 1050 } },
      });
      const second = await server.request('POST', `/api/v1/payments/${paid.id}/refunds`, {
        body: {},
      });
      expect(second.body.code).toBe('refund_exceeds_available');

      await h.reconcile();
      await h.reconcile();
      expect(await h.payment(paid.id)).toMatchObject({ status: 'refunded', amountRefunded: 1050 });
      expect(await h.refundChanges(paid.id)).toHaveLength(1);
      expect(await ledger(paid.provider.paymentId)).toMatchObject({ amountRefunded: 1050 });
    },
  );

  it('a capture done but answered with a timeout is pending, then settles once', async () => {
    const authorized = await payment('lost_answer', 'authorized');
    const response = await server.request('POST', `/api/v1/payments/${authorized.id}/capture`, {
      body: { amount: { value: 500, currency: 'EUR' } },
    });
    expect(response.body).toMatchObject({
      status: 'authorized',
      pendingOperation: {
        type: 'capture',
        stage: 'unknown',
        amount: { value: 500, currency: 'EUR' },
      },
    });
    await h.reconcile();
    expect(await h.payment(authorized.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 500,
      pendingOperation: null,
    });
    expect(await ledger(authorized.provider.paymentId)).toMatchObject({
      status: 'paid',
      amountCaptured: 500,
    });
  });

  it('a cancel done but answered with a 503 is pending, then settles', async () => {
    const authorized = await payment('unavailable_after_work', 'authorized');
    const response = await server.request('POST', `/api/v1/payments/${authorized.id}/cancel`);
    expect(response.body).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'cancel', stage: 'unknown' },
    });
    await h.reconcile();
    expect(await h.payment(authorized.id)).toMatchObject({
      status: 'canceled',
      pendingOperation: null,
    });
    expect((await ledger(authorized.provider.paymentId)).status).toBe('canceled');
  });

  it("Swagger documents the pending operation of a payment and what needs an operator's attention", async () => {
    const doc = (await server.request('GET', '/swagger/json')).body;
    expect(doc.components.schemas.PaymentDto.properties.pendingOperation).toBeDefined();
    expect(doc.components.schemas.PendingOperationDto.properties.stage.enum).toEqual([
      'sending',
      'unknown',
      'accepted',
    ]);
    expect(doc.components.schemas.AdminPaymentDto.properties.needsAttention).toBeDefined();
    const get = doc.paths['/api/v1/admin/payments/{id}'].get;
    expect(get.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/AdminPaymentDto',
    );
  });
});
