import { randomBytes } from 'node:crypto';
import { useConnectorSuite } from '../simulators/connector-e2e-support';
import { PayPalSimulator } from '../simulators/paypal/paypal-simulator';

/** Captures, voids and refunds whose answer PayPal loses: pending, then settled from the order. */
describe('PayPal operations with lost answers (sqlite)', () => {
  const credentials = {
    clientId: `AYS${randomBytes(10).toString('hex')}`,
    clientSecret: `EGn${randomBytes(16).toString('hex')}`,
    webhookId: '8PT597110X687430LKGECATA',
  };
  const suite = useConnectorSuite({
    simulator: () => new PayPalSimulator(credentials),
    account: (paypal) => ({
      provider: 'paypal',
      credentials,
      baseUrl: paypal.baseUrl,
      settings: { requestTimeoutMs: 2000 },
    }),
    publicListener: true,
    env: { PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE: '0' },
  });

  beforeAll(() => {
    suite.sim.webhookUrl = suite.webhookUrl;
  });

  beforeEach(() => {
    suite.sim.dropWebhooks = false;
    suite.sim.holdRefunds = false;
    suite.sim.uniqueInvoiceIds = true;
    suite.sim.thawOrderReads();
  });

  async function payment(captureMode: 'automatic' | 'manual' = 'automatic'): Promise<any> {
    suite.sim.dropWebhooks = false;
    const created = await suite.h.createPayment(suite.accountId, { captureMode });
    await suite.h.checkout(created.checkoutUrl, captureMode === 'manual' ? 'authorized' : 'paid');
    const settled = await suite.h.waitForStatus(
      created.id,
      captureMode === 'manual' ? 'authorized' : 'paid',
    );
    await suite.sim.settled();
    suite.sim.dropWebhooks = true; // from here on only lookups tell us anything
    return settled;
  }

  const order = (p: any) => suite.sim.orders.get(p.provider.paymentId)!;
  const post = (p: any, path: string, body: unknown = {}) =>
    suite.server.request('POST', `/api/v1/payments/${p.id}${path}`, { body });

  it('a refund whose answer is lost after PayPal made it is pending, found by custom_id, and settles once', async () => {
    const paid = await payment();
    const path = new RegExp(`^/v2/payments/captures/${order(paid).captures[0].id}/refund$`);
    suite.sim.holdRefunds = true;
    suite.sim.failNextCall('reset_after_work', { method: 'POST', path });
    const refund = await post(paid, '/refunds');
    expect(refund).toMatchObject({ status: 201, body: { status: 'pending' } });
    expect((await post(paid, '/refunds')).body.code).toBe('refund_exceeds_available');

    await suite.h.reconcile();
    expect((await suite.h.refunds(paid.id))[0].status).toBe('pending');
    suite.sim.settlePendingRefunds({ notify: false });
    await suite.h.reconcile();
    expect(await suite.h.payment(paid.id)).toMatchObject({
      status: 'refunded',
      amountRefunded: 1050,
    });
    expect(order(paid).refunds).toHaveLength(1);
    expect(suite.sim.callsTo('POST', path)).toHaveLength(1);
    expect(await suite.h.refundChanges(paid.id)).toHaveLength(1);
  });

  it('a refund PayPal answers 409 PREVIOUS_REQUEST_IN_PROGRESS stays pending, its amount reserved, and settles once', async () => {
    const paid = await payment();
    const path = new RegExp(`^/v2/payments/captures/${order(paid).captures[0].id}/refund$`);
    suite.sim.workSlowlyOnNext({ method: 'POST', path });
    const refund = await post(paid, '/refunds', { amount: { value: 400, currency: 'EUR' } });
    expect(refund).toMatchObject({ status: 201, body: { status: 'pending' } });

    // Sent again with the same PayPal-Request-Id while PayPal is still at the first one.
    await suite.h.reconcile();
    const calls = suite.sim.callsTo('POST', path);
    expect(calls.map((c) => c.headers['paypal-request-id'])).toEqual([
      refund.body.id,
      refund.body.id,
    ]);
    expect(suite.sim.conflicts).toEqual([refund.body.id]);
    expect((await suite.h.refunds(paid.id))[0].status).toBe('pending');
    const full = await post(paid, '/refunds', { amount: { value: 1050, currency: 'EUR' } });
    expect(full.body.code).toBe('refund_exceeds_available');
    expect(order(paid).refunds).toHaveLength(0);

    expect(suite.sim.finishSlowWork()).toBe(1);
    await suite.h.reconcile();
    expect(await suite.h.payment(paid.id)).toMatchObject({
      status: 'partially_refunded',
      amountRefunded: 400,
    });
    await suite.h.reconcile();
    expect(order(paid).refunds).toHaveLength(1);
    expect(suite.sim.callsTo('POST', path)).toHaveLength(2);
    expect(await suite.h.refundChanges(paid.id)).toHaveLength(1);
  });

  it('a refund PayPal never made is sent again with the same PayPal-Request-Id', async () => {
    const paid = await payment();
    const path = new RegExp(`^/v2/payments/captures/${order(paid).captures[0].id}/refund$`);
    suite.sim.failNextCall('unavailable', { method: 'POST', path });
    const refund = await post(paid, '/refunds', { amount: { value: 250, currency: 'EUR' } });
    expect(refund.body.status).toBe('pending');

    await suite.h.reconcile();
    expect(await suite.h.payment(paid.id)).toMatchObject({
      status: 'partially_refunded',
      amountRefunded: 250,
    });
    expect(suite.sim.callsTo('POST', path).map((c) => c.headers['paypal-request-id'])).toEqual([
      refund.body.id,
      refund.body.id,
    ]);
    expect(order(paid).refunds).toHaveLength(1);
  });

  it('a capture whose answer is lost settles from the order, captured once', async () => {
    const authorized = await payment('manual');
    const path = new RegExp(
      `^/v2/payments/authorizations/${order(authorized).authorizations[0].id}/capture$`,
    );
    suite.sim.failNextCall('reset_after_work', { method: 'POST', path });
    const response = await post(authorized, '/capture', {
      amount: { value: 600, currency: 'EUR' },
    });
    expect(response.body).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'capture', stage: 'unknown' },
    });

    await suite.h.reconcile();
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 600,
      pendingOperation: null,
    });
    expect(order(authorized).captures).toHaveLength(1);
    expect(suite.sim.callsTo('POST', path)).toHaveLength(1);
  });

  it('a capture PayPal never saw is sent again with the same PayPal-Request-Id', async () => {
    const authorized = await payment('manual');
    const path = new RegExp(
      `^/v2/payments/authorizations/${order(authorized).authorizations[0].id}/capture$`,
    );
    suite.sim.failNextCall('unavailable', { method: 'POST', path });
    const response = await post(authorized, '/capture');
    await suite.h.reconcile();
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 1050,
    });
    const ids = suite.sim.callsTo('POST', path).map((c) => c.headers['paypal-request-id']);
    expect(ids).toEqual([response.body.pendingOperation.id, response.body.pendingOperation.id]);
    expect(order(authorized).captures).toHaveLength(1);
  });

  it.each([
    ['DUPLICATE_INVOICE_ID', true],
    ['AUTHORIZATION_ALREADY_CAPTURED', false],
  ] as const)(
    'a capture PayPal made but answered 500, whose re-send meets %s, stays open and settles captured once',
    async (issue, uniqueInvoiceIds) => {
      suite.sim.uniqueInvoiceIds = uniqueInvoiceIds;
      const authorized = await payment('manual');
      const path = new RegExp(
        `^/v2/payments/authorizations/${order(authorized).authorizations[0].id}/capture$`,
      );
      // PayPal captures, then fails (500, not kept for the PayPal-Request-Id); its order view
      // does not show the capture yet, so our look-up finds nothing and the capture is re-sent.
      suite.sim.freezeOrderReads();
      suite.sim.failNextAfterWork({ method: 'POST', path });
      const response = await post(authorized, '/capture', {
        amount: { value: 600, currency: 'EUR' },
      });
      expect(response.body.pendingOperation).toMatchObject({ type: 'capture', stage: 'unknown' });

      await suite.h.reconcile();
      const sends = suite.sim.callsTo('POST', path);
      expect(sends).toHaveLength(2);
      expect(sends[1].headers['paypal-request-id']).toBe(response.body.pendingOperation.id);
      expect(suite.sim.issuesAnswered.slice(-1)).toEqual([issue]);
      // "Already done" is no refusal: the capture stays open, its outcome unknown.
      expect(await suite.h.payment(authorized.id)).toMatchObject({
        status: 'authorized',
        pendingOperation: { type: 'capture', stage: 'unknown' },
      });
      expect(
        (await suite.server.request('POST', `/api/v1/payments/${authorized.id}/cancel`)).status,
      ).toBe(409);

      suite.sim.thawOrderReads();
      await suite.h.reconcile();
      expect(await suite.h.payment(authorized.id)).toMatchObject({
        status: 'paid',
        amountCaptured: 600,
        pendingOperation: null,
      });
      expect(order(authorized).captures).toHaveLength(1);
      expect(suite.sim.callsTo('POST', path)).toHaveLength(2);
    },
  );

  it('a void PayPal made but answered 500, whose re-send meets PREVIOUSLY_VOIDED, settles canceled', async () => {
    const authorized = await payment('manual');
    const path = new RegExp(
      `^/v2/payments/authorizations/${order(authorized).authorizations[0].id}/void$`,
    );
    suite.sim.freezeOrderReads();
    suite.sim.failNextAfterWork({ method: 'POST', path });
    expect((await post(authorized, '/cancel')).body.pendingOperation.stage).toBe('unknown');

    await suite.h.reconcile();
    expect(suite.sim.issuesAnswered.slice(-1)).toEqual(['PREVIOUSLY_VOIDED']);
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'cancel', stage: 'unknown' },
    });
    suite.sim.thawOrderReads();
    await suite.h.reconcile();
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'canceled',
      pendingOperation: null,
    });
    expect(suite.sim.callsTo('POST', path)).toHaveLength(2);
  });

  it('a void whose answer is lost settles from the authorization; one PayPal never saw is looked up, then sent again', async () => {
    const lost = await payment('manual');
    const lostPath = new RegExp(
      `^/v2/payments/authorizations/${order(lost).authorizations[0].id}/void$`,
    );
    suite.sim.failNextCall('unavailable_after_work', { method: 'POST', path: lostPath });
    expect((await post(lost, '/cancel')).body).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'cancel', stage: 'unknown' },
    });

    const unseen = await payment('manual');
    const unseenPath = new RegExp(
      `^/v2/payments/authorizations/${order(unseen).authorizations[0].id}/void$`,
    );
    suite.sim.failNextCall('unavailable', { method: 'POST', path: unseenPath });
    expect((await post(unseen, '/cancel')).body.pendingOperation.stage).toBe('unknown');

    await suite.h.reconcile();
    expect(await suite.h.payment(lost.id)).toMatchObject({
      status: 'canceled',
      pendingOperation: null,
    });
    expect(await suite.h.payment(unseen.id)).toMatchObject({
      status: 'canceled',
      pendingOperation: null,
    });
    expect(suite.sim.callsTo('POST', lostPath)).toHaveLength(1);
    expect(suite.sim.callsTo('POST', unseenPath)).toHaveLength(2);
  });
});
