import { createHmac } from 'node:crypto';
import { ReconciliationService } from '../../src/reconciliation/reconciliation.service';
import { eventually, paymentBody, TestServer } from '../support/test-server';
import { ConnectorHarness, useConnectorSuite } from '../simulators/connector-e2e-support';
import { MultisafepaySimulator } from '../simulators/multisafepay/multisafepay.simulator';
import { ADDRESS, LINES, ORDER_AMOUNT } from '../support/order-fixtures';

describe('MultiSafepay connector against the MultiSafepay simulator (sqlite)', () => {
  let server: TestServer;
  let msp: MultisafepaySimulator;
  let h: ConnectorHarness;
  let accountId: string;
  let webhookUrl: string;

  const suite = useConnectorSuite({
    simulator: () => new MultisafepaySimulator(),
    account: (sim) => ({
      provider: 'multisafepay',
      credentials: { apiKey: sim.apiKey },
      baseUrl: sim.url,
      settings: { requestTimeoutMs: 1000 },
    }),
  });
  beforeAll(() => {
    ({ server, sim: msp, h, accountId, webhookUrl } = suite);
  });

  beforeEach(() => {
    msp.dropWebhooks = false;
  });

  function signed(
    body: string,
    key: string,
    timestamp = Math.floor(Date.now() / 1000),
  ): Record<string, string> {
    const signature = createHmac('sha512', key).update(`${timestamp}:${body}`).digest('hex');
    return {
      'content-type': 'application/json',
      auth: Buffer.from(`${timestamp}:${signature}`).toString('base64'),
    };
  }

  it('refuses a malformed API key, naming the field', async () => {
    const response = await h.createAccount({
      provider: 'multisafepay',
      credentials: { apiKey: 'short' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('credentials.apiKey');
  });

  it('creates a redirect order in cents with the notification URL and returns payment_url', async () => {
    const payment = await h.createPayment(accountId, {
      amount: { value: 1050, currency: 'EUR' },
      method: 'bancontact',
      customer: { locale: 'nl-BE', email: 'k@example.com' },
    });
    expect(payment.provider).toEqual({
      name: 'multisafepay',
      accountId,
      paymentId: payment.id,
      testMode: true,
    });
    const order = msp.orders.get(payment.id)!;
    expect(order).toMatchObject({
      amount: 1050,
      currency: 'EUR',
      gateway: 'MISTERCASH',
      status: 'initialized',
      notification_url: webhookUrl,
      redirect_url: payment.returnUrl,
      customer: { locale: 'nl_BE', email: 'k@example.com' },
    });
    expect(payment.checkoutUrl).toBe(`${msp.url}/pay/${payment.id}`);
  });

  it('sends shopping_cart items excluding VAT with tax tables, customer, delivery and seconds_active', async () => {
    const expiresAt = new Date(Date.now() + 2 * 3600_000);
    const payment = await h.createPayment(accountId, {
      amount: ORDER_AMOUNT,
      method: 'klarna',
      lines: LINES,
      billingAddress: ADDRESS,
      shippingAddress: { ...ADDRESS, givenName: 'John', streetAndNumber: 'Damrak 1A' },
      expiresAt: expiresAt.toISOString(),
    });
    expect(payment.status).toBe('pending');
    const order = msp.orders.get(payment.id)!;
    expect(order.gateway).toBe('KLARNA');
    expect(order.shopping_cart!.items).toEqual([
      {
        name: LINES[0].name,
        unit_price: 8.2644628099,
        quantity: 2,
        merchant_item_id: '5702016116977',
        tax_table_selector: 'VAT21.00',
      },
      {
        name: 'Shipping',
        unit_price: 5.95,
        quantity: 1,
        merchant_item_id: 'msp-shipping',
        tax_table_selector: 'none',
      },
      {
        name: 'Welcome discount',
        unit_price: -1,
        quantity: 1,
        merchant_item_id: '3',
        tax_table_selector: 'none',
      },
    ]);
    expect(order.checkout_options).toEqual({
      tax_tables: {
        default: { shipping_taxed: false, rate: 0 },
        alternate: [
          { name: 'none', standalone: true, rules: [{ rate: 0 }] },
          { name: 'VAT21.00', standalone: true, rules: [{ rate: 0.21 }] },
        ],
      },
    });
    expect(order.customer).toEqual({
      first_name: 'Jane',
      last_name: 'Doe',
      address1: 'Keizersgracht',
      house_number: '126',
      zip_code: '1015 CW',
      city: 'Amsterdam',
      country: 'NL',
      phone: '+31208202070',
      email: 'jane@example.com',
    });
    expect(order.delivery).toMatchObject({
      first_name: 'John',
      address1: 'Damrak',
      house_number: '1A',
    });
    expect(order.seconds_active).toBeGreaterThan(7000);
    expect(order.seconds_active).toBeLessThanOrEqual(7200);
  });

  it('cuts a 255-character description to 200 and a 128-character reference (var1) to 100', async () => {
    const payment = await h.createPayment(accountId, {
      description: `${'d'.repeat(199)}😀${'x'.repeat(54)}`,
      reference: 'r'.repeat(128),
    });
    expect(payment.status).toBe('pending');
    const order = msp.orders.get(payment.id)!;
    // The emoji would straddle the 200th UTF-16 unit: it is left out, not split.
    expect(order.description).toBe('d'.repeat(199));
    expect(order.var1).toBe('r'.repeat(100));
    expect((await h.payment(payment.id)).description).toHaveLength(255);
  });

  it('the simulator refuses a cart that does not come to the amount (1027)', async () => {
    const response = await fetch(`${msp.url}/v1/json/orders`, {
      method: 'POST',
      headers: { api_key: msp.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'redirect',
        order_id: 'cart-mismatch',
        currency: 'EUR',
        amount: 1000,
        description: 'x',
        payment_options: { notification_url: webhookUrl, redirect_url: 'https://shop.example/r' },
        shopping_cart: {
          items: [{ name: 'x', unit_price: 9.0, quantity: 1, merchant_item_id: '1' }],
        },
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ success: false, error_code: 1027 });
  });

  it('refuses unsupported currencies with 422 not_supported_by_provider', async () => {
    for (const extra of [{ amount: { value: 100, currency: 'JPY' } }, { method: 'sofort' }]) {
      const response = await server.request('POST', '/api/v1/payments', {
        body: {
          amount: { value: 1000, currency: 'EUR' },
          description: 'x',
          reference: 'r-msp',
          returnUrl: 'https://shop.example/r',
          providerAccountId: accountId,
          ...extra,
        },
      });
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('not_supported_by_provider');
    }
  });

  it.each([
    ['paid', 'paid'],
    ['failed', 'failed'],
    ['canceled', 'canceled'],
    ['expired', 'expired'],
  ])(
    'checkout outcome %s reaches %s through a signed notification answered OK',
    async (outcome, status) => {
      const payment = await h.createPayment(accountId);
      const back = await h.checkout(payment.checkoutUrl, outcome);
      expect(back.headers.get('location')).toBe(
        `${outcome === 'canceled' ? payment.cancelUrl : payment.returnUrl}?transactionid=${payment.id}`,
      );
      await h.waitForStatus(payment.id, status);
      const hook = msp.webhooks[msp.webhooks.length - 1];
      expect(hook.url).toMatch(
        new RegExp(`^${webhookUrl}\\?transactionid=${payment.id}&timestamp=\\d+$`),
      );
      expect(hook.status).toBe(200);
      expect((await h.events(payment.id)).pop()).toMatchObject({
        fromStatus: 'pending',
        toStatus: status,
        source: 'webhook',
      });
    },
  );

  it.each([['ideal'], ['eps']])(
    'void/void of a %s payment the customer cancelled at their bank is canceled, not a chargeback',
    async (method) => {
      const payment = await h.createPayment(accountId, { method });
      await msp.cancelAtBank(payment.id);
      await h.waitForStatus(payment.id, 'canceled');
      expect(msp.orders.get(payment.id)).toMatchObject({
        status: 'void',
        financial_status: 'void',
        related_transactions: [],
      });
      expect((await h.events(payment.id)).pop()).toMatchObject({
        fromStatus: 'pending',
        toStatus: 'canceled',
        source: 'webhook',
      });
    },
  );

  it("methodUsed is the order's payment_details.type once the customer paid", async () => {
    const payment = await h.createPayment(accountId);
    expect(payment.methodUsed).toBeNull();
    expect(payment.provider.testMode).toBe(true);
    await h.checkout(payment.checkoutUrl, 'paid', { method: 'MISTERCASH' });
    const paid = await h.waitForStatus(payment.id, 'paid');
    expect(msp.orders.get(payment.id)!.payment_details.type).toBe('MISTERCASH');
    expect(paid.methodUsed).toBe('MISTERCASH');

    const ideal = await h.createPayment(accountId, { method: 'ideal' });
    await h.checkout(ideal.checkoutUrl, 'failed');
    expect((await h.waitForStatus(ideal.id, 'failed')).methodUsed).toBe('IDEAL');
  });

  it('answers OK as MultiSafepay expects', async () => {
    const payment = await h.createPayment(accountId);
    await h.checkout(payment.checkoutUrl, 'paid');
    const index = msp.webhooks.length - 1;
    const response = await fetch(msp.webhooks[index].url, {
      method: 'POST',
      headers: msp.webhooks[index].headers,
      body: msp.webhooks[index].body,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('OK');
  });

  it('manual capture: a card authorization is authorized, a partial capture makes it paid, refunds go to the capture order', async () => {
    const payment = await h.createPayment(accountId, { captureMode: 'manual' });
    expect(msp.orders.get(payment.id)).toMatchObject({
      gateway: 'CREDITCARD',
      captureMode: 'manual',
    });
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'authorized');
    const captured = await server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
      body: { amount: { value: 700, currency: 'EUR' } },
    });
    expect(captured.body).toMatchObject({ status: 'paid', amountCaptured: 700 });
    expect(msp.orders.get(`${payment.id}-capture`)).toMatchObject({
      amount: 700,
      status: 'completed',
    });
    // The rest of the authorization (350) is released, not left held on the card.
    expect(msp.orders.get(payment.id)).toMatchObject({
      status: 'void',
      financial_status: 'void',
      payment_details: { capture_remain: 0 },
    });
    expect(msp.calls.filter((c) => c.method === 'PATCH')).toContainEqual({
      method: 'PATCH',
      path: `/v1/json/capture/${payment.id}`,
    });
    await msp.settled(); // the authorization's void/void notification says nothing about it
    expect((await h.payment(payment.id)).status).toBe('paid');
    expect((await h.events(payment.id)).map((e) => e.toStatus)).not.toContain('canceled');
    const refund = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: { amount: { value: 200, currency: 'EUR' } },
    });
    expect(refund.body.status).toBe('pending');
    expect(
      msp.orders.get(`${payment.id}-capture`)!.related_transactions.map((t) => t.amount),
    ).toEqual([200]);
    await msp.settleRefunds(`${payment.id}-capture`);
    expect(await h.waitForStatus(payment.id, 'partially_refunded')).toMatchObject({
      amountRefunded: 200,
    });
    expect((await h.refunds(payment.id))[0]).toMatchObject({
      id: refund.body.id,
      status: 'succeeded',
    });
  });

  it('manual capture: a chargeback of the captured child order makes the payment charged_back', async () => {
    const payment = await h.createPayment(accountId, { captureMode: 'manual' });
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'authorized');
    await server.request('POST', `/api/v1/payments/${payment.id}/capture`);
    await h.waitForStatus(payment.id, 'paid');
    await msp.settled();
    await msp.chargeback(`${payment.id}-capture`);
    await h.waitForStatus(payment.id, 'charged_back');
  });

  const KLARNA_ORDER = {
    amount: ORDER_AMOUNT,
    method: 'klarna',
    lines: LINES,
    billingAddress: ADDRESS,
  };

  it('Klarna: completed/uncleared is authorized until capture ships the order (PATCH status shipped)', async () => {
    const payment = await h.createPayment(accountId, KLARNA_ORDER);
    await h.checkout(payment.checkoutUrl, 'paid');
    expect(await h.waitForStatus(payment.id, 'authorized')).toMatchObject({ amountCaptured: 0 });
    expect(msp.orders.get(payment.id)).toMatchObject({
      status: 'completed',
      financial_status: 'uncleared',
    });
    const partial = await server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
      body: { amount: { value: 500, currency: 'EUR' } },
    });
    expect(partial).toMatchObject({ status: 422, body: { code: 'not_supported_by_provider' } });

    const captured = await server.request('POST', `/api/v1/payments/${payment.id}/capture`);
    expect(captured.body).toMatchObject({ status: 'paid', amountCaptured: 2495 });
    const [ship] = msp.callsTo('PATCH', new RegExp(`/orders/${payment.id}$`));
    expect(JSON.parse(ship.body)).toMatchObject({ status: 'shipped' });
    expect(msp.orders.get(payment.id)).toMatchObject({
      status: 'shipped',
      financial_status: 'uncleared',
    });
    await msp.settled();
    await msp.collect(payment.id);
    expect(await h.payment(payment.id)).toMatchObject({ status: 'paid', amountCaptured: 2495 });
  });

  it('Klarna: cancel before shipment voids the order and is a cancellation, not a chargeback', async () => {
    const payment = await h.createPayment(accountId, KLARNA_ORDER);
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'authorized');
    const canceled = await server.request('POST', `/api/v1/payments/${payment.id}/cancel`);
    expect(canceled.body.status).toBe('canceled');
    expect(msp.orders.get(payment.id)).toMatchObject({ status: 'void', financial_status: 'void' });
    await msp.settled();
    expect((await h.payment(payment.id)).status).toBe('canceled');
  });

  it('manual capture: cancel releases the authorization (PATCH /capture/{id})', async () => {
    const payment = await h.createPayment(accountId, { captureMode: 'manual', method: 'card' });
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'authorized');
    const canceled = await server.request('POST', `/api/v1/payments/${payment.id}/cancel`);
    expect(canceled.body.status).toBe('canceled');
    expect(msp.orders.get(payment.id)).toMatchObject({ status: 'void', financial_status: 'void' });
  });

  it.each([
    ['a full capture (the transaction completed, notified)', undefined, {}, 1050],
    ['a partial capture (statuses unchanged), notified all the same', 700, { notify: true }, 700],
  ])(
    "manual capture: after %s in MultiSafepay's dashboard a cancel is refused without a release call, and the notification makes it paid",
    async (_label, amount, options, captured) => {
      const payment = await h.createPayment(accountId, { captureMode: 'manual', method: 'card' });
      await h.checkout(payment.checkoutUrl, 'paid');
      await h.waitForStatus(payment.id, 'authorized');
      msp.dropWebhooks = true; // its notification comes late: the cancel is sent first
      await msp.captureInDashboard(payment.id, amount, options);
      expect(msp.orders.get(payment.id)!.payment_details.capture_remain).toBe(1050 - captured);
      const notification = msp.webhooks.length - 1;
      expect(JSON.parse(msp.webhooks[notification].body)).toMatchObject({
        order_id: payment.id,
        payment_details: { capture_remain: 1050 - captured },
      });

      const refused = await server.request('POST', `/api/v1/payments/${payment.id}/cancel`);
      expect(refused).toMatchObject({ status: 422, body: { code: 'not_supported_by_provider' } });
      expect(msp.callsTo('PATCH', new RegExp(payment.id))).toEqual([]);
      expect(msp.orders.get(payment.id)!.status).toBe('completed');

      expect(await msp.redeliver(notification)).toBe(200);
      expect(await h.waitForStatus(payment.id, 'paid')).toMatchObject({
        amountCaptured: captured,
      });
      expect((await h.events(payment.id)).pop()).toMatchObject({
        fromStatus: 'authorized',
        toStatus: 'paid',
        source: 'webhook',
      });
      // Paid here now: a cancel is not even asked of MultiSafepay.
      expect((await server.request('POST', `/api/v1/payments/${payment.id}/cancel`)).status).toBe(
        409,
      );
      expect(msp.callsTo('PATCH', new RegExp(payment.id))).toEqual([]);
    },
  );

  it('Klarna without a shipping address: delivery is the billing address with the email, as MultiSafepay requires', async () => {
    const payment = await h.createPayment(accountId, KLARNA_ORDER);
    expect(payment.status).toBe('pending');
    expect(msp.orders.get(payment.id)!.delivery).toEqual({
      first_name: 'Jane',
      last_name: 'Doe',
      address1: 'Keizersgracht',
      house_number: '126',
      zip_code: '1015 CW',
      city: 'Amsterdam',
      country: 'NL',
      phone: '+31208202070',
      email: 'jane@example.com',
    });
    // A billing address without an email: the customer's.
    const other = await h.createPayment(accountId, {
      ...KLARNA_ORDER,
      billingAddress: { ...ADDRESS, email: undefined },
      customer: { email: 'buyer@example.com' },
    });
    expect(other.status).toBe('pending');
    expect(msp.orders.get(other.id)!.delivery).toMatchObject({
      first_name: 'Jane',
      email: 'buyer@example.com',
    });
  });

  it('manual capture of a method other than cards is not asked of MultiSafepay: 422 from the declared capabilities', async () => {
    const before = msp.orders.size;
    const response = await server.request('POST', '/api/v1/payments', {
      body: paymentBody({ providerAccountId: accountId, captureMode: 'manual', method: 'ideal' }),
    });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'not_supported_by_provider',
      detail: 'multisafepay does not support manual capture of ideal payments',
    });
    expect(msp.orders.size).toBe(before);
  });

  it('cancels an initialized order (PATCH status cancelled, exclude_order true)', async () => {
    const payment = await h.createPayment(accountId);
    const patch = (body: unknown) =>
      fetch(`${msp.url}/v1/json/orders/${payment.id}`, {
        method: 'PATCH',
        headers: { api_key: msp.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // The documented boolean only (requestBody/CancelOrder.yaml).
    expect((await patch({ status: 'cancelled', exclude_order: 1 })).status).toBe(400);
    const canceled = await server.request('POST', `/api/v1/payments/${payment.id}/cancel`);
    expect(canceled.body.status).toBe('canceled');
    expect(msp.orders.get(payment.id)!.status).toBe('void');
    const [sent] = msp.callsTo('PATCH', new RegExp(`/orders/${payment.id}$`)).slice(-1);
    expect(JSON.parse(sent.body)).toEqual({ status: 'cancelled', exclude_order: true });
  });

  it('partial then full refund through /orders/{id}/refunds', async () => {
    const payment = await h.createPayment(accountId);
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'paid');
    const first = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: { amount: { value: 400, currency: 'EUR' } },
    });
    expect(first.body.status).toBe('pending');
    const second = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: {},
    });
    expect(second.body).toMatchObject({ status: 'pending', amount: { value: 650 } });
    expect((await h.payment(payment.id)).status).toBe('paid');
    await msp.settleRefunds(payment.id);
    const refunded = await h.waitForStatus(payment.id, 'refunded');
    expect(refunded.amountRefunded).toBe(1050);
    // The notification's related transactions settled both refunds before the order status.
    expect((await h.refundChanges(payment.id)).map((e) => [e.toStatus, e.source])).toEqual([
      ['succeeded', 'webhook'],
      ['succeeded', 'webhook'],
    ]);
    expect(msp.orders.get(payment.id)!.related_transactions.map((t) => t.amount)).toEqual([
      400, 650,
    ]);
  });

  it('a refund MultiSafepay declines is failed by its notification and its amount is freed', async () => {
    const payment = await h.createPayment(accountId);
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'paid');
    const refund = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: {},
    });
    expect(refund.body.status).toBe('pending');
    await msp.settleRefunds(payment.id, 'declined');
    await eventually(async () =>
      (await h.refunds(payment.id))[0].status === 'failed' ? true : undefined,
    );
    expect(await h.refundChanges(payment.id)).toEqual([
      expect.objectContaining({ toStatus: 'failed', source: 'webhook' }),
    ]);
    expect(await h.payment(payment.id)).toMatchObject({ status: 'paid', amountRefunded: 0 });
    const again = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: {},
    });
    expect(again.body).toMatchObject({ status: 'pending', amount: { value: 1050 } });
  });

  it('a notification with a bad Auth header is 401 and changes nothing', async () => {
    const payment = await h.createPayment(accountId);
    const body = JSON.stringify({
      ...msp.view(msp.orders.get(payment.id)!),
      status: 'completed',
      financial_status: 'completed',
    });
    for (const headers of [
      signed(body, 'not-the-api-key'),
      { 'content-type': 'application/json' },
      signed(body, msp.apiKey, Math.floor(Date.now() / 1000) - 3600),
    ]) {
      const response = await fetch(webhookUrl, { method: 'POST', headers, body });
      expect(response.status).toBe(401);
    }
    expect((await h.payment(payment.id)).status).toBe('pending');
    expect((await h.events(payment.id)).some((e) => e.source === 'webhook')).toBe(false);
  });

  it('the same notification twice changes the status once', async () => {
    const payment = await h.createPayment(accountId);
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'paid');
    expect(await msp.redeliver(msp.webhooks.length - 1)).toBe(200);
    expect(
      (await h.events(payment.id)).filter((e) => e.type === 'payment.status_changed'),
    ).toHaveLength(1);
  });

  it('a MultiSafepay timeout surfaces as a retryable timeout error; a wrong key is final', async () => {
    msp.failNextCall('hang');
    const slow = await h.createPayment(accountId);
    expect(slow.failure.code).toBe('timeout');
    expect(await h.attempts(slow.id)).toEqual([
      expect.objectContaining({ errorCode: 'timeout', retryable: true }),
    ]);

    const other = (
      await h.createAccount({
        provider: 'multisafepay',
        credentials: { apiKey: 'a'.repeat(40) },
        baseUrl: msp.url,
      })
    ).body;
    const refused = await h.createPayment(other.id);
    const [attempt] = await h.attempts(refused.id);
    expect(attempt).toMatchObject({ errorCode: 'invalid_credentials', retryable: false });
    expect(attempt.errorMessage).toContain('1032');
  });

  it.each([
    ['void', 'void'],
    ['chargeback', 'void'],
    ['chargedback', 'chargedback'],
  ])(
    'a chargeback reported as %s/%s makes a paid payment charged_back',
    async (status, financial) => {
      const payment = await h.createPayment(accountId);
      await h.checkout(payment.checkoutUrl, 'paid');
      await h.waitForStatus(payment.id, 'paid');
      await msp.chargeback(payment.id, [status, financial]);
      await h.waitForStatus(payment.id, 'charged_back');
      expect((await h.events(payment.id)).pop()).toMatchObject({
        fromStatus: 'paid',
        toStatus: 'charged_back',
        source: 'webhook',
      });
    },
  );

  it('reconciliation polls MultiSafepay and recovers a payment whose notification was dropped', async () => {
    const payment = await h.createPayment(accountId);
    msp.dropWebhooks = true;
    await h.checkout(payment.checkoutUrl, 'paid');
    expect((await h.payment(payment.id)).status).toBe('pending');
    await server.server.app.get(ReconciliationService).runOnce();
    expect((await h.payment(payment.id)).status).toBe('paid');
    expect((await h.events(payment.id)).pop()).toMatchObject({ toStatus: 'paid', source: 'poll' });
  });

  it('an unverifiable notification costs no MultiSafepay call and changes nothing', async () => {
    const payment = await h.createPayment(accountId);
    msp.dropWebhooks = true;
    await h.checkout(payment.checkoutUrl, 'paid');
    const eventsBefore = await h.events(payment.id);
    const mark = msp.requests.length;
    const forged = JSON.stringify({
      ...msp.view(msp.orders.get(payment.id)!),
      status: 'declined',
      financial_status: 'declined',
    });
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: signed(forged, 'wrong-key'),
      body: forged,
    });
    expect(response.status).toBe(401);
    await h.webhooksSettled();
    expect(msp.requests.slice(mark)).toEqual([]);
    expect((await h.payment(payment.id)).status).toBe('pending');
    expect(await h.events(payment.id)).toEqual(eventsBefore);
  });

  describe('the simulator refuses what MultiSafepay refuses', () => {
    const valid = {
      type: 'redirect',
      order_id: 'sim-check',
      currency: 'EUR',
      amount: 1050,
      description: 'Order',
      payment_options: {
        notification_url: 'https://shop.example/n',
        redirect_url: 'https://shop.example/r',
      },
    };
    async function post(body: string, headers: Record<string, string> = {}) {
      const response = await fetch(`${msp.url}/v1/json/orders`, {
        method: 'POST',
        headers: { api_key: msp.apiKey, 'content-type': 'application/json', ...headers },
        body,
      });
      return { status: response.status, body: (await response.json()) as any };
    }

    it.each([
      ['a decimal amount', { amount: 10.5 }, 1001],
      ['an amount as a string', { amount: '1050' }, 1001],
      ['no description', { description: undefined }, 1008],
      ['a description of 201 characters', { description: 'd'.repeat(201) }, 1008],
      ['a var1 of 101 characters', { var1: 'r'.repeat(101) }, 1010],
      ['a var3 that is not text', { var3: 42 }, 1010],
      ['an unknown gateway', { gateway: 'NOPE' }, 1023],
      ['an unknown currency', { currency: 'JPY' }, 1002],
    ])('%s', async (_label, change, code) => {
      const response = await post(JSON.stringify({ ...valid, ...change }));
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ success: false, error_code: code });
    });

    describe('a Klarna order without its delivery (BNPL.yaml required: delivery; Delivery.yaml email "Required for: Klarna orders")', () => {
      const delivery = {
        first_name: 'Jane',
        last_name: 'Doe',
        address1: 'Keizersgracht',
        house_number: '126',
        zip_code: '1015 CW',
        city: 'Amsterdam',
        country: 'NL',
        email: 'jane@example.com',
      };
      const klarna = { ...valid, gateway: 'KLARNA' };

      it.each([
        ['no delivery', {}, 'delivery'],
        [
          'a delivery without email',
          { delivery: { ...delivery, email: undefined } },
          'delivery.email',
        ],
        [
          'a delivery without house_number',
          { delivery: { ...delivery, house_number: '' } },
          'delivery.house_number',
        ],
      ])('%s: 400, 1016 Missing data', async (_label, change, field) => {
        const response = await post(
          JSON.stringify({ ...klarna, order_id: 'sim-klarna', ...change }),
        );
        expect(response).toMatchObject({
          status: 400,
          body: { success: false, data: {}, error_code: 1016 },
        });
        expect(response.body.error_info).toContain(field);
        expect(msp.orders.has('sim-klarna')).toBe(false);
      });

      it('is taken with its delivery; another gateway without one is taken', async () => {
        expect(
          (await post(JSON.stringify({ ...klarna, order_id: 'sim-klarna-ok', delivery }))).body
            .success,
        ).toBe(true);
        expect(
          (await post(JSON.stringify({ ...valid, order_id: 'sim-ideal', gateway: 'IDEAL' }))).body
            .success,
        ).toBe(true);
      });
    });

    it('takes 200 characters of description and 100 of var1, counting an emoji as one', async () => {
      const response = await post(
        JSON.stringify({
          ...valid,
          order_id: 'sim-limits',
          description: '😀'.repeat(200),
          var1: 'r'.repeat(100),
        }),
      );
      expect(response.body.success).toBe(true);
    });

    it('an order_id used before (1006)', async () => {
      const body = JSON.stringify({ ...valid, order_id: 'sim-twice' });
      expect((await post(body)).body.success).toBe(true);
      expect(await post(body)).toMatchObject({
        status: 400,
        body: { success: false, error_code: 1006 },
      });
    });

    it('a Bearer header instead of api_key (401, 1032) and a form body', async () => {
      const bearer = await post(JSON.stringify(valid), {
        api_key: '',
        authorization: `Bearer ${msp.apiKey}`,
      });
      expect(bearer).toMatchObject({ status: 401, body: { error_code: 1032 } });
      expect(
        (
          await post('type=redirect&amount=1050', {
            'content-type': 'application/x-www-form-urlencoded',
          })
        ).status,
      ).toBe(400);
      expect((await post(JSON.stringify(valid))).body.success).toBe(true);
    });
  });
});
