import { randomBytes } from 'node:crypto';
import { ReconciliationService } from '../../src/reconciliation/reconciliation.service';
import { PaymentAttempt } from '../../src/payments/entities/payment-attempt.entity';
import { Payment } from '../../src/payments/entities/payment.entity';
import { PayPalSimulator } from '../simulators/paypal/paypal-simulator';
import { pspSpecsDir } from '../simulators/spec-validator';
import { paymentBody, submitCheckout, TestServer } from '../support/test-server';
import { ADDRESS, LINES, ORDER_AMOUNT } from '../support/order-fixtures';
import { ConnectorHarness, useConnectorSuite } from '../simulators/connector-e2e-support';

describe('PayPal connector against the PayPal simulator', () => {
  let server: TestServer;
  let sim: PayPalSimulator;
  let h: ConnectorHarness;
  let accountId: string;
  let publicUrl: string;
  const credentials = {
    clientId: `AYS${randomBytes(10).toString('hex')}`,
    clientSecret: `EGn${randomBytes(16).toString('hex')}`,
    webhookId: '8PT597110X687430LKGECATA',
  };

  // Webhooks and the buyer's return go through the public listener, as in production.
  const suite = useConnectorSuite({
    simulator: () => new PayPalSimulator(credentials),
    account: (paypal) => ({
      provider: 'paypal',
      name: 'PayPal sandbox',
      credentials,
      baseUrl: paypal.baseUrl,
      settings: { requestTimeoutMs: 3000 },
      enabled: true,
    }),
    publicListener: true,
  });
  beforeAll(() => {
    ({ server, sim, h, accountId } = suite);
    publicUrl = suite.publicUrl!;
    sim.webhookUrl = suite.webhookUrl;
  });

  it('refuses credentials without clientId, clientSecret and webhookId', async () => {
    const response = await server.request('POST', '/api/v1/admin/provider-accounts', {
      token: await server.adminToken(),
      body: {
        provider: 'paypal',
        name: 'broken',
        credentials: { clientId: 'x', webhookId: 'no spaces allowed' },
        testMode: true,
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['credentials.clientSecret', 'credentials.webhookId']),
    );
  });

  it('creates an order with a decimal-string amount and hands out the payer-action link', async () => {
    const payment = await h.createPayment(accountId, { amount: { value: 1050, currency: 'EUR' } });
    expect(payment.status).toBe('pending');
    const order = sim.orders.get(payment.provider.paymentId)!;
    expect(order.intent).toBe('CAPTURE');
    expect(order.request.purchase_units[0]).toMatchObject({
      amount: { currency_code: 'EUR', value: '10.50' },
      custom_id: payment.id,
    });
    expect(payment.checkoutUrl).toBe(`${sim.baseUrl}/checkoutnow?token=${order.id}`);
    expect(sim.rejected).toEqual([]);
  });

  it('sends order lines as items with amount.breakdown, the shipping address and the payer, spec-valid', async () => {
    const payment = await h.createPayment(accountId, {
      amount: ORDER_AMOUNT,
      lines: LINES,
      billingAddress: { ...ADDRESS, region: 'Noord-Holland' },
      shippingAddress: { ...ADDRESS, givenName: 'John' },
    });
    expect(payment.status).toBe('pending');
    expect(sim.rejected).toEqual([]);
    const request = sim.orders.get(payment.provider.paymentId)!.request;
    expect(request.purchase_units[0].amount).toEqual({
      currency_code: 'EUR',
      value: '24.95',
      breakdown: {
        item_total: { currency_code: 'EUR', value: '20.00' },
        shipping: { currency_code: 'EUR', value: '5.95' },
        discount: { currency_code: 'EUR', value: '1.00' },
      },
    });
    expect(request.purchase_units[0].items).toEqual([
      {
        name: LINES[0].name,
        unit_amount: { currency_code: 'EUR', value: '10.00' },
        quantity: '2',
        sku: '5702016116977',
        category: 'PHYSICAL_GOODS',
      },
    ]);
    expect(request.purchase_units[0].shipping).toEqual({
      type: 'SHIPPING',
      name: { full_name: 'John Doe' },
      address: {
        address_line_1: 'Keizersgracht 126',
        admin_area_2: 'Amsterdam',
        postal_code: '1015 CW',
        country_code: 'NL',
      },
    });
    expect(request.payment_source.paypal).toMatchObject({
      email_address: 'jane@example.com',
      name: { given_name: 'Jane', surname: 'Doe' },
      address: { admin_area_1: 'Noord-Holland', country_code: 'NL' },
      experience_context: { shipping_preference: 'SET_PROVIDED_ADDRESS' },
    });
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    expect((await h.waitForStatus(payment.id, 'paid')).amountCaptured).toBe(2495);
  });

  it('sends zero-decimal currencies without decimals (JPY)', async () => {
    const payment = await h.createPayment(accountId, { amount: { value: 1500, currency: 'JPY' } });
    expect(sim.orders.get(payment.provider.paymentId)!.request.purchase_units[0].amount).toEqual({
      currency_code: 'JPY',
      value: '1500',
    });
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    expect((await h.waitForStatus(payment.id, 'paid')).amountCaptured).toBe(1500);
  });

  it('HUF lines with fractional unit prices but a whole total: sent as the amount alone, without items', async () => {
    const huf = (value: number) => ({ value, currency: 'HUF' });
    const payment = await h.createPayment(accountId, {
      amount: huf(100000),
      lines: [
        { name: 'Sticker', quantity: 1, unitPrice: huf(50), totalAmount: huf(50) },
        { name: 'Poster', quantity: 1, unitPrice: huf(99950), totalAmount: huf(99950) },
      ],
    });
    expect(payment.status).toBe('pending');
    expect(sim.rejected).toEqual([]);
    const unit = sim.orders.get(payment.provider.paymentId)!.request.purchase_units[0];
    expect(unit.amount).toEqual({ currency_code: 'HUF', value: '1000' });
    expect(unit).not.toHaveProperty('items');
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    expect((await h.waitForStatus(payment.id, 'paid')).amountCaptured).toBe(100000);
  });

  it('HUF lines in whole forints are sent as items', async () => {
    const huf = (value: number) => ({ value, currency: 'HUF' });
    const payment = await h.createPayment(accountId, {
      amount: huf(100000),
      lines: [{ name: 'Poster', quantity: 2, unitPrice: huf(50000), totalAmount: huf(100000) }],
    });
    expect(payment.status).toBe('pending');
    const unit = sim.orders.get(payment.provider.paymentId)!.request.purchase_units[0];
    expect(unit.items).toEqual([
      expect.objectContaining({ unit_amount: { currency_code: 'HUF', value: '500' } }),
    ]);
    expect(unit.amount.breakdown).toEqual({ item_total: { currency_code: 'HUF', value: '1000' } });
  });

  it('caches the OAuth token across calls', async () => {
    const before = sim.tokensIssued;
    await h.createPayment(accountId);
    await h.createPayment(accountId);
    expect(sim.tokensIssued).toBe(before);
  });

  it('fetches a new token once when PayPal no longer accepts the cached one', async () => {
    sim.revokeTokens();
    const before = sim.tokensIssued;
    const payment = await h.createPayment(accountId);
    expect(payment.status).toBe('pending');
    expect(sim.tokensIssued).toBe(before + 1);
  });

  it('paid: the approval webhook makes the connector capture the order; the capture webhook agrees', async () => {
    const payment = await h.createPayment(accountId);
    const response = await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(
      `${sim.webhookUrl}?return=${payment.id}&token=${payment.provider.paymentId}&PayerID=QYR5Z8XDVJNXQ`,
    );
    const paid = await h.waitForStatus(payment.id, 'paid');
    expect(paid.amountCaptured).toBe(1050);
    expect(sim.calls).toContainEqual({
      method: 'POST',
      path: `/v2/checkout/orders/${payment.provider.paymentId}/capture`,
    });
    await sim.settled();
    expect(sim.delivered.map((d) => JSON.parse(d.body).event_type)).toContain(
      'PAYMENT.CAPTURE.COMPLETED',
    );
    expect((await h.events(payment.id)).filter((e: any) => e.toStatus === 'paid')).toHaveLength(1);
  });

  it("methodUsed is the key of the approved order's payment_source", async () => {
    const payment = await h.createPayment(accountId);
    expect(payment.methodUsed).toBeNull();
    expect(payment.provider.testMode).toBe(true);
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    expect((await h.waitForStatus(payment.id, 'paid')).methodUsed).toBe('paypal');

    const guest = await h.createPayment(accountId);
    await submitCheckout(guest.checkoutUrl, { outcome: 'paid', method: 'card' });
    expect((await h.waitForStatus(guest.id, 'paid')).methodUsed).toBe('card');
  });

  it("the buyer's return captures the order at once, without waiting for any webhook", async () => {
    const payment = await h.createPayment(accountId);
    sim.dropWebhooks = true;
    const approved = await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    sim.dropWebhooks = false;
    expect((await h.payment(payment.id)).status).toBe('pending');
    const back = await fetch(approved.headers.get('location')!, { redirect: 'manual' });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(
      `${payment.returnUrl}?token=${payment.provider.paymentId}&PayerID=QYR5Z8XDVJNXQ`,
    );
    expect(await h.payment(payment.id)).toMatchObject({ status: 'paid', amountCaptured: 1050 });
    expect(sim.orders.get(payment.provider.paymentId)!.status).toBe('COMPLETED');
  });

  it('the return route knows only PayPal payments of that account', async () => {
    const payment = await h.createPayment(accountId);
    const other = await fetch(`${publicUrl}/webhooks/paypal/pa_other?return=${payment.id}`, {
      redirect: 'manual',
    });
    expect(other.status).toBe(404);
  });

  it('an instrument declined at capture keeps the payment pending; approved again with another funding source, it is paid, captured once', async () => {
    const payment = await h.createPayment(accountId);
    const capturePath = new RegExp(`^/v2/checkout/orders/${payment.provider.paymentId}/capture$`);
    await submitCheckout(payment.checkoutUrl, { outcome: 'failed' });
    await h.webhooksSettled();
    expect(sim.callsTo('POST', capturePath)).toHaveLength(1);
    const order = sim.orders.get(payment.provider.paymentId)!;
    expect(order).toMatchObject({ status: 'APPROVED', captures: [] });
    expect((await h.payment(payment.id)).status).toBe('pending');
    await server.server.app.get(ReconciliationService).reconcilePayment(payment.id);
    expect((await h.payment(payment.id)).status).toBe('pending');

    // The buyer is sent back to PayPal and chooses another funding source.
    const again = await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    expect(again.status).toBe(303);
    const paid = await h.waitForStatus(payment.id, 'paid');
    expect(paid.amountCaptured).toBe(1050);
    await sim.settled();
    await h.webhooksSettled();
    expect(order.captures).toHaveLength(1);
    // The new approval is captured under a new PayPal-Request-Id: PayPal would answer the
    // first one's decline again.
    const ids = sim.callsTo('POST', capturePath).map((c) => c.headers['paypal-request-id']);
    expect(ids[ids.length - 1]).not.toBe(ids[0]);
    const events = await h.events(payment.id);
    expect(events.filter((e: any) => e.toStatus === 'paid')).toHaveLength(1);
    expect(events.some((e: any) => e.toStatus === 'failed')).toBe(false);
  });

  it('an order declined at capture that nobody approves again: once PayPal no longer knows it (404), nothing changes', async () => {
    const payment = await h.createPayment(accountId);
    await submitCheckout(payment.checkoutUrl, { outcome: 'failed' });
    await h.webhooksSettled();
    expect((await h.payment(payment.id)).status).toBe('pending');
    sim.expireOrder(payment.provider.paymentId); // past its 3-hour lifetime
    const result = await server.server.app.get(ReconciliationService).reconcilePayment(payment.id);
    expect(result).not.toBe('applied');
    expect((await h.payment(payment.id)).status).toBe('pending');
  });

  it("a 404 for an approved order (another REST app's credentials) does not expire the payment", async () => {
    const payment = await h.createPayment(accountId);
    sim.dropWebhooks = true;
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    sim.dropWebhooks = false;
    // The account now talks to PayPal as another app: PayPal answers INVALID_RESOURCE_ID.
    const order = sim.orders.get(payment.provider.paymentId)!;
    sim.orders.delete(order.id);
    await server.server.app.get(ReconciliationService).reconcilePayment(payment.id);
    expect((await h.payment(payment.id)).status).toBe('pending');
    // Back on the right app, the approved order is captured as the buyer meant.
    sim.orders.set(order.id, order);
    await server.server.app.get(ReconciliationService).reconcilePayment(payment.id);
    expect((await h.payment(payment.id)).status).toBe('paid');
    expect(order.captures).toHaveLength(1);
  });

  it('canceled by the buyer: PayPal sends nothing and the payment stays pending; the shop cannot cancel an unapproved order', async () => {
    const payment = await h.createPayment(accountId);
    const response = await submitCheckout(payment.checkoutUrl, { outcome: 'canceled' });
    const back = await fetch(response.headers.get('location')!, { redirect: 'manual' });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(
      `${payment.cancelUrl}?token=${payment.provider.paymentId}`,
    );
    expect((await h.payment(payment.id)).status).toBe('pending');
    const cancel = await server.request('POST', `/api/v1/payments/${payment.id}/cancel`);
    expect(cancel.status).toBe(422);
    expect(cancel.body.code).toBe('not_supported_by_provider');
  });

  it('expired: PayPal forgets the unapproved order after its lifetime; its 404 expires the payment only past the longest lifetime', async () => {
    const payment = await h.createPayment(accountId);
    await submitCheckout(payment.checkoutUrl, { outcome: 'expired' });
    const order = await fetch(`${sim.baseUrl}/checkoutnow?token=${payment.provider.paymentId}`);
    expect(order.status).toBe(404);
    const reconcile = () =>
      server.server.app.get(ReconciliationService).reconcilePayment(payment.id);
    await reconcile();
    expect((await h.payment(payment.id)).status).toBe('pending');
    // 75 hours is the longest an order can wait (72 to redirect, 3 to approve): older, it is gone.
    const createdAt = (hours: number) => new Date(Date.now() - hours * 3_600_000);
    const payments = server.dataSource.getRepository(Payment);
    await payments.update({ id: payment.id }, { createdAt: createdAt(74) });
    await reconcile();
    expect((await h.payment(payment.id)).status).toBe('pending');
    await payments.update({ id: payment.id }, { createdAt: createdAt(77) });
    await reconcile();
    expect((await h.payment(payment.id)).status).toBe('expired');
  });

  it('answers an order create 201 Created, and 200 to its idempotent repeat', async () => {
    const payment = await h.createPayment(accountId, {
      customer: { locale: 'nl_NL' },
      description: `${'x'.repeat(126)}😀 and more`,
    });
    const [create] = sim.callsTo('POST', /^\/v2\/checkout\/orders$/).slice(-1);
    const body = JSON.parse(create.body);
    // nl_NL is PayPal's nl-NL; the description is cut by code point, the emoji kept whole.
    expect(body.payment_source.paypal.experience_context.locale).toBe('nl-NL');
    expect(body.purchase_units[0].description).toBe(`${'x'.repeat(126)}😀`);
    expect(sim.rejected).toEqual([]);
    const send = () =>
      fetch(`${sim.baseUrl}/v2/checkout/orders`, {
        method: 'POST',
        headers: {
          authorization: create.headers.authorization as string,
          'content-type': 'application/json',
          'paypal-request-id': payment.id,
        },
        body: create.body,
      });
    const repeat = await send();
    expect(repeat.status).toBe(200);
    expect(((await repeat.json()) as { id: string }).id).toBe(payment.provider.paymentId);
  });

  it('manual capture: AUTHORIZE intent, authorized on approval, partial capture on the authorization', async () => {
    const payment = await h.createPayment(accountId, { captureMode: 'manual' });
    expect(sim.orders.get(payment.provider.paymentId)!.intent).toBe('AUTHORIZE');
    await submitCheckout(payment.checkoutUrl, { outcome: 'authorized' });
    await h.waitForStatus(payment.id, 'authorized');
    const authorizationId = sim.orders.get(payment.provider.paymentId)!.authorizations[0].id;
    const capture = await server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
      body: { amount: { value: 700, currency: 'EUR' } },
    });
    expect(capture.status).toBe(200);
    expect(capture.body).toMatchObject({ status: 'paid', amountCaptured: 700 });
    expect(sim.calls).toContainEqual({
      method: 'POST',
      path: `/v2/payments/authorizations/${authorizationId}/capture`,
    });
  });

  it('manual capture: canceling an authorized payment voids the authorization', async () => {
    const payment = await h.createPayment(accountId, { captureMode: 'manual' });
    await submitCheckout(payment.checkoutUrl, { outcome: 'authorized' });
    await h.waitForStatus(payment.id, 'authorized');
    const cancel = await server.request('POST', `/api/v1/payments/${payment.id}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('canceled');
    expect(sim.orders.get(payment.provider.paymentId)!.authorizations[0].status).toBe('VOIDED');
  });

  it('partial and full refunds go to the capture', async () => {
    const payment = await h.createPayment(accountId);
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    await h.waitForStatus(payment.id, 'paid');
    const first = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: { amount: { value: 250, currency: 'EUR' }, reason: 'damaged' },
    });
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('succeeded');
    const capture = sim.orders.get(payment.provider.paymentId)!.captures[0];
    expect(sim.orders.get(payment.provider.paymentId)!.refunds[0]).toMatchObject({
      amount: { currency_code: 'EUR', value: '2.50' },
      custom_id: first.body.id,
    });
    expect((await h.payment(payment.id)).status).toBe('partially_refunded');
    const rest = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: {},
    });
    expect(rest.body.status).toBe('succeeded');
    expect(await h.payment(payment.id)).toMatchObject({ status: 'refunded', amountRefunded: 1050 });
    expect(capture.status).toBe('REFUNDED');
    // The refund webhooks find the same refunds (by custom_id) and change nothing more.
    await sim.settled();
    const refunds = (await server.request('GET', `/api/v1/payments/${payment.id}/refunds`)).body
      .data;
    expect(refunds).toHaveLength(2);
  });

  it('a refund reason with line breaks goes to PayPal on one line (note_to_payer: ^.*$)', async () => {
    const payment = await h.createPayment(accountId);
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    await h.waitForStatus(payment.id, 'paid');
    const refund = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: { amount: { value: 100, currency: 'EUR' }, reason: 'Damaged\r\nin  transit\n' },
    });
    expect(refund.body.status).toBe('succeeded');
    expect(sim.rejected).toEqual([]);
    expect(sim.orders.get(payment.provider.paymentId)!.refunds[0].note_to_payer).toBe(
      'Damaged in transit',
    );
  });

  it('a refund made in the PayPal dashboard arrives by webhook and is recorded', async () => {
    const payment = await h.createPayment(accountId);
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    await h.waitForStatus(payment.id, 'paid');
    await sim.settled();
    sim.dashboardRefund(payment.provider.paymentId, '4.00');
    const after = await h.waitForStatus(payment.id, 'partially_refunded');
    expect(after.amountRefunded).toBe(400);
    const refunds = (await server.request('GET', `/api/v1/payments/${payment.id}/refunds`)).body
      .data;
    expect(refunds).toEqual([
      expect.objectContaining({ amount: { value: 400, currency: 'EUR' }, status: 'succeeded' }),
    ]);
  });

  it('a chargeback (PAYMENT.CAPTURE.REVERSED, a refund object naming only its capture) makes a paid payment charged_back, as PayPal confirms it', async () => {
    const payment = await h.createPayment(accountId);
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    await h.waitForStatus(payment.id, 'paid');
    await sim.settled();
    const before = sim.calls.length;
    const reversal = sim.reverseCapture(payment.provider.paymentId);
    expect(reversal).not.toHaveProperty('custom_id');
    expect(reversal).not.toHaveProperty('supplementary_data');
    await sim.settled();
    expect(sim.lastWebhook()!.status).toBe(200);
    await h.waitForStatus(payment.id, 'charged_back');
    // Named by its capture id, stored with the capture: found without asking PayPal; the
    // reversal itself is read back (refunds.get), as the body decides nothing.
    expect(sim.calls.slice(before)).toEqual([
      { method: 'GET', path: `/v2/payments/refunds/${reversal.id}` },
    ]);
    const events = (await h.events(payment.id)).filter((e: any) => e.toStatus === 'charged_back');
    expect(events).toEqual([expect.objectContaining({ source: 'webhook' })]);
  });

  it('a chargeback for a payment stored without its capture id is resolved through the capture, then read back', async () => {
    const payment = await h.createPayment(accountId);
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    await h.waitForStatus(payment.id, 'paid');
    await sim.settled();
    await h.webhooksSettled();
    // As a payment paid before capture ids were kept.
    await server.dataSource
      .getRepository(Payment)
      .update({ id: payment.id }, { providerReference: null });
    const captureId = sim.orders.get(payment.provider.paymentId)!.captures[0].id;
    const before = sim.calls.length;
    const reversal = sim.reverseCapture(payment.provider.paymentId);
    await sim.settled();
    await h.waitForStatus(payment.id, 'charged_back');
    // The capture names the order; the reversal read back names the capture, which (no
    // providerReference to compare with) is checked to be the order's.
    expect(sim.calls.slice(before)).toEqual([
      { method: 'GET', path: `/v2/payments/captures/${captureId}` },
      { method: 'GET', path: `/v2/payments/refunds/${reversal.id}` },
      { method: 'GET', path: `/v2/payments/captures/${captureId}` },
    ]);
  });

  it('a webhook whose signature does not verify is 401, changes nothing and costs no PayPal call', async () => {
    const payment = await h.createPayment(accountId);
    sim.dropWebhooks = true;
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    sim.dropWebhooks = false;
    const forged = JSON.stringify({
      id: 'WH-FORGED',
      event_type: 'PAYMENT.CAPTURE.COMPLETED',
      resource_type: 'capture',
      resource: {
        id: 'X',
        status: 'COMPLETED',
        amount: { currency_code: 'EUR', value: '10.50' },
        supplementary_data: { related_ids: { order_id: payment.provider.paymentId } },
      },
    });
    const good = sim.lastWebhook()!.headers;
    const before = sim.calls.length;
    const status = await sim.deliver(forged, good); // headers of another delivery: the signature does not match
    expect(status).toBe(401);
    await h.webhooksSettled();
    // Not trusted, and no poll either: a poll would have captured the approved order.
    expect(sim.calls.slice(before)).toEqual([]);
    expect(sim.orders.get(payment.provider.paymentId)!.status).toBe('APPROVED');
    expect((await h.payment(payment.id)).status).toBe('pending');
    expect((await h.events(payment.id)).some((e: any) => e.source === 'webhook')).toBe(false);
  });

  it('an event it does not map is accepted, logged and changes nothing', async () => {
    const payment = await h.createPayment(accountId);
    await sim.emit('CUSTOMER.DISPUTE.CREATED', 'dispute', {
      dispute_id: 'PP-D-1',
      disputed_transactions: [],
    });
    expect(sim.lastWebhook()!.status).toBe(200);
    expect((await h.payment(payment.id)).status).toBe('pending');
    expect(await h.events(payment.id)).toHaveLength(1);
  });

  it('the same webhook twice changes the status once', async () => {
    const payment = await h.createPayment(accountId);
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    await h.waitForStatus(payment.id, 'paid');
    await sim.settled();
    const last = sim.lastWebhook()!;
    expect(await sim.deliver(last.body, last.headers)).toBe(200);
    expect((await h.events(payment.id)).filter((e: any) => e.toStatus === 'paid')).toHaveLength(1);
  });

  it('a PSP timeout surfaces as a retryable error', async () => {
    await h.createPayment(accountId); // a cached token, so the next call is the order itself
    sim.failNextCall('hang');
    const payment = await h.createPayment(accountId);
    expect(payment.status).toBe('failed');
    expect(payment.failure.code).toBe('timeout');
    expect(payment.routing.attempts[payment.routing.attempts.length - 1].error).toMatch(/^timeout/);
    const attempts = await server.dataSource
      .getRepository(PaymentAttempt)
      .findBy({ paymentId: payment.id });
    expect(attempts).toEqual([
      expect.objectContaining({ errorCode: 'timeout', retryable: true, outcome: 'failed' }),
    ]);
  });

  it('a PSP 503 surfaces as provider_unavailable (retryable)', async () => {
    await h.createPayment(accountId);
    sim.failNextCall('unavailable');
    const payment = await h.createPayment(accountId);
    expect(payment.status).toBe('failed');
    expect(payment.failure.code).toBe('provider_unavailable');
  });

  it('the poll recovers a payment whose webhooks were dropped (and captures the approved order)', async () => {
    const payment = await h.createPayment(accountId);
    sim.dropWebhooks = true;
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    expect((await h.payment(payment.id)).status).toBe('pending');
    await server.server.app.get(ReconciliationService).reconcilePayment(payment.id);
    sim.dropWebhooks = false;
    const after = await h.payment(payment.id);
    expect(after).toMatchObject({ status: 'paid', amountCaptured: 1050 });
    expect((await h.events(payment.id)).pop()).toMatchObject({ toStatus: 'paid', source: 'poll' });
  });

  it('wrong client credentials are invalid_credentials (final)', async () => {
    const created = await server.request('POST', '/api/v1/admin/provider-accounts', {
      token: await server.adminToken(),
      body: {
        provider: 'paypal',
        name: 'wrong secret',
        credentials: { ...credentials, clientSecret: 'wrong' },
        baseUrl: sim.baseUrl,
        testMode: true,
      },
    });
    const payment = (
      await server.request('POST', '/api/v1/payments', {
        body: paymentBody({ providerAccountId: created.body.id }),
      })
    ).body;
    expect(payment.status).toBe('failed');
    expect(payment.failure.code).toBe('invalid_credentials');
  });

  it('refuses a currency PayPal does not take (declared capabilities): 422 not_supported_by_provider', async () => {
    const response = await server.request('POST', '/api/v1/payments', {
      body: paymentBody({ providerAccountId: accountId, amount: { value: 1000, currency: 'ISK' } }),
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('not_supported_by_provider');
  });

  describe('the simulator refuses what PayPal refuses (so a connector bug fails a test)', () => {
    const withSpecs = pspSpecsDir() ? it : it.skip;
    const token = async () => {
      const response = await fetch(`${sim.baseUrl}/v1/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      return ((await response.json()) as any).access_token as string;
    };
    const order = async (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${sim.baseUrl}/v2/checkout/orders`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await token()}`,
          'content-type': 'application/json',
          ...headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const valid = (amount: unknown = { currency_code: 'EUR', value: '10.00' }) => ({
      intent: 'CAPTURE',
      purchase_units: [{ amount }],
      payment_source: {
        paypal: {
          experience_context: {
            return_url: 'https://shop.example/r',
            cancel_url: 'https://shop.example/c',
          },
        },
      },
    });

    it('a wrong bearer token: 401 AUTHENTICATION_FAILURE', async () => {
      const response = await order(valid(), { authorization: 'Bearer nope' });
      expect(response.status).toBe(401);
      expect(((await response.json()) as any).name).toBe('AUTHENTICATION_FAILURE');
    });

    it('wrong client credentials at the token endpoint: 401 invalid_client', async () => {
      const response = await fetch(`${sim.baseUrl}/v1/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from('a:b').toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      expect(response.status).toBe(401);
      expect(((await response.json()) as any).error).toBe('invalid_client');
    });

    it('too many decimals for the currency: 422 DECIMAL_PRECISION / DECIMALS_NOT_SUPPORTED', async () => {
      const eur = await order(valid({ currency_code: 'EUR', value: '10.505' }));
      expect(eur.status).toBe(422);
      expect(((await eur.json()) as any).details[0].issue).toBe('DECIMAL_PRECISION');
      const jpy = await order(valid({ currency_code: 'JPY', value: '10.50' }));
      expect(((await jpy.json()) as any).details[0].issue).toBe('DECIMALS_NOT_SUPPORTED');
    });

    it.each([
      [
        'items without item_total',
        { currency_code: 'EUR', value: '10.00' },
        [{ name: 'x', quantity: '1', unit_amount: { currency_code: 'EUR', value: '10.00' } }],
        'ITEM_TOTAL_REQUIRED',
      ],
      [
        'an item_total that is not the items',
        {
          currency_code: 'EUR',
          value: '10.00',
          breakdown: { item_total: { currency_code: 'EUR', value: '10.00' } },
        },
        [{ name: 'x', quantity: '2', unit_amount: { currency_code: 'EUR', value: '10.00' } }],
        'ITEM_TOTAL_MISMATCH',
      ],
      [
        'a breakdown that is not the amount',
        {
          currency_code: 'EUR',
          value: '10.00',
          breakdown: {
            item_total: { currency_code: 'EUR', value: '10.00' },
            shipping: { currency_code: 'EUR', value: '1.00' },
          },
        },
        [{ name: 'x', quantity: '1', unit_amount: { currency_code: 'EUR', value: '10.00' } }],
        'AMOUNT_MISMATCH',
      ],
    ])('%s: 422 with the issue PayPal names', async (_label, amount, items, issue) => {
      const body = valid(amount);
      (body.purchase_units[0] as Record<string, unknown>).items = items;
      const response = await order(body);
      expect(response.status).toBe(422);
      expect(((await response.json()) as any).details[0].issue).toBe(issue);
    });

    withSpecs(
      'an amount as a number, a bad intent or a missing field: 400 INVALID_REQUEST',
      async () => {
        const numeric = await order(valid({ currency_code: 'EUR', value: 10.5 }));
        expect(numeric.status).toBe(400);
        expect(((await numeric.json()) as any).name).toBe('INVALID_REQUEST');
        expect((await order({ ...valid(), intent: 'SALE' })).status).toBe(400);
        expect((await order({ intent: 'CAPTURE' })).status).toBe(400);
      },
    );
  });
});
