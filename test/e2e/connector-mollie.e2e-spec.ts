import { Logger } from '@nestjs/common';
import { ReconciliationService } from '../../src/reconciliation/reconciliation.service';
import { WebhookDelivery } from '../../src/webhooks/webhook-delivery.entity';
import { eventually, paymentBody, TestServer } from '../support/test-server';
import { ConnectorHarness, useConnectorSuite } from '../simulators/connector-e2e-support';
import { MollieSimulator } from '../simulators/mollie/mollie.simulator';
import { ADDRESS, LINES, ORDER_AMOUNT } from '../support/order-fixtures';

describe('Mollie connector against the Mollie simulator (sqlite)', () => {
  let server: TestServer;
  let mollie: MollieSimulator;
  let h: ConnectorHarness;
  let accountId: string;
  let webhookUrl: string;

  const suite = useConnectorSuite({
    simulator: () => new MollieSimulator(),
    account: (sim) => ({
      provider: 'mollie',
      credentials: { apiKey: sim.apiKey },
      baseUrl: sim.url,
      settings: { requestTimeoutMs: 1000 },
    }),
  });
  beforeAll(() => {
    ({ server, sim: mollie, h, accountId, webhookUrl } = suite);
  });

  beforeEach(() => {
    mollie.dropWebhooks = false;
  });

  it('refuses an API key without the test_/live_ prefix, naming the field', async () => {
    const response = await h.createAccount({
      provider: 'mollie',
      credentials: { apiKey: 'abc123' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('credentials.apiKey');
  });

  it('refuses a requestTimeoutMs setting out of range, naming the field', async () => {
    const response = await h.createAccount({
      provider: 'mollie',
      credentials: { apiKey: mollie.apiKey },
      settings: { requestTimeoutMs: 5 },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('settings.requestTimeoutMs');
  });

  it('creates the payment in Mollie wire format: decimal string amount, webhook URL, hosted checkout link', async () => {
    const payment = await h.createPayment(accountId, {
      amount: { value: 1050, currency: 'EUR' },
      method: 'card',
      customer: { locale: 'nl-NL' },
    });
    expect(payment).toMatchObject({
      status: 'pending',
      provider: { name: 'mollie', accountId, paymentId: expect.stringMatching(/^tr_/) },
    });
    const atMollie = mollie.payments.get(payment.provider.paymentId)!;
    expect(atMollie.amount).toEqual({ currency: 'EUR', value: '10.50' });
    expect(atMollie.method).toBe('creditcard');
    expect(atMollie.webhookUrl).toBe(webhookUrl);
    expect(atMollie.redirectUrl).toBe(payment.returnUrl);
    expect(payment.checkoutUrl).toBe(`${mollie.url}/checkout/${atMollie.id}`);

    const yen = await h.createPayment(accountId, { amount: { value: 1500, currency: 'JPY' } });
    expect(mollie.payments.get(yen.provider.paymentId)!.amount).toEqual({
      currency: 'JPY',
      value: '1500',
    });
  });

  it('refuses what Mollie cannot do with 422 not_supported_by_provider', async () => {
    const currency = await server.request('POST', '/api/v1/payments', {
      body: {
        amount: { value: 1000, currency: 'BHD' },
        description: 'x',
        reference: 'r-bhd',
        returnUrl: 'https://shop.example/r',
        providerAccountId: accountId,
      },
    });
    expect(currency.status).toBe(422);
    expect(currency.body.code).toBe('not_supported_by_provider');
    const method = await server.request('POST', '/api/v1/payments', {
      body: {
        amount: { value: 1000, currency: 'EUR' },
        description: 'x',
        reference: 'r-gp',
        returnUrl: 'https://shop.example/r',
        method: 'googlepay',
        providerAccountId: accountId,
      },
    });
    expect(method.status).toBe(422);
    expect(method.body.code).toBe('not_supported_by_provider');
    // Klarna at Mollie takes no pounds: refused here, before Mollie's 422 could fail it.
    const sent = mollie.payments.size;
    const klarna = await server.request('POST', '/api/v1/payments', {
      body: {
        amount: { value: 2495, currency: 'GBP' },
        description: 'x',
        reference: 'r-klarna-gbp',
        returnUrl: 'https://shop.example/r',
        method: 'klarna',
        lines: LINES.map((line) => ({
          ...line,
          unitPrice: { ...line.unitPrice, currency: 'GBP' },
          totalAmount: { ...line.totalAmount, currency: 'GBP' },
          vatAmount: line.vatAmount && { ...line.vatAmount, currency: 'GBP' },
        })),
        billingAddress: ADDRESS,
        providerAccountId: accountId,
      },
    });
    expect(klarna.status).toBe(422);
    expect(klarna.body.code).toBe('not_supported_by_provider');
    expect(mollie.payments.size).toBe(sent);
  });

  it.each([
    ['paid', 'paid'],
    ['failed', 'failed'],
    ['canceled', 'canceled'],
    ['expired', 'expired'],
  ])('checkout outcome %s reaches %s through the id-only webhook', async (outcome, status) => {
    const payment = await h.createPayment(accountId);
    const redirect = await h.checkout(payment.checkoutUrl, outcome);
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toBe(
      outcome === 'canceled' ? payment.cancelUrl : payment.returnUrl,
    );
    const after = await h.waitForStatus(payment.id, status);
    expect(after.amountCaptured).toBe(status === 'paid' ? 1050 : 0);
    const last = (await h.events(payment.id)).pop();
    expect(last).toMatchObject({
      fromStatus: 'pending',
      toStatus: status,
      source: 'webhook',
      ignored: false,
    });
    const hook = mollie.webhooks[mollie.webhooks.length - 1];
    expect(hook.body).toBe(`id=${payment.provider.paymentId}`);
    expect(hook.status).toBe(200);
  });

  it('methodUsed is the method Mollie reports once the customer chose it; provider.testMode from the account', async () => {
    const payment = await h.createPayment(accountId);
    expect(payment.methodUsed).toBeNull();
    expect(payment.provider.testMode).toBe(true);
    expect(mollie.payments.get(payment.provider.paymentId)!.method).toBeNull();
    await h.checkout(payment.checkoutUrl, 'paid', { method: 'bancontact' });
    const paid = await h.waitForStatus(payment.id, 'paid');
    expect(paid.methodUsed).toBe('bancontact');
    expect(paid.method).toBeNull();
    const [event] = await h.outbox(payment.id, 'payment.status_changed');
    expect(event.data.payment.methodUsed).toBe('bancontact');

    // A method the shop fixed is Mollie's id for it, not ours.
    const card = await h.createPayment(accountId, { method: 'card' });
    await h.checkout(card.checkoutUrl, 'failed');
    expect((await h.waitForStatus(card.id, 'failed')).methodUsed).toBe('creditcard');
  });

  it('sends lines, addresses and the shop metadata in Mollie format', async () => {
    const payment = await h.createPayment(accountId, {
      amount: ORDER_AMOUNT,
      method: 'klarna',
      lines: LINES,
      billingAddress: { ...ADDRESS, email: undefined, organizationName: 'Example B.V.' },
      shippingAddress: { ...ADDRESS, givenName: 'John', region: 'Noord-Holland' },
      customer: { email: 'jane@example.com', name: 'Jane Doe' },
      metadata: { orderId: '1042' },
    });
    expect(payment.status).toBe('pending');
    const atMollie = mollie.payments.get(payment.provider.paymentId)!;
    expect(atMollie.method).toBe('klarna');
    expect(atMollie.amount).toEqual({ currency: 'EUR', value: '24.95' });
    expect(atMollie.lines).toEqual([
      {
        type: 'physical',
        description: 'LEGO 4440 Forest Police Station',
        quantity: 2,
        unitPrice: { currency: 'EUR', value: '10.00' },
        totalAmount: { currency: 'EUR', value: '20.00' },
        vatRate: '21.00',
        vatAmount: { currency: 'EUR', value: '3.47' },
        sku: '5702016116977',
      },
      {
        type: 'shipping_fee',
        description: 'Shipping',
        quantity: 1,
        unitPrice: { currency: 'EUR', value: '5.95' },
        totalAmount: { currency: 'EUR', value: '5.95' },
      },
      {
        type: 'discount',
        description: 'Welcome discount',
        quantity: 1,
        unitPrice: { currency: 'EUR', value: '-1.00' },
        totalAmount: { currency: 'EUR', value: '-1.00' },
      },
    ]);
    // The customer's email fills in the billing address's, which Klarna needs.
    expect(atMollie.billingAddress).toEqual({
      givenName: 'Jane',
      familyName: 'Doe',
      organizationName: 'Example B.V.',
      email: 'jane@example.com',
      phone: '+31208202070',
      streetAndNumber: 'Keizersgracht 126',
      postalCode: '1015 CW',
      city: 'Amsterdam',
      country: 'NL',
    });
    expect(atMollie.shippingAddress).toMatchObject({ givenName: 'John', region: 'Noord-Holland' });
    expect(atMollie.metadata).toEqual({
      orderId: '1042',
      paymentId: payment.id,
      reference: payment.reference,
    });

    const yen = await h.createPayment(accountId, {
      amount: { value: 1500, currency: 'JPY' },
      lines: [
        {
          name: 'Tea',
          quantity: 3,
          unitPrice: { value: 500, currency: 'JPY' },
          totalAmount: { value: 1500, currency: 'JPY' },
          vatRate: '10.00',
          vatAmount: { value: 136, currency: 'JPY' },
        },
      ],
    });
    expect(mollie.payments.get(yen.provider.paymentId)!.lines).toEqual([
      expect.objectContaining({
        unitPrice: { currency: 'JPY', value: '500' },
        vatAmount: { currency: 'JPY', value: '136' },
      }),
    ]);
  });

  it('manual capture: authorized at checkout, partially captured through the captures API', async () => {
    const payment = await h.createPayment(accountId, { captureMode: 'manual', method: 'card' });
    expect(mollie.payments.get(payment.provider.paymentId)!.captureMode).toBe('manual');
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'authorized');
    const captured = await server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
      body: { amount: { value: 800, currency: 'EUR' } },
    });
    expect(captured.status).toBe(200);
    expect(captured.body).toMatchObject({ status: 'paid', amountCaptured: 800 });
    expect(mollie.payments.get(payment.provider.paymentId)!.amountCaptured).toEqual({
      currency: 'EUR',
      value: '8.00',
    });
  });

  it('does not ask Mollie for manual capture of a method it cannot capture separately: 422 from the declared capabilities', async () => {
    const before = mollie.payments.size;
    const response = await server.request('POST', '/api/v1/payments', {
      body: paymentBody({ providerAccountId: accountId, captureMode: 'manual', method: 'ideal' }),
    });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'not_supported_by_provider',
      detail: 'mollie does not support manual capture of ideal payments',
    });
    expect(mollie.payments.size).toBe(before);
  });

  it('cancels an authorized payment at Mollie (DELETE)', async () => {
    const payment = await h.createPayment(accountId, { captureMode: 'manual' });
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'authorized');
    const canceled = await server.request('POST', `/api/v1/payments/${payment.id}/cancel`);
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('canceled');
    expect(mollie.payments.get(payment.provider.paymentId)!.status).toBe('canceled');
  });

  it.each([
    ['a card', 'card', 'creditcard'],
    ['an iDEAL', 'ideal', 'ideal'],
    ['a not yet chosen', undefined, null],
  ] as const)(
    'refuses to cancel an open payment by %s method, which Mollie cannot cancel (isCancelable false): 422, no DELETE, nothing changes',
    async (_label, method, mollieMethod) => {
      const payment = await h.createPayment(accountId, method ? { method } : {});
      const atMollie = mollie.payments.get(payment.provider.paymentId)!;
      expect(atMollie).toMatchObject({ status: 'open', method: mollieMethod });
      const deletes = new RegExp(`^/v2/payments/${payment.provider.paymentId}$`);
      const refused = await server.request('POST', `/api/v1/payments/${payment.id}/cancel`);
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({
        code: 'provider_invalid_request',
        detail: expect.stringContaining('not cancelable at Mollie'),
      });
      expect(mollie.callsTo('DELETE', deletes)).toEqual([]);
      expect(atMollie.status).toBe('open');
      expect(await h.payment(payment.id)).toMatchObject({
        status: 'pending',
        pendingOperation: null,
      });
      expect((await h.events(payment.id)).filter((e) => e.toStatus === 'canceled')).toEqual([]);

      // The customer can still pay it.
      await h.checkout(payment.checkoutUrl, 'paid');
      await h.waitForStatus(payment.id, 'paid');
    },
  );

  it('cancels an open bank transfer payment, which Mollie can cancel until the money arrives', async () => {
    const payment = await h.createPayment(accountId, { method: 'banktransfer' });
    const canceled = await server.request('POST', `/api/v1/payments/${payment.id}/cancel`);
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ status: 'canceled', pendingOperation: null });
    expect(mollie.payments.get(payment.provider.paymentId)!.status).toBe('canceled');
    expect(
      mollie.callsTo('DELETE', new RegExp(`^/v2/payments/${payment.provider.paymentId}$`)),
    ).toHaveLength(1);
  });

  it("sends the shop's metadata when all of it fits in Mollie's 1 KB", async () => {
    // 900 characters of the shop's own, plus ours: just under 1,024 bytes of JSON.
    const metadata = { a: 'x'.repeat(300), b: 'y'.repeat(300), c: 'z'.repeat(300) };
    const payment = await h.createPayment(accountId, { metadata });
    const sent = mollie.payments.get(payment.provider.paymentId)!.metadata;
    expect(sent).toEqual({ ...metadata, paymentId: payment.id, reference: payment.reference });
    expect(Buffer.byteLength(JSON.stringify(sent))).toBeLessThanOrEqual(1024);
  });

  it("leaves out the shop's metadata that Mollie would refuse (over 1 KB), keeps ours, and logs no values", async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const metadata = Object.fromEntries(
        Array.from({ length: 10 }, (_, i) => [`key${i}`, `secret-${i}-${'v'.repeat(200)}`]),
      );
      const payment = await h.createPayment(accountId, { metadata });
      expect(payment.status).toBe('pending');
      expect(payment.metadata).toEqual(metadata);
      expect(mollie.payments.get(payment.provider.paymentId)!.metadata).toEqual({
        paymentId: payment.id,
        reference: payment.reference,
      });
      const logged = warn.mock.calls.filter(([entry]) =>
        String((entry as any)?.msg).includes('metadata'),
      );
      expect(logged).toEqual([
        [expect.objectContaining({ paymentId: payment.id, keys: 10, limit: 1024 })],
      ]);
      expect(JSON.stringify(logged)).not.toContain('secret-');
    } finally {
      warn.mockRestore();
    }
  });

  // A partial one stays authorized at Mollie until the poll releases the rest
  // (connector-mollie-operations.e2e-spec.ts).
  it('a full capture Mollie accepts as pending leaves the payment authorized, then settles when Mollie reports it succeeded', async () => {
    const payment = await h.createPayment(accountId, { captureMode: 'manual', method: 'card' });
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'authorized');
    mollie.pendingCaptures = true;
    try {
      const captured = await server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
        body: {},
      });
      expect(captured.status).toBe(200);
      expect(captured.body).toMatchObject({
        status: 'authorized',
        amountCaptured: 0,
        pendingOperation: {
          type: 'capture',
          stage: 'accepted',
          amount: { value: 1050, currency: 'EUR' },
        },
      });
      const atMollie = mollie.payments.get(payment.provider.paymentId)!;
      expect(atMollie.status).toBe('authorized');
      expect(atMollie.captures.map((c) => c.status)).toEqual(['pending']);

      expect(await mollie.settlePendingCaptures({ notify: true })).toBe(1);
      const paid = await h.waitForStatus(payment.id, 'paid');
      expect(paid).toMatchObject({ amountCaptured: 1050, pendingOperation: null });
      expect((await h.events(payment.id)).pop()).toMatchObject({
        fromStatus: 'authorized',
        toStatus: 'paid',
        source: 'webhook',
      });
    } finally {
      mollie.pendingCaptures = false;
    }
  });

  it('partial then full refund: pending at Mollie, settled by the webhook', async () => {
    const payment = await h.createPayment(accountId);
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'paid');
    const first = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: { amount: { value: 300, currency: 'EUR' }, reason: 'one item back' },
    });
    expect(first.status).toBe(201);
    const partially = await h.waitForStatus(payment.id, 'partially_refunded');
    expect(partially.amountRefunded).toBe(300);
    const second = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: {},
    });
    expect(second.status).toBe(201);
    expect(second.body.amount).toEqual({ value: 750, currency: 'EUR' });
    const refunded = await h.waitForStatus(payment.id, 'refunded');
    expect(refunded.amountRefunded).toBe(1050);
    const atMollie = mollie.payments.get(payment.provider.paymentId)!;
    expect(atMollie.refunds.map((r) => r.amount.value)).toEqual(['3.00', '7.50']);
    expect((await h.refunds(payment.id)).map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    const changes = (await h.events(payment.id)).filter((e) => e.type === 'payment.status_changed');
    expect(changes.map((e) => [e.toStatus, e.ignored])).toEqual([
      ['paid', false],
      ['partially_refunded', false],
      ['refunded', false],
    ]);
  });

  it('a refund that Mollie fails is failed here and frees its amount', async () => {
    const payment = await h.createPayment(accountId);
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'paid');
    mollie.failNextRefund = true;
    const refund = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: { amount: { value: 500, currency: 'EUR' } },
    });
    expect(refund.body.status).toBe('pending');
    await eventually(async () => (await h.refunds(payment.id))[0]?.status === 'failed');
    expect(await h.payment(payment.id)).toMatchObject({ status: 'paid', amountRefunded: 0 });
  });

  it('answers 401 to a webhook that is not an id=tr_… form post, asks Mollie nothing and changes nothing', async () => {
    const payment = await h.createPayment(accountId);
    const calls = mollie.calls.length;
    for (const [contentType, body] of [
      ['application/json', JSON.stringify({ id: payment.provider.paymentId })],
      ['application/x-www-form-urlencoded', 'id=not-a-payment'],
    ]) {
      const response = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
      expect(response.status).toBe(401);
    }
    await h.webhooksSettled();
    expect(mollie.calls.slice(calls)).toEqual([]);
    expect((await h.payment(payment.id)).status).toBe('pending');
  });

  it('trusts nothing in the webhook: a forged call for an open payment changes nothing', async () => {
    const payment = await h.createPayment(accountId);
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `id=${payment.provider.paymentId}`,
    });
    expect(response.status).toBe(200);
    expect((await h.payment(payment.id)).status).toBe('pending');
  });

  it('a webhook naming no local payment is answered 200, stored nowhere and never asked of Mollie', async () => {
    const calls = mollie.calls.length;
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'id=tr_unknown123',
    });
    expect(response.status).toBe(200);
    expect(mollie.calls.length).toBe(calls);
    const q = server.dataSource.driver.escape.bind(server.dataSource.driver);
    const rows = await server.dataSource.query(
      `SELECT ${q('status')} AS status FROM webhook_deliveries WHERE ${q('body')} = 'id=tr_unknown123'`,
    );
    expect(rows).toEqual([]);
  });

  it('a webhook naming a local payment is stored unverified and its payment fetched from Mollie', async () => {
    const payment = await h.createPayment(accountId);
    mollie.dropWebhooks = true;
    await h.checkout(payment.checkoutUrl, 'paid');
    const calls = mollie.calls.length;
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `id=${payment.provider.paymentId}`,
    });
    expect(response.status).toBe(200);
    expect(mollie.calls.slice(calls)).toEqual([
      { method: 'GET', path: `/v2/payments/${payment.provider.paymentId}` },
    ]);
    expect((await h.payment(payment.id)).status).toBe('paid');
    const rows = await server.dataSource
      .getRepository(WebhookDelivery)
      .findBy({ paymentId: payment.id });
    expect(rows).toEqual([
      expect.objectContaining({
        status: 'processed',
        verified: false,
        attempts: 1,
        nextAttemptAt: null,
      }),
    ]);
  });

  it('the same webhook twice changes the status once', async () => {
    const payment = await h.createPayment(accountId);
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'paid');
    const index = mollie.webhooks.length - 1;
    expect(await mollie.redeliver(index)).toBe(200);
    const changes = (await h.events(payment.id)).filter((e) => e.type === 'payment.status_changed');
    expect(changes).toHaveLength(1);
  });

  it('a Mollie timeout surfaces as a retryable timeout error on the attempt', async () => {
    mollie.failNextCall('hang');
    const payment = await h.createPayment(accountId);
    expect(payment.status).toBe('failed');
    expect(payment.failure.code).toBe('timeout');
    expect(payment.routing.attempts[0]).toMatchObject({
      providerAccountId: accountId,
      outcome: 'failed',
      error: expect.stringMatching(/^timeout: /),
    });
    expect(await h.attempts(payment.id)).toEqual([
      expect.objectContaining({ errorCode: 'timeout', retryable: true }),
    ]);
  });

  it('a Mollie 503 is a retryable provider_unavailable; a refused key is a final invalid_credentials', async () => {
    mollie.failNextCall('unavailable');
    const down = await h.createPayment(accountId);
    expect(await h.attempts(down.id)).toEqual([
      expect.objectContaining({ errorCode: 'provider_unavailable', retryable: true }),
    ]);

    const wrongKey = (
      await h.createAccount({
        provider: 'mollie',
        credentials: { apiKey: 'test_wrongwrongwrongwrong' },
        baseUrl: mollie.url,
      })
    ).body;
    const refused = await h.createPayment(wrongKey.id);
    expect(refused.failure.code).toBe('invalid_credentials');
    const [attempt] = await h.attempts(refused.id);
    expect(attempt).toMatchObject({ errorCode: 'invalid_credentials', retryable: false });
    expect(attempt.errorMessage).toContain('Unauthorized Request');
    expect(attempt.errorMessage).not.toContain('test_wrongwrong');
  });

  it('a refund webhook after a lost paid webhook makes the payment paid first, then records the refund', async () => {
    const payment = await h.createPayment(accountId);
    mollie.dropWebhooks = true;
    await h.checkout(payment.checkoutUrl, 'paid');
    expect((await h.payment(payment.id)).status).toBe('pending');
    // Refunded in Mollie's dashboard; Mollie calls the webhook, which arrives this time.
    mollie.dashboardRefund(payment.provider.paymentId, 300);
    mollie.dropWebhooks = false;
    await mollie.callWebhook(payment.provider.paymentId);

    const after = await h.waitForStatus(payment.id, 'partially_refunded');
    expect(after).toMatchObject({ amountCaptured: 1050, amountRefunded: 300 });
    const changes = (await h.events(payment.id)).filter((e) => e.type === 'payment.status_changed');
    expect(changes.map((e) => [e.fromStatus, e.toStatus, e.source, e.ignored])).toEqual([
      ['pending', 'paid', 'webhook', false],
      ['paid', 'partially_refunded', 'webhook', false],
    ]);
    expect(await h.refunds(payment.id)).toEqual([
      expect.objectContaining({ status: 'succeeded', amount: { value: 300, currency: 'EUR' } }),
    ]);
  });

  it('a chargeback reported by the PSP makes the payment charged_back', async () => {
    const payment = await h.createPayment(accountId);
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'paid');
    await mollie.chargeback(payment.provider.paymentId);
    await h.waitForStatus(payment.id, 'charged_back');
    expect((await h.events(payment.id)).pop()).toMatchObject({
      fromStatus: 'paid',
      toStatus: 'charged_back',
      source: 'webhook',
    });
  });

  it('a reversed chargeback: the payment stays charged_back, the reversal is in its history (ignored), an operator is told once', async () => {
    const payment = await h.createPayment(accountId);
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'paid');
    const chargebackId = await mollie.chargeback(payment.provider.paymentId);
    await h.waitForStatus(payment.id, 'charged_back');
    expect((await h.adminPayment(payment.id)).needsAttention).toBeNull();
    const told = (await h.outbox(payment.id, 'payment.status_changed')).length;

    await mollie.reverseChargeback(payment.provider.paymentId);
    // Mollie's payment: still paid, its chargeback reversed, nothing charged back any more.
    const atMollie = mollie.payments.get(payment.provider.paymentId)!;
    expect(atMollie).toMatchObject({ status: 'paid' });
    expect(atMollie.amountChargedBack).toBeUndefined();
    expect(atMollie.chargebacks).toEqual([
      expect.objectContaining({ id: chargebackId, reversedAt: expect.any(String) }),
    ]);
    expect(mollie.webhooks.at(-1)).toMatchObject({ status: 200 });
    expect((await h.payment(payment.id)).status).toBe('charged_back');
    const events = await h.events(payment.id);
    expect(events.at(-1)).toMatchObject({
      type: 'payment.status_changed',
      fromStatus: 'charged_back',
      toStatus: 'charged_back',
      source: 'webhook',
      ignored: true,
      detail: `provider status paid:chargeback_reversed:${chargebackId}`,
    });
    expect(await h.outbox(payment.id, 'payment.status_changed')).toHaveLength(told);
    const flagged = (await h.adminPayment(payment.id)).needsAttention;
    expect(flagged).toMatchObject({
      reason:
        'mollie reported the chargeback was reversed (the dispute was won): the money came back to the merchant; the payment stays charged_back here, reconcile it in your books',
      operations: [{ type: 'contradiction', id: payment.id, stage: 'reported' }],
    });

    // Mollie calls the webhook again (the same id=tr_…): the mark stays the one it was.
    expect(await mollie.redeliver(mollie.webhooks.length - 1)).toBe(200);
    await h.webhooksSettled();
    expect((await h.adminPayment(payment.id)).needsAttention).toEqual(flagged);
    expect((await h.payment(payment.id)).status).toBe('charged_back');
    expect(await h.outbox(payment.id, 'payment.status_changed')).toHaveLength(told);
    // Mollie's webhooks are never deduplicated (every change posts the same body), but the same
    // reversal is recorded once.
    const reversals = async () =>
      (await h.events(payment.id)).filter(
        (e) => e.ignored && e.detail === `provider status paid:chargeback_reversed:${chargebackId}`,
      );
    expect(await reversals()).toHaveLength(1);

    // An operator reconciles it and clears the mark; Mollie's next webhook does not bring it back.
    const resolved = await h.server.request(
      'POST',
      `/api/v1/admin/payments/${payment.id}/attention/resolve`,
      { token: await h.server.adminToken(), body: { note: 'won dispute booked' } },
    );
    expect(resolved.status).toBe(200);
    expect(resolved.body.needsAttention).toBeNull();
    expect(await mollie.redeliver(mollie.webhooks.length - 1)).toBe(200);
    await h.webhooksSettled();
    expect((await h.adminPayment(payment.id)).needsAttention).toBeNull();
    expect(await reversals()).toHaveLength(1);
  });

  it('one of two chargebacks reversed: still charged_back, nothing recorded as reversed, no operator', async () => {
    const payment = await h.createPayment(accountId);
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'paid');
    const first = await mollie.chargeback(payment.provider.paymentId, 400);
    await h.waitForStatus(payment.id, 'charged_back');
    await mollie.chargeback(payment.provider.paymentId, 650);
    expect(mollie.payments.get(payment.provider.paymentId)!.amountChargedBack).toEqual({
      currency: 'EUR',
      value: '10.50',
    });

    await mollie.reverseChargeback(payment.provider.paymentId, first);
    expect(mollie.payments.get(payment.provider.paymentId)!.amountChargedBack).toEqual({
      currency: 'EUR',
      value: '6.50',
    });
    expect(mollie.webhooks.at(-1)).toMatchObject({ status: 200 });
    await h.webhooksSettled();
    expect((await h.payment(payment.id)).status).toBe('charged_back');
    expect((await h.events(payment.id)).filter((e) => e.ignored)).toEqual([]);
    expect((await h.adminPayment(payment.id)).needsAttention).toBeNull();
  });

  it('a reversed chargeback whose chargeback webhook was lost: the payment stays paid, an operator is told', async () => {
    const payment = await h.createPayment(accountId);
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'paid');
    mollie.dropWebhooks = true;
    const chargebackId = await mollie.chargeback(payment.provider.paymentId);
    mollie.dropWebhooks = false;

    await mollie.reverseChargeback(payment.provider.paymentId);
    expect(mollie.webhooks.at(-1)).toMatchObject({ status: 200 });
    expect(await h.payment(payment.id)).toMatchObject({ status: 'paid', amountRefunded: 0 });
    expect((await h.events(payment.id)).at(-1)).toMatchObject({
      fromStatus: 'paid',
      toStatus: 'charged_back',
      ignored: true,
      detail: `provider status paid:chargeback_reversed:${chargebackId}`,
    });
    expect((await h.adminPayment(payment.id)).needsAttention).toMatchObject({
      reason:
        'mollie reported a chargeback was reversed (the dispute was won) for a payment that is paid here, where no chargeback was recorded: money moved at mollie in a way our records do not show; check the dispute at mollie and reconcile it in your books',
    });
  });

  it('get-payment embeds chargebacks as Mollie does: objects under _embedded.chargebacks, a _links.chargebacks link', async () => {
    const payment = await h.createPayment(accountId);
    await h.checkout(payment.checkoutUrl, 'paid');
    await h.waitForStatus(payment.id, 'paid');
    const get = async (query: string) =>
      (
        await fetch(`${mollie.url}/v2/payments/${payment.provider.paymentId}${query}`, {
          headers: { authorization: `Bearer ${mollie.apiKey}` },
        })
      ).json();
    const before = await get('?embed=refunds,chargebacks');
    expect(before._embedded).toEqual({ refunds: [], chargebacks: [] });
    expect(before).not.toHaveProperty('amountChargedBack');
    expect(before._links).not.toHaveProperty('chargebacks');

    const id = await mollie.chargeback(payment.provider.paymentId);
    expect(id).toMatch(/^chb_/);
    const after = await get('?embed=chargebacks');
    expect(after.amountChargedBack).toEqual({ currency: 'EUR', value: '10.50' });
    expect(after._links.chargebacks.href).toBe(
      `${mollie.url}/v2/payments/${payment.provider.paymentId}/chargebacks`,
    );
    expect(after._embedded).toEqual({
      chargebacks: [
        expect.objectContaining({
          resource: 'chargeback',
          id,
          amount: { currency: 'EUR', value: '10.50' },
          paymentId: payment.provider.paymentId,
          createdAt: expect.any(String),
          reversedAt: null,
        }),
      ],
    });
    // Without embed, nothing is embedded.
    expect(await get('')).not.toHaveProperty('_embedded');
  });

  it('reconciliation polls Mollie and recovers a payment whose webhook was dropped', async () => {
    const payment = await h.createPayment(accountId);
    mollie.dropWebhooks = true;
    await h.checkout(payment.checkoutUrl, 'paid');
    expect((await h.payment(payment.id)).status).toBe('pending');
    await server.server.app.get(ReconciliationService).runOnce();
    expect((await h.payment(payment.id)).status).toBe('paid');
    expect((await h.events(payment.id)).pop()).toMatchObject({ toStatus: 'paid', source: 'poll' });
  });

  describe('the simulator refuses what Mollie refuses', () => {
    async function post(body: unknown, headers: Record<string, string> = {}) {
      const response = await fetch(`${mollie.url}/v2/payments`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${mollie.apiKey}`,
          'content-type': 'application/json',
          ...headers,
        },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    }
    const valid = {
      amount: { currency: 'EUR', value: '10.50' },
      description: 'Order',
      redirectUrl: 'https://shop.example/r',
    };

    it.each([
      ['one decimal', { currency: 'EUR', value: '10.5' }],
      ['a number', { currency: 'EUR', value: 10.5 }],
      ['minor units', { currency: 'EUR', value: '1050' }],
      ['decimals on JPY', { currency: 'JPY', value: '15.00' }],
    ])('an amount with %s (422, field amount.value)', async (_label, amount) => {
      const response = await post({ ...valid, amount });
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({
        status: 422,
        title: 'Unprocessable Entity',
        field: 'amount.value',
      });
    });

    it.each([
      [
        'lines that do not add up to the amount',
        {
          lines: [
            {
              description: 'x',
              quantity: 1,
              unitPrice: { currency: 'EUR', value: '10.00' },
              totalAmount: { currency: 'EUR', value: '10.00' },
            },
          ],
        },
        'amount',
      ],
      [
        'a line amount in minor units',
        {
          lines: [
            {
              description: 'x',
              quantity: 1,
              unitPrice: { currency: 'EUR', value: '1050' },
              totalAmount: { currency: 'EUR', value: '10.50' },
            },
          ],
        },
        'lines.0.unitPrice.value',
      ],
      [
        'a VAT rate as a number',
        {
          lines: [
            {
              description: 'x',
              quantity: 1,
              unitPrice: { currency: 'EUR', value: '10.50' },
              totalAmount: { currency: 'EUR', value: '10.50' },
              vatRate: 21,
              vatAmount: { currency: 'EUR', value: '1.82' },
            },
          ],
        },
        'lines.0.vatRate',
      ],
      ['klarna without lines', { method: 'klarna' }, 'lines'],
      [
        'an address in our own words',
        {
          billingAddress: {
            firstName: 'Jane',
            streetAndNumber: 'x',
            postalCode: '1',
            city: 'y',
            country: 'NL',
          },
        },
        'billingAddress.firstName',
      ],
    ])('%s (422)', async (_label, extra, field) => {
      const response = await post({ ...valid, ...extra });
      expect(response.status).toBe(422);
      expect(response.body.field).toBe(field);
    });

    it('metadata over 1 KB of JSON (422, field metadata)', async () => {
      const response = await post({ ...valid, metadata: { note: 'x'.repeat(1100) } });
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ status: 422, field: 'metadata' });
      expect((await post({ ...valid, metadata: { note: 'x'.repeat(1000) } })).status).toBe(201);
    });

    it('a locale Mollie does not list (422, field locale)', async () => {
      expect((await post({ ...valid, locale: 'en_IE' })).body.field).toBe('locale');
      expect((await post({ ...valid, locale: 'cs_CZ' })).status).toBe(201);
    });

    it('cancelling an open card payment (isCancelable false): 422 in its error format; a bank transfer is cancelable', async () => {
      const call = (method: string, id: string) =>
        fetch(`${mollie.url}/v2/payments/${id}`, {
          method,
          headers: { authorization: `Bearer ${mollie.apiKey}` },
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
      const card = (await post({ ...valid, method: 'creditcard' })).body;
      expect(card.isCancelable).toBe(false);
      const refused = await call('DELETE', card.id);
      expect(refused).toMatchObject({
        status: 422,
        body: { status: 422, title: 'Unprocessable Entity', _links: { documentation: {} } },
      });
      expect((await call('GET', card.id)).body.status).toBe('open');

      const transfer = (await post({ ...valid, method: 'banktransfer' })).body;
      expect(transfer.isCancelable).toBe(true);
      const canceled = await call('DELETE', transfer.id);
      expect(canceled.status).toBe(200);
      expect(canceled.body.status).toBe('canceled');
      expect(canceled.body).not.toHaveProperty('isCancelable');
    });

    it('a missing description (422) and a wrong key (401)', async () => {
      expect((await post({ ...valid, description: undefined })).body.field).toBe('description');
      expect((await post(valid, { authorization: 'Bearer test_someoneelseskey1234' })).status).toBe(
        401,
      );
      expect((await post(valid)).status).toBe(201);
    });
  });
});
