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

  it('a refund whose answer is lost is found on the order and not sent again', async () => {
    const paid = await payment();
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
    expect(
      suite.sim.orders
        .get(paid.id)!
        .related_transactions.map((t) => [t.amount, t.description.startsWith(refund.body.id)]),
    ).toEqual([[400, true]]);
    expect(await suite.h.refundChanges(paid.id)).toHaveLength(1);
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

  /** The checkout_data MultiSafepay wants for a Klarna refund: the order's cart, plus minus the amount. */
  const cartRefund = (orderId: string, refundId: string, unitPrice: number) => ({
    checkout_data: {
      items: [
        ...suite.sim.orders.get(orderId)!.shopping_cart!.items,
        {
          name: 'Refund',
          unit_price: unitPrice,
          quantity: 1,
          merchant_item_id: refundId,
          tax_table_selector: 'none',
        },
      ],
    },
    description: expect.stringMatching(new RegExp(`^${refundId} `)),
  });

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
    ).toEqual([cartRefund(paid.id, part.body.id, -10), cartRefund(paid.id, rest.body.id, -14.95)]);
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
    const refund = await post(paid, '/refunds', { amount: { value: 500, currency: 'EUR' } });
    expect(refund).toMatchObject({ status: 201, body: { status: 'pending' } });

    const mark = suite.sim.requests.length;
    await suite.sim.settleRefunds(paid.id);
    await suite.h.reconcile();
    expect(await suite.h.payment(paid.id)).toMatchObject({
      status: 'partially_refunded',
      amountRefunded: 500,
    });
    expect(callsSince(mark, paid.id).filter((c) => c.startsWith('POST'))).toEqual([]);
    expect(suite.sim.orders.get(paid.id)!.related_transactions).toHaveLength(1);
  });

  it('a Klarna refund by amount, or with a cart missing an item or not coming to the amount, is refused', async () => {
    const paid = await klarnaPayment();
    const refund = async (body: unknown) =>
      (
        await fetch(`${suite.sim.url}/v1/json/orders/${paid.id}/refunds`, {
          method: 'POST',
          headers: { api_key: suite.sim.apiKey, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json();
    const { items } = cartRefund(paid.id, 're_dashboard', -2.5).checkout_data;
    expect(await refund({ currency: 'EUR', amount: 250, description: 'x' })).toMatchObject({
      success: false,
      error_code: 1016,
    });
    expect(await refund({ checkout_data: { items: items.slice(1) } })).toMatchObject({
      success: false,
      error_code: 1014,
    });
    expect(await refund({ checkout_data: { items }, amount: 300 })).toMatchObject({
      success: false,
      error_code: 1027,
    });
    expect(suite.sim.orders.get(paid.id)!.related_transactions).toEqual([]);
    expect(await refund({ checkout_data: { items }, amount: 250 })).toMatchObject({
      success: true,
    });
    expect(suite.sim.orders.get(paid.id)!.related_transactions[0].amount).toBe(250);
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
});
