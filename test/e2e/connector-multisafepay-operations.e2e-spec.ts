import { useConnectorSuite } from '../simulators/connector-e2e-support';
import { MultisafepaySimulator } from '../simulators/multisafepay/multisafepay.simulator';
import { ADDRESS, LINES, ORDER_AMOUNT } from '../support/order-fixtures';

/**
 * MultiSafepay takes no idempotency key: after a lost answer the connector looks the refund
 * (or the capture's child order) up at MultiSafepay before anything is sent again.
 */
describe('MultiSafepay operations with lost answers: lookup before resend (sqlite)', () => {
  const suite = useConnectorSuite({
    simulator: () => new MultisafepaySimulator(),
    account: (sim) => ({
      provider: 'multisafepay',
      credentials: { apiKey: sim.apiKey },
      baseUrl: sim.url,
      settings: { requestTimeoutMs: 1000 },
    }),
    env: { PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE: '0' },
  });

  beforeEach(() => {
    suite.sim.echoRefundDescription = false;
    suite.sim.answerRefundId = true;
    suite.sim.bookRefundsLate = false;
  });

  async function payment(captureMode: 'automatic' | 'manual' = 'automatic'): Promise<any> {
    suite.sim.dropWebhooks = false;
    const created = await suite.h.createPayment(suite.accountId, { captureMode, method: 'card' });
    await suite.h.checkout(created.checkoutUrl, 'paid');
    const settled = await suite.h.waitForStatus(
      created.id,
      captureMode === 'manual' ? 'authorized' : 'paid',
    );
    await suite.sim.settled();
    suite.sim.dropWebhooks = true; // from here on only lookups tell us anything
    return settled;
  }

  const post = (p: any, path: string, body: unknown = {}) =>
    suite.server.request('POST', `/api/v1/payments/${p.id}${path}`, { body });
  /** The API calls about one order since `from`, as "METHOD path". */
  const callsSince = (from: number, orderId: string) =>
    suite.sim.requests
      .slice(from)
      .filter((c) => c.path.includes(orderId))
      .map((c) => `${c.method} ${c.path.replace(`/v1/json/orders/${orderId}`, '')}`);

  it('a refund whose answer is lost is found by its refund_order_id, though MultiSafepay wrote its own description, and not sent again', async () => {
    const paid = await payment();
    suite.sim.answerRefundId = false; // examples/responses/refundOrder.json
    suite.sim.failNextCall('reset_after_work', { method: 'POST', path: /\/refunds$/ });
    const refund = await post(paid, '/refunds', { amount: { value: 400, currency: 'EUR' } });
    expect(refund).toMatchObject({ status: 201, body: { status: 'pending' } });

    const mark = suite.sim.requests.length;
    await suite.sim.settleRefunds(paid.id); // its notification is lost too
    await suite.h.reconcile();
    expect(await suite.h.payment(paid.id)).toMatchObject({
      status: 'partially_refunded',
      amountRefunded: 400,
    });
    expect(callsSince(mark, paid.id).filter((c) => c.startsWith('POST'))).toEqual([]);
    expect(suite.sim.orders.get(paid.id)!.related_transactions).toEqual([
      expect.objectContaining({
        amount: 400,
        refund_order_id: refund.body.id,
        description: `Refund order ${refund.body.id} for PaymentServer test site`,
      }),
    ]);
    expect(await suite.h.refundChanges(paid.id)).toHaveLength(1);
  });

  it('a refund re-sent after a lookup that missed it is refused as a duplicate (1034), then found: never refunded twice, its amount kept reserved', async () => {
    const paid = await payment();
    suite.sim.bookRefundsLate = true; // our first look comes while MultiSafepay is booking it
    suite.sim.failNextCall('reset_after_work', { method: 'POST', path: /\/refunds$/ });
    const refund = await post(paid, '/refunds', { amount: { value: 400, currency: 'EUR' } });
    expect(refund).toMatchObject({ status: 201, body: { status: 'pending' } });

    await suite.h.reconcile();
    const posts = suite.sim.callsTo('POST', new RegExp(`${paid.id}/refunds$`));
    expect(posts.map((c) => JSON.parse(c.body).refund_order_id)).toEqual([
      refund.body.id,
      refund.body.id,
    ]);
    expect(suite.sim.orders.get(paid.id)!.related_transactions).toHaveLength(1);
    expect((await suite.h.refunds(paid.id))[0]).toMatchObject({
      id: refund.body.id,
      status: 'pending',
    });
    // Still reserved: 1050 - 400 is all that can be refunded meanwhile.
    expect((await post(paid, '/refunds', { amount: { value: 651, currency: 'EUR' } })).status).toBe(
      422,
    );

    await suite.sim.settleRefunds(paid.id);
    await suite.h.reconcile();
    expect((await suite.h.refunds(paid.id))[0]).toMatchObject({
      id: refund.body.id,
      status: 'succeeded',
    });
    expect(await suite.h.payment(paid.id)).toMatchObject({
      status: 'partially_refunded',
      amountRefunded: 400,
    });
  });

  it('the simulator refuses a second refund of the same amount within 5 minutes (1034), not after', async () => {
    const paid = await payment();
    const refund = (body: object) =>
      fetch(`${suite.sim.url}/v1/json/orders/${paid.id}/refunds`, {
        method: 'POST',
        headers: { api_key: suite.sim.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ currency: 'EUR', amount: 100, description: 'x', ...body }),
      }).then((r) => r.json());
    expect(await refund({})).toMatchObject({ success: true });
    expect(await refund({})).toMatchObject({ success: false, error_code: 1034 });
    suite.sim.clockOffsetMs = 5 * 60_000;
    try {
      expect(await refund({ refund_order_id: 'r-1' })).toMatchObject({ success: true });
      expect(await refund({ refund_order_id: 'r-1', amount: 200 })).toMatchObject({
        success: false,
        error_code: 1006,
      });
    } finally {
      suite.sim.clockOffsetMs = 0;
    }
  });

  it('a refund MultiSafepay never received is looked up first, then sent again once', async () => {
    const paid = await payment();
    suite.sim.failNextCall('unavailable', { method: 'POST', path: /\/refunds$/ });
    const refund = await post(paid, '/refunds');
    expect(refund.body.status).toBe('pending');

    const mark = suite.sim.requests.length;
    await suite.h.reconcile();
    expect((await suite.h.refunds(paid.id))[0].status).toBe('pending'); // sent again: reserved
    await suite.sim.settleRefunds(paid.id);
    await suite.h.reconcile();
    expect(await suite.h.payment(paid.id)).toMatchObject({
      status: 'refunded',
      amountRefunded: 1050,
    });
    expect(callsSince(mark, paid.id).filter((c) => c === 'POST /refunds')).toHaveLength(1);
    expect(suite.sim.orders.get(paid.id)!.related_transactions).toHaveLength(1);
  });

  it('a refund is pending while MultiSafepay holds it reserved and succeeds once it is completed', async () => {
    const paid = await payment();
    const refund = await post(paid, '/refunds', { amount: { value: 400, currency: 'EUR' } });
    expect(refund).toMatchObject({ status: 201, body: { status: 'pending' } });
    expect(suite.sim.orders.get(paid.id)!.related_transactions[0].status).toBe('reserved');

    await suite.h.reconcile(); // still reserved: nothing changes
    expect(await suite.h.payment(paid.id)).toMatchObject({ status: 'paid', amountRefunded: 0 });
    expect((await suite.h.refunds(paid.id))[0].status).toBe('pending');

    await suite.sim.settleRefunds(paid.id);
    await suite.h.reconcile();
    expect((await suite.h.refunds(paid.id))[0]).toMatchObject({
      id: refund.body.id,
      status: 'succeeded',
    });
    expect(await suite.h.payment(paid.id)).toMatchObject({
      status: 'partially_refunded',
      amountRefunded: 400,
    });
  });

  it('a refund MultiSafepay declines after accepting it fails and frees its amount', async () => {
    const paid = await payment();
    const refund = await post(paid, '/refunds');
    expect(refund.body).toMatchObject({ status: 'pending', amount: { value: 1050 } });
    // The whole amount is reserved meanwhile: no second refund is sent.
    expect((await post(paid, '/refunds', { amount: { value: 1, currency: 'EUR' } })).status).toBe(
      422,
    );

    await suite.sim.settleRefunds(paid.id, 'declined');
    await suite.h.reconcile();
    expect((await suite.h.refunds(paid.id))[0]).toMatchObject({
      id: refund.body.id,
      status: 'failed',
    });
    expect(await suite.h.payment(paid.id)).toMatchObject({ status: 'paid', amountRefunded: 0 });

    const again = await post(paid, '/refunds');
    expect(again.body).toMatchObject({ status: 'pending', amount: { value: 1050 } });
  });

  it('a refund MultiSafepay refuses (1034 Cannot refund) is failed at once, its amount freed', async () => {
    const paid = await payment();
    // A refund of the whole amount made in MultiSafepay's dashboard, still reserved.
    const dashboard = await fetch(`${suite.sim.url}/v1/json/orders/${paid.id}/refunds`, {
      method: 'POST',
      headers: { api_key: suite.sim.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ currency: 'EUR', amount: 1050, description: 'from the dashboard' }),
    });
    expect((await dashboard.json()).success).toBe(true);

    const refused = await post(paid, '/refunds', { amount: { value: 300, currency: 'EUR' } });
    expect(refused).toMatchObject({ status: 422, body: { code: 'provider_declined' } });
    expect(refused.body.detail).toContain('1034');
    expect(await suite.h.refunds(paid.id)).toEqual([
      expect.objectContaining({ status: 'failed', amount: { value: 300, currency: 'EUR' } }),
    ]);
    expect(await suite.h.payment(paid.id)).toMatchObject({ status: 'paid', amountRefunded: 0 });
  });

  /** A Klarna order of LINES, authorized, shipped (our capture) and collected from Klarna. */
  async function klarnaPayment(): Promise<any> {
    suite.sim.dropWebhooks = false;
    const created = await suite.h.createPayment(suite.accountId, {
      amount: ORDER_AMOUNT,
      method: 'klarna',
      lines: LINES,
      billingAddress: ADDRESS,
    });
    await suite.h.checkout(created.checkoutUrl, 'paid');
    await suite.h.waitForStatus(created.id, 'authorized');
    expect((await post(created, '/capture')).body.status).toBe('paid');
    await suite.sim.settled();
    await suite.sim.collect(created.id);
    return created;
  }

  /**
   * The checkout_data MultiSafepay wants for a Klarna refund: the order's cart, plus a duplicate
   * of each refunded item (by its index in LINES) with minus the quantity refunded.
   */
  const cartRefund = (orderId: string, refundId: string, refunded: [number, number][]) => {
    const items = suite.sim.orders.get(orderId)!.shopping_cart!.items;
    return {
      checkout_data: {
        items: [
          ...items,
          ...refunded.map(([index, quantity]) => ({ ...items[index], quantity: -quantity })),
        ],
      },
      description: expect.stringMatching(new RegExp(`^${refundId} `)),
      refund_order_id: refundId,
    };
  };

  it('a Klarna order is refunded through its cart, part and then the rest, and settles', async () => {
    const paid = await klarnaPayment();
    const part = await post(paid, '/refunds', { amount: { value: 1000, currency: 'EUR' } });
    expect(part).toMatchObject({ status: 201, body: { status: 'pending' } });
    await suite.sim.settleRefunds(paid.id); // notified
    await suite.h.waitForStatus(paid.id, 'partially_refunded');

    const rest = await post(paid, '/refunds');
    expect(rest.body).toMatchObject({ status: 'pending', amount: { value: 1495 } });
    await suite.sim.settleRefunds(paid.id);
    expect(await suite.h.waitForStatus(paid.id, 'refunded')).toMatchObject({
      amountRefunded: 2495,
    });
    expect(
      suite.sim.callsTo('POST', new RegExp(`${paid.id}/refunds$`)).map((c) => JSON.parse(c.body)),
    ).toEqual([
      // 1000: one of the two LEGO sets (10.00 each with VAT).
      cartRefund(paid.id, part.body.id, [[0, 1]]),
      // 1495: the other set, the shipping (5.95) and the discount (-1.00) given back.
      cartRefund(paid.id, rest.body.id, [
        [0, 1],
        [1, 1],
        [2, 1],
      ]),
    ]);
    expect(
      suite.sim.orders.get(paid.id)!.related_transactions.map((t) => [t.amount, t.status]),
    ).toEqual([
      [1000, 'completed'],
      [1495, 'completed'],
    ]);
    expect((await suite.h.refunds(paid.id)).map((r) => r.status)).toEqual([
      'succeeded',
      'succeeded',
    ]);
  });

  it('a Klarna refund whose answer is lost is found on the order and not sent again', async () => {
    const paid = await klarnaPayment();
    await suite.sim.settled();
    suite.sim.dropWebhooks = true;
    suite.sim.failNextCall('reset_after_work', { method: 'POST', path: /\/refunds$/ });
    const refund = await post(paid, '/refunds', { amount: { value: 1000, currency: 'EUR' } });
    expect(refund).toMatchObject({ status: 201, body: { status: 'pending' } });

    const mark = suite.sim.requests.length;
    await suite.sim.settleRefunds(paid.id);
    await suite.h.reconcile();
    expect(await suite.h.payment(paid.id)).toMatchObject({
      status: 'partially_refunded',
      amountRefunded: 1000,
    });
    expect(callsSince(mark, paid.id).filter((c) => c.startsWith('POST'))).toEqual([]);
    expect(suite.sim.orders.get(paid.id)!.related_transactions).toHaveLength(1);
  });

  it('a Klarna refund of an amount no whole items come to is refused before any call: 422 not_supported_by_provider', async () => {
    const paid = await klarnaPayment();
    const mark = suite.sim.requests.length;
    const refused = await post(paid, '/refunds', { amount: { value: 500, currency: 'EUR' } });
    expect(refused).toMatchObject({ status: 422, body: { code: 'not_supported_by_provider' } });
    expect(refused.body.detail).toContain('whole items');
    expect(callsSince(mark, paid.id).filter((c) => c.startsWith('POST'))).toEqual([]);
    expect(await suite.h.payment(paid.id)).toMatchObject({ status: 'paid', amountRefunded: 0 });
    // The whole amount always can be.
    expect((await post(paid, '/refunds')).body).toMatchObject({
      status: 'pending',
      amount: { value: 2495 },
    });
  });

  it('a Klarna refund by amount, with a cart missing an item, with a new negative-price line, or not coming to the amount, is refused', async () => {
    const paid = await klarnaPayment();
    const refund = async (body: unknown) =>
      (
        await fetch(`${suite.sim.url}/v1/json/orders/${paid.id}/refunds`, {
          method: 'POST',
          headers: { api_key: suite.sim.apiKey, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json();
    const { items } = cartRefund(paid.id, 're_dashboard', [[1, 1]]).checkout_data;
    const cart = suite.sim.orders.get(paid.id)!.shopping_cart!.items;
    expect(await refund({ currency: 'EUR', amount: 595, description: 'x' })).toMatchObject({
      success: false,
      error_code: 1016,
    });
    expect(await refund({ checkout_data: { items: items.slice(1) } })).toMatchObject({
      success: false,
      error_code: 1014,
    });
    // Our old form: a new line of minus the amount (pay-later-refund.md: a negative unit_price
    // cancels the order), and a duplicate with a negative unit_price.
    for (const extra of [
      { name: 'Refund', unit_price: -5.95, quantity: 1, merchant_item_id: 're_x' },
      { ...cart[1], unit_price: -5.95, quantity: 1 },
    ])
      expect(await refund({ checkout_data: { items: [...cart, extra] } })).toMatchObject({
        success: false,
        error_code: 1014,
      });
    // More of an item than was bought.
    expect(
      await refund({ checkout_data: { items: [...cart, { ...cart[1], quantity: -2 }] } }),
    ).toMatchObject({ success: false, error_code: 1034 });
    expect(await refund({ checkout_data: { items }, amount: 300 })).toMatchObject({
      success: false,
      error_code: 1027,
    });
    expect(suite.sim.orders.get(paid.id)!.related_transactions).toEqual([]);
    expect(await refund({ checkout_data: { items }, amount: 595 })).toMatchObject({
      success: true,
    });
    expect(suite.sim.orders.get(paid.id)!.related_transactions[0].amount).toBe(595);
    expect(await refund({ checkout_data: { items } })).toMatchObject({
      success: false,
      error_code: 1034, // the shipping is refunded already
    });
  });

  it('a capture whose answer is lost is found as its child order; one never received is captured once', async () => {
    const lost = await payment('manual');
    suite.sim.failNextCall('reset_after_work', {
      method: 'POST',
      path: new RegExp(`${lost.id}/capture$`),
    });
    expect(
      (await post(lost, '/capture', { amount: { value: 800, currency: 'EUR' } })).body,
    ).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'capture', stage: 'unknown' },
    });

    const unseen = await payment('manual');
    suite.sim.failNextCall('unavailable', {
      method: 'POST',
      path: new RegExp(`${unseen.id}/capture$`),
    });
    expect((await post(unseen, '/capture')).body.pendingOperation.stage).toBe('unknown');

    await suite.h.reconcile();
    expect(await suite.h.payment(lost.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 800,
      pendingOperation: null,
    });
    expect(await suite.h.payment(unseen.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 1050,
      pendingOperation: null,
    });
    expect(suite.sim.callsTo('POST', new RegExp(`${lost.id}/capture$`))).toHaveLength(1);
    expect(suite.sim.callsTo('POST', new RegExp(`${unseen.id}/capture$`))).toHaveLength(2);
    expect(suite.sim.orders.get(`${unseen.id}-capture`)).toMatchObject({
      amount: 1050,
      status: 'completed',
    });
  });

  it("a partial capture in MultiSafepay's dashboard: our cancel is refused without a release call, a poll makes the payment paid with the part captured", async () => {
    const authorized = await payment('manual');
    // The shop captures 700 of 1050 in the dashboard; the authorization keeps its statuses
    // (manual-capture.md), only capture_remain and its related transactions show it.
    await suite.sim.captureInDashboard(authorized.id, 700);
    expect(suite.sim.orders.get(authorized.id)).toMatchObject({
      status: 'completed',
      financial_status: 'initialized',
      payment_details: { capture: 'manual', capture_remain: 350 },
    });
    const mark = suite.sim.requests.length;

    const refused = await post(authorized, '/cancel');
    expect(refused).toMatchObject({ status: 422, body: { code: 'not_supported_by_provider' } });
    expect(refused.body.detail).toContain('700 of 1050 captured');
    expect(suite.sim.requests.slice(mark).map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /v1/json/orders/${authorized.id}`,
    ]);
    expect(suite.sim.orders.get(authorized.id)).toMatchObject({
      status: 'completed',
      payment_details: { capture_remain: 350 },
    });
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'authorized',
      pendingOperation: null,
    });

    await suite.h.reconcile();
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 700,
    });
    expect((await suite.h.events(authorized.id)).pop()).toMatchObject({
      fromStatus: 'authorized',
      toStatus: 'paid',
      source: 'poll',
    });
    expect(suite.sim.callsTo('PATCH', new RegExp(authorized.id))).toEqual([]);
  });

  it('a cancel whose answer is lost is settled from the order status', async () => {
    const authorized = await payment('manual');
    suite.sim.failNextCall('unavailable_after_work', {
      method: 'PATCH',
      path: new RegExp(`/capture/${authorized.id}$`),
    });
    expect((await post(authorized, '/cancel')).body).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'cancel' },
    });
    await suite.h.reconcile();
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'canceled',
      pendingOperation: null,
    });
    expect(suite.sim.callsTo('PATCH', new RegExp(`/capture/${authorized.id}$`))).toHaveLength(1);
  });

  it('a partial capture whose answer is lost: the authorization voided meanwhile is not a cancellation; the capture settles the payment', async () => {
    const authorized = await payment('manual');
    suite.sim.failNextCall('reset_after_work', {
      method: 'POST',
      path: new RegExp(`${authorized.id}/capture$`),
    });
    const captured = await post(authorized, '/capture', {
      amount: { value: 700, currency: 'EUR' },
    });
    expect(captured.body).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'capture', stage: 'unknown' },
    });
    // The rest is released at MultiSafepay (or expires): void/void, notified while our
    // capture is still unknown. The order lists the capture.
    suite.sim.dropWebhooks = false;
    await suite.sim.voidAuthorization(authorized.id);
    await suite.h.webhooksSettled();
    expect(suite.sim.orders.get(authorized.id)!.related_transactions).toEqual([
      expect.objectContaining({ type: 'capture', amount: 700 }),
    ]);
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'capture' },
    });

    await suite.h.reconcile();
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 700,
      pendingOperation: null,
    });
    expect((await suite.h.events(authorized.id)).map((e) => e.toStatus)).not.toContain('canceled');
  });

  it("a partial capture: the authorization's void/void notified before capture() returns leaves it to the capture", async () => {
    const authorized = await payment('manual');
    suite.sim.dropWebhooks = false;
    // The release of the rest is done but its answer never comes: its void/void notification
    // is processed while our capture is still running.
    suite.sim.failNextCall('hang_after_work', {
      method: 'PATCH',
      path: new RegExp(`/capture/${authorized.id}$`),
    });
    const captured = await post(authorized, '/capture', {
      amount: { value: 700, currency: 'EUR' },
    });
    expect(captured.body).toMatchObject({ status: 'paid', amountCaptured: 700 });
    await suite.sim.settled();
    expect(suite.sim.orders.get(authorized.id)).toMatchObject({
      status: 'void',
      financial_status: 'void',
    });
    expect(
      suite.sim.webhooks.filter((w) => JSON.parse(w.body).order_id === authorized.id).pop(),
    ).toMatchObject({ status: 200 });
    await suite.h.reconcile();
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 700,
    });
    expect((await suite.h.events(authorized.id)).map((e) => e.toStatus)).not.toContain('canceled');
  });

  it('a voided authorization whose capture only its capture order shows is still not a cancellation', async () => {
    const authorized = await payment('manual');
    suite.sim.failNextCall('reset_after_work', {
      method: 'POST',
      path: new RegExp(`${authorized.id}/capture$`),
    });
    await post(authorized, '/capture', { amount: { value: 700, currency: 'EUR' } });
    const order = suite.sim.orders.get(authorized.id)!;
    order.related_transactions = []; // as if MultiSafepay did not list the capture
    suite.sim.dropWebhooks = false;
    await suite.sim.voidAuthorization(authorized.id);
    await suite.h.webhooksSettled();
    expect((await suite.h.payment(authorized.id)).status).toBe('authorized');
    await suite.h.reconcile();
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 700,
    });
  });
});
