import { randomBytes } from 'node:crypto';
import { ReconciliationService } from '../../src/reconciliation/reconciliation.service';
import { PaymentAttempt } from '../../src/payments/entities/payment-attempt.entity';
import { AdyenSimulator, adyenTestCredentials } from '../simulators/adyen/adyen-simulator';
import { pspSpecsDir } from '../simulators/spec-validator';
import { eventually, paymentBody, submitCheckout, TestServer } from '../support/test-server';
import { ConnectorHarness, useConnectorSuite } from '../simulators/connector-e2e-support';
import { ADDRESS, LINES, ORDER_AMOUNT } from '../support/order-fixtures';

describe('Adyen connector against the Adyen simulator', () => {
  let server: TestServer;
  let sim: AdyenSimulator;
  let h: ConnectorHarness;
  let accountId: string;
  const credentials = adyenTestCredentials();

  // Webhooks arrive on the public listener, as in production.
  const suite = useConnectorSuite({
    simulator: () => new AdyenSimulator(credentials),
    account: (adyen) => ({
      provider: 'adyen',
      name: 'Adyen test',
      credentials,
      baseUrl: adyen.baseUrl,
      settings: { requestTimeoutMs: 3000 },
      enabled: true,
    }),
    publicListener: true,
  });
  beforeAll(() => {
    ({ server, sim, h, accountId } = suite);
    sim.webhookUrl = suite.webhookUrl;
  });
  afterEach(() => {
    sim.dropWebhooks = false;
  });

  it('refuses credentials without the fields Adyen needs', async () => {
    const response = await server.request('POST', '/api/v1/admin/provider-accounts', {
      token: await server.adminToken(),
      body: {
        provider: 'adyen',
        name: 'broken',
        credentials: { apiKey: 'k', hmacKey: 'not-hex' },
        testMode: true,
      },
    });
    expect(response.status).toBe(400);
    const fields = response.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['credentials.merchantAccount', 'credentials.hmacKey']),
    );
  });

  it('creates a payment link with the amount in minor units and the spec-valid body', async () => {
    const payment = await h.createPayment(accountId, {
      amount: { value: 1050, currency: 'EUR' },
      method: 'ideal',
      customer: { email: 'a@example.com', country: 'NL', locale: 'nl_NL' },
    });
    expect(payment.status).toBe('pending');
    expect(payment.provider).toMatchObject({
      name: 'adyen',
      accountId,
      paymentId: expect.stringMatching(/^PL/),
    });
    const link = sim.links.get(payment.provider.paymentId)!;
    expect(payment.checkoutUrl).toBe(link.url);
    expect(link.request).toMatchObject({
      amount: { currency: 'EUR', value: 1050 },
      merchantAccount: credentials.merchantAccount,
      reference: payment.id,
      allowedPaymentMethods: ['ideal'],
      shopperEmail: 'a@example.com',
      countryCode: 'NL',
      shopperLocale: 'nl-NL', // PaymentLinkRequest.shopperLocale: "For example, `en-US`"
      manualCapture: false,
    });
    expect(sim.rejected).toEqual([]);
  });

  it('Klarna: sends lineItems per unit with tax, addresses, the shopper, metadata and expiresAt, spec-valid', async () => {
    const expiresAt = new Date(Date.now() + 3 * 86_400_000);
    const payment = await h.createPayment(accountId, {
      amount: ORDER_AMOUNT,
      method: 'klarna',
      lines: LINES,
      billingAddress: ADDRESS,
      shippingAddress: {
        ...ADDRESS,
        streetAndNumber: '350 Fifth Avenue',
        country: 'US',
        region: 'NY',
        postalCode: '10118',
      },
      customer: { email: 'jane@example.com', name: 'Jane Doe' },
      metadata: { orderId: '1042' },
      expiresAt: expiresAt.toISOString(),
    });
    expect(payment.status).toBe('pending');
    expect(sim.rejected).toEqual([]);
    const link = sim.links.get(payment.provider.paymentId)!;
    expect(link.request.lineItems).toEqual([
      {
        id: '5702016116977',
        description: LINES[0].name,
        quantity: 2,
        amountIncludingTax: 1000,
        amountExcludingTax: 826,
        taxAmount: 174,
        taxPercentage: 2100,
        sku: '5702016116977',
      },
      { id: '2', description: 'Shipping', quantity: 1, amountIncludingTax: 595 },
      { id: '3', description: 'Welcome discount', quantity: 1, amountIncludingTax: -100 },
    ]);
    expect(link.request).toMatchObject({
      allowedPaymentMethods: ['klarna'],
      billingAddress: {
        street: 'Keizersgracht',
        houseNumberOrName: '126',
        postalCode: '1015 CW',
        city: 'Amsterdam',
        country: 'NL',
      },
      deliveryAddress: {
        street: 'Fifth Avenue',
        houseNumberOrName: '350',
        stateOrProvince: 'NY',
        country: 'US',
      },
      shopperName: { firstName: 'Jane', lastName: 'Doe' },
      shopperEmail: 'jane@example.com',
      telephoneNumber: '+31208202070',
      countryCode: 'NL',
      metadata: { orderId: '1042', paymentId: payment.id, captureMode: 'automatic' },
      expiresAt: expiresAt.toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    });
  });

  const KLARNA_ORDER = {
    amount: ORDER_AMOUNT,
    lines: LINES,
    billingAddress: ADDRESS,
    customer: { email: 'jane@example.com', name: 'Jane Doe' },
  };
  const operate = (paymentId: string, path: string, body: unknown = {}) =>
    server.request('POST', `/api/v1/payments/${paymentId}${path}`, { body });

  it('Klarna: a partial refund is refused (422, the reason named) before any call to Adyen; a full refund goes through', async () => {
    const payment = await h.createPayment(accountId, { ...KLARNA_ORDER, method: 'klarna' });
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    expect(await h.waitForStatus(payment.id, 'paid')).toMatchObject({
      amountCaptured: 2495,
      methodUsed: 'klarna',
    });
    const link = sim.links.get(payment.provider.paymentId)!;
    const refunds = new RegExp(`^/v71/payments/${link.pspReference}/refunds$`);

    const partial = await operate(payment.id, '/refunds', {
      amount: { value: 1000, currency: 'EUR' },
    });
    expect(partial).toMatchObject({
      status: 422,
      body: {
        code: 'not_supported_by_provider',
        detail: 'adyen does not support partial refunds of klarna payments',
      },
    });
    expect(sim.callsTo('POST', refunds)).toEqual([]);
    expect(link.refunded).toBe(0);

    const full = await operate(payment.id, '/refunds');
    expect(full.status).toBe(201);
    expect(sim.callsTo('POST', refunds)).toHaveLength(1);
    expect(sim.rejected).toEqual([]);
    await h.waitForStatus(payment.id, 'refunded');
    expect(link.refunded).toBe(2495);
  });

  it('Klarna, manual capture: a partial capture is refused before any call to Adyen; the whole capture goes through', async () => {
    const payment = await h.createPayment(accountId, {
      ...KLARNA_ORDER,
      method: 'klarna',
      captureMode: 'manual',
    });
    await submitCheckout(payment.checkoutUrl, { outcome: 'authorized' });
    await h.waitForStatus(payment.id, 'authorized');
    const link = sim.links.get(payment.provider.paymentId)!;
    const captures = new RegExp(`^/v71/payments/${link.pspReference}/captures$`);

    const partial = await operate(payment.id, '/capture', {
      amount: { value: 1000, currency: 'EUR' },
    });
    expect(partial).toMatchObject({
      status: 422,
      body: {
        code: 'not_supported_by_provider',
        detail: 'adyen does not support partial capture of klarna payments',
      },
    });
    expect(sim.callsTo('POST', captures)).toEqual([]);

    expect((await operate(payment.id, '/capture')).status).toBe(200);
    expect(sim.callsTo('POST', captures)).toHaveLength(1);
    expect((await h.waitForStatus(payment.id, 'paid')).amountCaptured).toBe(2495);
  });

  it('Klarna chosen by the shopper on a link without a method: a partial refund reaches Adyen, which refuses it (no lineItems); no money moves', async () => {
    const payment = await h.createPayment(accountId, KLARNA_ORDER);
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid', method: 'klarna' });
    expect(await h.waitForStatus(payment.id, 'paid')).toMatchObject({
      method: null,
      methodUsed: 'klarna',
    });
    const link = sim.links.get(payment.provider.paymentId)!;
    const refunds = new RegExp(`^/v71/payments/${link.pspReference}/refunds$`);
    const partial = await operate(payment.id, '/refunds', {
      amount: { value: 1000, currency: 'EUR' },
    });
    // Only the method asked for decides capabilities: this one reaches Adyen, which refuses it.
    expect(partial).toMatchObject({
      status: 422,
      body: {
        code: 'provider_invalid_request',
        detail: 'Adyen: 702 lineItems are required for a partial refund of klarna',
      },
    });
    expect(sim.callsTo('POST', refunds)).toHaveLength(1);
    expect(link.refunded).toBe(0);
    expect(await h.payment(payment.id)).toMatchObject({ status: 'paid', amountRefunded: 0 });
    expect((await operate(payment.id, '/refunds')).status).toBe(201);
    await h.waitForStatus(payment.id, 'refunded');
    expect(link.refunded).toBe(2495);
  });

  it('customer.name becomes shopperName when there is no billing address', async () => {
    const payment = await h.createPayment(accountId, { customer: { name: 'Jan van Dijk' } });
    expect(sim.links.get(payment.provider.paymentId)!.request.shopperName).toEqual({
      firstName: 'Jan',
      lastName: 'van Dijk',
    });
  });

  it('refuses an expiresAt beyond 70 days with 400 before calling Adyen', async () => {
    const response = await server.request('POST', '/api/v1/payments', {
      body: paymentBody({
        providerAccountId: accountId,
        expiresAt: new Date(Date.now() + 71 * 86_400_000).toISOString(),
      }),
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'expiresAt', message: 'must be at most 70 days ahead for adyen' },
    ]);
  });

  it('sends Adyen its own minor units where they differ from ISO 4217 (ISK has 2 decimals at Adyen)', async () => {
    const payment = await h.createPayment(accountId, { amount: { value: 2790, currency: 'ISK' } });
    expect(sim.links.get(payment.provider.paymentId)!.request.amount).toEqual({
      currency: 'ISK',
      value: 279000,
    });
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    expect((await h.waitForStatus(payment.id, 'paid')).amountCaptured).toBe(2790);
  });

  it('IDR with VAT on its lines: the tax is worked out in whole rupiah, as Adyen takes IDR', async () => {
    const line = (value: number) => ({ currency: 'IDR', value });
    const payment = await h.createPayment(accountId, {
      amount: line(200_000_000), // 2 000 000 IDR (ISO 4217: 2 decimals)
      lines: [
        {
          name: 'Batik',
          quantity: 2,
          unitPrice: line(100_000_000),
          totalAmount: line(200_000_000),
          vatRate: '11.00',
          vatAmount: line(19_819_820),
        },
      ],
    });
    const link = sim.links.get(payment.provider.paymentId)!;
    expect(link.request.amount).toEqual({ currency: 'IDR', value: 2_000_000 });
    expect(link.request.lineItems).toEqual([
      {
        id: '1',
        description: 'Batik',
        quantity: 2,
        amountIncludingTax: 1_000_000,
        amountExcludingTax: 900_901,
        taxAmount: 99_099,
        taxPercentage: 1100,
      },
    ]);
    expect(sim.rejected).toEqual([]);
  });

  it('paid: AUTHORISATION webhook (HMAC-signed) makes the payment paid, answered [accepted]', async () => {
    const payment = await h.createPayment(accountId);
    const response = await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(payment.returnUrl);
    const paid = await h.waitForStatus(payment.id, 'paid');
    expect(paid.amountCaptured).toBe(1050);
    expect(sim.delivered[sim.delivered.length - 1]).toMatchObject({
      status: 200,
      responseText: '[accepted]',
    });
  });

  it("methodUsed is the AUTHORISATION's paymentMethod (a card brand or a method type)", async () => {
    const payment = await h.createPayment(accountId);
    expect(payment.methodUsed).toBeNull();
    expect(payment.provider.testMode).toBe(true);
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid', method: 'mc' });
    expect((await h.waitForStatus(payment.id, 'paid')).methodUsed).toBe('mc');
    expect(JSON.parse(sim.lastSigned!).notificationItems[0].NotificationRequestItem).toMatchObject({
      eventCode: 'AUTHORISATION',
      paymentMethod: 'mc',
    });

    const ideal = await h.createPayment(accountId, { method: 'ideal' });
    await submitCheckout(ideal.checkoutUrl, { outcome: 'failed' });
    expect((await h.waitForStatus(ideal.id, 'failed')).methodUsed).toBe('ideal');
  });

  it('failed: a refused AUTHORISATION fails the payment', async () => {
    const payment = await h.createPayment(accountId);
    await submitCheckout(payment.checkoutUrl, { outcome: 'failed' });
    const failed = await h.waitForStatus(payment.id, 'failed');
    expect(failed.failure).toMatchObject({ code: 'declined' });
  });

  it('failed: the refused link is expired, so the shopper cannot pay a failed payment later', async () => {
    const payment = await h.createPayment(accountId);
    await submitCheckout(payment.checkoutUrl, { outcome: 'failed' });
    await h.waitForStatus(payment.id, 'failed');
    expect(sim.links.get(payment.provider.paymentId)!.status).toBe('expired');
    expect((await submitCheckout(payment.checkoutUrl, { outcome: 'paid' })).status).toBe(410);
  });

  it('a refusal processed after the shopper paid on the same link ends nothing', async () => {
    const payment = await h.createPayment(accountId);
    sim.dropWebhooks = true;
    await submitCheckout(payment.checkoutUrl, { outcome: 'failed' });
    const refusal = sim.lastSigned!;
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    sim.dropWebhooks = false;
    await sim.deliver(sim.lastSigned!); // the AUTHORISATION success=true
    await h.waitForStatus(payment.id, 'paid');
    expect(await sim.deliver(refusal)).toBe(200); // the late refusal
    expect((await h.payment(payment.id)).status).toBe('paid');
    expect(
      (await server.request('GET', `/api/v1/payments/${payment.id}/events`)).body.data.some(
        (e: any) => e.toStatus === 'failed',
      ),
    ).toBe(false);
  });

  it('a refusal while the shopper is paying on the same link (paymentPending) leaves the payment pending', async () => {
    const payment = await h.createPayment(accountId);
    const link = sim.links.get(payment.provider.paymentId)!;
    sim.dropWebhooks = true;
    await submitCheckout(payment.checkoutUrl, { outcome: 'failed' });
    const refusal = sim.lastSigned!;
    await submitCheckout(payment.checkoutUrl, { outcome: 'pending' }); // a bank transfer, say
    sim.dropWebhooks = false;
    expect(link.status).toBe('paymentPending');
    expect(await sim.deliver(refusal)).toBe(200); // the earlier card refusal, late
    await h.webhooksSettled();
    expect((await h.payment(payment.id)).status).toBe('pending');
    expect(link.status).toBe('paymentPending');

    await sim.finishPending(link.id, true);
    await h.waitForStatus(payment.id, 'paid');
    expect(
      (await server.request('GET', `/api/v1/payments/${payment.id}/events`)).body.data.some(
        (e: any) => e.toStatus === 'failed',
      ),
    ).toBe(false);
  });

  it('a shopper-cancelled AUTHORISATION fails the payment like any refusal: the unsigned reason is only its message', async () => {
    const payment = await h.createPayment(accountId);
    await submitCheckout(payment.checkoutUrl, { outcome: 'canceled' });
    expect(
      JSON.parse(sim.lastWebhook()!).notificationItems[0].NotificationRequestItem,
    ).toMatchObject({ eventCode: 'AUTHORISATION', success: 'false', reason: 'Cancelled' });
    expect(await h.waitForStatus(payment.id, 'failed')).toMatchObject({
      failure: { code: 'declined', message: 'Cancelled' },
    });
    expect(sim.links.get(payment.provider.paymentId)!.status).toBe('expired');
  });

  it('expired: Adyen sends no webhook for an expired link; reconciliation finds it', async () => {
    const payment = await h.createPayment(accountId);
    const deliveries = sim.delivered.length;
    await submitCheckout(payment.checkoutUrl, { outcome: 'expired' });
    expect(sim.delivered.length).toBe(deliveries);
    await server.server.app.get(ReconciliationService).reconcilePayment(payment.id);
    expect((await h.payment(payment.id)).status).toBe('expired');
  });

  it('cancels a pending payment by expiring its link', async () => {
    const payment = await h.createPayment(accountId);
    const canceled = await server.request('POST', `/api/v1/payments/${payment.id}/cancel`);
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('canceled');
    expect(sim.links.get(payment.provider.paymentId)!.status).toBe('expired');
  });

  it('manual capture: authorized, then a partial capture settles by CAPTURE webhook', async () => {
    const payment = await h.createPayment(accountId, { captureMode: 'manual' });
    expect(sim.links.get(payment.provider.paymentId)!.request.manualCapture).toBe(true);
    await submitCheckout(payment.checkoutUrl, { outcome: 'authorized' });
    await h.waitForStatus(payment.id, 'authorized');
    const pspReference = sim.links.get(payment.provider.paymentId)!.pspReference!;
    const capture = await server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
      body: { amount: { value: 800, currency: 'EUR' } },
    });
    expect(capture.status).toBe(200);
    expect(sim.calls).toContainEqual({
      method: 'POST',
      path: `/v71/payments/${pspReference}/captures`,
    });
    const paid = await h.waitForStatus(payment.id, 'paid');
    expect(paid.amountCaptured).toBe(800);
  });

  it('automatic capture is captured at once even when the merchant account defaults to manual capture', async () => {
    sim.captureDefault = 'manual';
    try {
      const payment = await h.createPayment(accountId);
      const link = sim.links.get(payment.provider.paymentId)!;
      expect(link.request).toMatchObject({ manualCapture: false, captureDelayHours: 0 });
      await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
      expect((await h.waitForStatus(payment.id, 'paid')).amountCaptured).toBe(1050);
      expect(link.captured).toBe(1050);
      // Captured money can be refunded (Adyen refuses a refund of an uncaptured authorisation).
      const refund = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
        body: {},
      });
      expect(refund.status).toBe(201);
      await h.waitForStatus(payment.id, 'refunded');
    } finally {
      sim.captureDefault = 'immediate';
    }
  });

  it('manual capture: the stored capture mode decides authorized, without asking Adyen and whatever additionalData says', async () => {
    const payment = await h.createPayment(accountId, { captureMode: 'manual' });
    sim.omitMetadata = true;
    await submitCheckout(payment.checkoutUrl, { outcome: 'authorized' });
    sim.omitMetadata = false;
    await h.waitForStatus(payment.id, 'authorized');
    expect(sim.calls).not.toContainEqual({
      method: 'GET',
      path: `/v71/paymentLinks/${payment.provider.paymentId}`,
    });

    // additionalData is not signed: a capture-mode hint in it changes nothing.
    const manual = await h.createPayment(accountId, { captureMode: 'manual' });
    const link = sim.links.get(manual.provider.paymentId)!;
    link.pspReference = 'AUTHHINT00000001';
    await sim.notify({
      pspReference: link.pspReference,
      merchantReference: manual.id,
      eventCode: 'AUTHORISATION',
      success: true,
      amount: link.request.amount,
      additionalData: { paymentLinkId: link.id, 'metadata.captureMode': 'automatic' },
    });
    expect((await h.waitForStatus(manual.id, 'authorized')).amountCaptured).toBe(0);
  });

  it('manual capture: canceling an authorized payment goes through /cancels and the CANCELLATION webhook', async () => {
    const payment = await h.createPayment(accountId, { captureMode: 'manual' });
    await submitCheckout(payment.checkoutUrl, { outcome: 'authorized' });
    await h.waitForStatus(payment.id, 'authorized');
    const response = await server.request('POST', `/api/v1/payments/${payment.id}/cancel`);
    expect(response.status).toBe(200);
    await h.waitForStatus(payment.id, 'canceled');
  });

  it('manual capture of a method Adyen captures at once (iDEAL, Bancontact, …) is refused with 422 not_supported_by_provider, no link made', async () => {
    const links = sim.links.size;
    for (const method of ['ideal', 'bancontact', 'eps', 'giropay', 'sofort', 'banktransfer']) {
      const response = await server.request('POST', '/api/v1/payments', {
        body: paymentBody({ providerAccountId: accountId, captureMode: 'manual', method }),
      });
      expect([method, response.status, response.body.code]).toEqual([
        method,
        422,
        'not_supported_by_provider',
      ]);
    }
    expect(sim.links.size).toBe(links);
    // Automatic capture of the same method is fine.
    expect((await h.createPayment(accountId, { method: 'ideal' })).status).toBe('pending');
  });

  it('manual capture of PayPal: the link asks for PayPal with manualCapture, authorized until captured', async () => {
    const payment = await h.createPayment(accountId, { captureMode: 'manual', method: 'paypal' });
    const link = sim.links.get(payment.provider.paymentId)!;
    expect(link.request).toMatchObject({ manualCapture: true, allowedPaymentMethods: ['paypal'] });
    await submitCheckout(payment.checkoutUrl, { outcome: 'authorized' });
    await h.waitForStatus(payment.id, 'authorized');
    expect(link).toMatchObject({ capture: 'manual', captured: 0 });
  });

  it('manual capture without a method: the hosted page offers only the methods Adyen captures later', async () => {
    const payment = await h.createPayment(accountId, { captureMode: 'manual' });
    const link = sim.links.get(payment.provider.paymentId)!;
    // No Klarna: this link lacks the order lines and shopper Klarna needs.
    expect(link.request.allowedPaymentMethods).toEqual([
      'scheme',
      'applepay',
      'googlepay',
      'paypal',
    ]);
    const ideal = await submitCheckout(payment.checkoutUrl, { outcome: 'paid', method: 'ideal' });
    expect(ideal.status).toBe(400);
    expect(link).toMatchObject({ status: 'active', captured: 0 });
    await submitCheckout(payment.checkoutUrl, { outcome: 'authorized', method: 'mc' });
    expect((await h.waitForStatus(payment.id, 'authorized')).amountCaptured).toBe(0);
    expect(link).toMatchObject({ capture: 'manual', captured: 0 });

    const order = await h.createPayment(accountId, {
      captureMode: 'manual',
      amount: ORDER_AMOUNT,
      lines: LINES,
      billingAddress: ADDRESS,
    });
    expect(sim.links.get(order.provider.paymentId)!.request.allowedPaymentMethods).toEqual([
      'scheme',
      'applepay',
      'googlepay',
      'paypal',
      'klarna',
    ]);
    expect(sim.rejected).toEqual([]);
  });

  it('an automatic payment without a method leaves the choice of method to Adyen', async () => {
    const payment = await h.createPayment(accountId);
    expect(
      sim.links.get(payment.provider.paymentId)!.request.allowedPaymentMethods,
    ).toBeUndefined();
  });

  it('partial and full refunds settle by REFUND webhooks', async () => {
    const payment = await h.createPayment(accountId);
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    await h.waitForStatus(payment.id, 'paid');
    const first = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: { amount: { value: 300, currency: 'EUR' } },
    });
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('pending');
    await h.waitForStatus(payment.id, 'partially_refunded');
    const rest = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: {},
    });
    expect(rest.status).toBe(201);
    const refunded = await h.waitForStatus(payment.id, 'refunded');
    expect(refunded.amountRefunded).toBe(1050);
    const refunds = (await server.request('GET', `/api/v1/payments/${payment.id}/refunds`)).body
      .data;
    expect(refunds.map((r: any) => [r.amount.value, r.status])).toEqual([
      [300, 'succeeded'],
      [750, 'succeeded'],
    ]);
  });

  it('a refund Adyen refuses (REFUND success=false) fails and frees its amount', async () => {
    const payment = await h.createPayment(accountId);
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    await h.waitForStatus(payment.id, 'paid');
    sim.refuseNextRefund = true;
    const refused = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: {},
    });
    expect(refused.body.status).toBe('pending');
    await eventually(async () => {
      const refunds = (await server.request('GET', `/api/v1/payments/${payment.id}/refunds`)).body
        .data;
      return refunds[0]?.status === 'failed';
    });
    expect((await h.payment(payment.id)).status).toBe('paid');
    const again = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: {},
    });
    expect(again.status).toBe(201);
    await h.waitForStatus(payment.id, 'refunded');
  });

  it('a webhook with a bad HMAC is 401 and changes nothing', async () => {
    const payment = await h.createPayment(accountId);
    sim.dropWebhooks = true;
    await submitCheckout(payment.checkoutUrl, { outcome: 'failed' });
    sim.dropWebhooks = false;
    const body = {
      live: 'false',
      notificationItems: [
        {
          NotificationRequestItem: {
            pspReference: 'FORGED0000000001',
            merchantAccountCode: credentials.merchantAccount,
            merchantReference: payment.id,
            eventDate: new Date().toISOString(),
            eventCode: 'AUTHORISATION',
            amount: { currency: 'EUR', value: 1050 },
            success: 'true',
            additionalData: {
              paymentLinkId: payment.provider.paymentId,
              hmacSignature: Buffer.alloc(32).toString('base64'),
            },
          },
        },
      ],
    };
    const calls = sim.calls.length;
    const response = await fetch(sim.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(401);
    await h.webhooksSettled();
    // The forged "paid" was not trusted, and nothing unverified costs a call to Adyen (no poll).
    expect(sim.calls.length).toBe(calls);
    expect((await h.payment(payment.id)).status).toBe('pending');
    const events = (await server.request('GET', `/api/v1/payments/${payment.id}/events`)).body.data;
    expect(events.some((e: any) => e.source === 'webhook')).toBe(false);
  });

  it('an event it does not map is accepted, logged and changes nothing', async () => {
    const payment = await h.createPayment(accountId);
    const before = (await server.request('GET', `/api/v1/payments/${payment.id}/events`)).body.data
      .length;
    await sim.notify({
      pspReference: 'RPT0000000000001',
      merchantReference: payment.id,
      eventCode: 'REPORT_AVAILABLE',
      success: true,
      amount: { currency: 'EUR', value: 0 },
    });
    expect(sim.delivered[sim.delivered.length - 1]).toMatchObject({
      status: 200,
      responseText: '[accepted]',
    });
    expect((await h.payment(payment.id)).status).toBe('pending');
    expect(
      (await server.request('GET', `/api/v1/payments/${payment.id}/events`)).body.data,
    ).toHaveLength(before);
  });

  it('the same webhook twice changes the status once', async () => {
    const payment = await h.createPayment(accountId);
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    await h.waitForStatus(payment.id, 'paid');
    const replay = await sim.deliver(sim.lastWebhook()!);
    expect(replay).toBe(200);
    expect(sim.delivered[sim.delivered.length - 1].responseText).toBe('[accepted]');
    const events = (await server.request('GET', `/api/v1/payments/${payment.id}/events`)).body.data;
    expect(events.filter((e: any) => e.toStatus === 'paid')).toHaveLength(1);
  });

  it('a PSP timeout surfaces as a retryable error', async () => {
    sim.failNextCall('hang');
    const payment = await h.createPayment(accountId);
    expect(payment.status).toBe('failed');
    expect(payment.failure.code).toBe('timeout');
    expect(payment.routing.attempts[payment.routing.attempts.length - 1]).toMatchObject({
      providerAccountId: accountId,
      outcome: 'failed',
      error: expect.stringMatching(/^timeout/),
    });
    const attempts = await server.dataSource
      .getRepository(PaymentAttempt)
      .findBy({ paymentId: payment.id });
    expect(attempts).toEqual([
      expect.objectContaining({ errorCode: 'timeout', retryable: true, outcome: 'failed' }),
    ]);
  });

  it('a PSP 503 surfaces as provider_unavailable (retryable)', async () => {
    sim.failNextCall('unavailable');
    const payment = await h.createPayment(accountId);
    expect(payment.status).toBe('failed');
    expect(payment.failure.code).toBe('provider_unavailable');
  });

  it('the poll recovers a payment whose webhook was dropped', async () => {
    const payment = await h.createPayment(accountId);
    sim.dropWebhooks = true;
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    sim.dropWebhooks = false;
    expect((await h.payment(payment.id)).status).toBe('pending');
    await server.server.app.get(ReconciliationService).reconcilePayment(payment.id);
    const after = await h.payment(payment.id);
    expect(after.status).toBe('paid');
    const events = (await server.request('GET', `/api/v1/payments/${payment.id}/events`)).body.data;
    expect(events[events.length - 1]).toMatchObject({ toStatus: 'paid', source: 'poll' });
  });

  it('a wrong API key is invalid_credentials (final)', async () => {
    const created = await server.request('POST', '/api/v1/admin/provider-accounts', {
      token: await server.adminToken(),
      body: {
        provider: 'adyen',
        name: 'wrong key',
        credentials: { ...credentials, apiKey: 'wrong' },
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

  describe('the simulator refuses what Adyen refuses (so a connector bug fails a test)', () => {
    const withSpecs = pspSpecsDir() ? it : it.skip;
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${sim.baseUrl}/v71${path}`, {
        method: 'POST',
        headers: {
          'x-api-key': credentials.apiKey,
          'content-type': 'application/json',
          ...headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const valid = () => ({
      amount: { currency: 'EUR', value: 1000 },
      merchantAccount: credentials.merchantAccount,
      reference: 'r-1',
    });

    it('a wrong API key: 401 in ServiceError format', async () => {
      const response = await post('/paymentLinks', valid(), { 'x-api-key': 'nope' });
      expect(response.status).toBe(401);
      expect((await response.json()) as any).toMatchObject({
        status: 401,
        errorType: 'security',
        errorCode: expect.any(String),
      });
    });

    it.each([
      [
        'line items that do not add up to the amount',
        { lineItems: [{ description: 'x', quantity: 1, amountIncludingTax: 900 }] },
        '137',
      ],
      [
        'a line whose tax does not add up',
        {
          lineItems: [
            {
              description: 'x',
              quantity: 1,
              amountIncludingTax: 1000,
              amountExcludingTax: 800,
              taxAmount: 100,
            },
          ],
        },
        '702',
      ],
      ['Klarna without line items', { allowedPaymentMethods: ['klarna'] }, '702'],
      [
        '21 metadata entries',
        { metadata: Object.fromEntries([...Array(21).keys()].map((i) => [`k${i}`, 'v'])) },
        '177',
      ],
      ['an expiry without a time zone', { expiresAt: '2099-01-01T00:00:00' }, '702'],
    ])('%s: 422', async (_label, extra, errorCode) => {
      const response = await post('/paymentLinks', { ...valid(), ...extra });
      expect(response.status).toBe(422);
      expect(((await response.json()) as any).errorCode).toBe(errorCode);
    });

    it('a partial Klarna capture or refund without lineItems: 422 validation (PaymentCaptureRequest/PaymentRefundRequest.lineItems)', async () => {
      const payment = await h.createPayment(accountId, {
        ...KLARNA_ORDER,
        method: 'klarna',
        captureMode: 'manual',
      });
      await submitCheckout(payment.checkoutUrl, { outcome: 'authorized' });
      await h.waitForStatus(payment.id, 'authorized');
      const link = sim.links.get(payment.provider.paymentId)!;
      const rejected = sim.rejected.length;
      // Calls made here, not by the server: their webhooks are not the server's business.
      sim.dropWebhooks = true;
      const modify = (kind: 'captures' | 'refunds', value: number, extra: object = {}) =>
        post(`/payments/${link.pspReference}/${kind}`, {
          merchantAccount: credentials.merchantAccount,
          amount: { currency: 'EUR', value },
          ...extra,
        });
      const capture = await modify('captures', 1000);
      expect(capture.status).toBe(422);
      expect(await capture.json()).toMatchObject({
        status: 422,
        errorType: 'validation',
        message: 'lineItems are required for a partial capture of klarna',
      });
      expect(link.captured).toBe(0);
      // With the items captured it is taken.
      const items = [{ id: '2', description: 'Shipping', quantity: 1, amountIncludingTax: 595 }];
      expect((await modify('captures', 595, { lineItems: items })).status).toBe(201);
      await sim.settled();
      expect(link.captured).toBe(595);

      const refund = await modify('refunds', 100);
      expect(refund.status).toBe(422);
      expect(await refund.json()).toMatchObject({
        status: 422,
        errorType: 'validation',
        message: 'lineItems are required for a partial refund of klarna',
      });
      expect(link.refunded).toBe(0);
      // A whole refund (all that was captured) needs no items.
      expect((await modify('refunds', 595)).status).toBe(201);
      await sim.settled();
      expect(link.refunded).toBe(595);
      expect(sim.rejected).toHaveLength(rejected); // refused by the rule, not the schema
    });

    it('a link without expiresAt: 24 hours ahead, as YYYY-MM-DDThh:mm:ss+TZD (PaymentLinkResponse.expiresAt)', async () => {
      const created = (await (await post('/paymentLinks', valid())).json()) as any;
      expect(created.expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
      const ahead = Date.parse(created.expiresAt) - Date.now();
      expect(ahead).toBeGreaterThan(86_400_000 - 60_000);
      expect(ahead).toBeLessThanOrEqual(86_400_000);
    });

    it('a form-encoded body: 415', async () => {
      const response = await post('/paymentLinks', 'amount=10', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(response.status).toBe(415);
    });

    it("applies the merchant account's default capture to a link that names none", async () => {
      sim.captureDefault = 'manual';
      try {
        const created = (await (await post('/paymentLinks', valid())).json()) as any;
        expect((await submitCheckout(created.url, { outcome: 'paid' })).status).toBe(303);
        expect(sim.links.get(created.id)).toMatchObject({ status: 'completed', captured: 0 });
      } finally {
        sim.captureDefault = 'immediate';
      }
    });

    it('captures at once a method without separate captures, even on a link with manualCapture', async () => {
      const ideal = (await (
        await post('/paymentLinks', {
          ...valid(),
          manualCapture: true,
          allowedPaymentMethods: ['ideal'],
        })
      ).json()) as any;
      expect((await submitCheckout(ideal.url, { outcome: 'paid' })).status).toBe(303);
      const idealLink = sim.links.get(ideal.id)!;
      expect(idealLink).toMatchObject({ capture: 'immediate', captured: 1000 });
      // The authorisation cannot be captured or canceled any more.
      const captured = await post(`/payments/${idealLink.pspReference}/captures`, {
        merchantAccount: credentials.merchantAccount,
        amount: { currency: 'EUR', value: 1000 },
      });
      expect(captured.status).toBe(201);
      await eventually(async () =>
        [...sim.modifications.values()].some((m) => m.link === idealLink && !m.success),
      );

      const card = (await (
        await post('/paymentLinks', { ...valid(), manualCapture: true })
      ).json()) as any;
      await submitCheckout(card.url, { outcome: 'authorized', method: 'visa' });
      expect(sim.links.get(card.id)).toMatchObject({ capture: 'manual', captured: 0 });
    });

    it('offers only the allowedPaymentMethods of a link', async () => {
      const created = (await (
        await post('/paymentLinks', { ...valid(), allowedPaymentMethods: ['scheme', 'paypal'] })
      ).json()) as any;
      expect((await submitCheckout(created.url, { outcome: 'paid', method: 'ideal' })).status).toBe(
        400,
      );
      expect(sim.links.get(created.id)!.status).toBe('active');
      expect(
        (await submitCheckout(created.url, { outcome: 'paid', method: 'paypal' })).status,
      ).toBe(303);
    });

    it('answers 409, errorCode 704, Transient-Error for a key whose first request is still running', async () => {
      const key = { 'idempotency-key': `sim-${randomBytes(6).toString('hex')}` };
      const links = /^\/v71\/paymentLinks$/;
      const before = sim.callsTo('POST', links).length;
      const held = sim.holdNext(links);
      const first = post('/paymentLinks', valid(), key);
      await eventually(async () => sim.callsTo('POST', links).length > before);
      const repeat = await post('/paymentLinks', valid(), key);
      expect(repeat.status).toBe(409);
      expect(repeat.headers.get('transient-error')).toBe('true');
      expect(((await repeat.json()) as any).errorCode).toBe('704');
      await held.release();
      const answer = (await (await first).json()) as any;
      const again = await post('/paymentLinks', valid(), key);
      expect(again.status).toBe(201);
      expect(((await again.json()) as any).id).toBe(answer.id);
    });

    withSpecs('an amount as a decimal string: 422 validation', async () => {
      const response = await post('/paymentLinks', {
        ...valid(),
        amount: { currency: 'EUR', value: '10.00' },
      });
      expect(response.status).toBe(422);
      expect(((await response.json()) as any).message).toContain('amount.value');
    });

    withSpecs('a missing required field or an unknown field: 422 validation', async () => {
      const missing: Record<string, unknown> = valid();
      delete missing.reference;
      expect((await post('/paymentLinks', missing)).status).toBe(422);
      expect((await post('/paymentLinks', { ...valid(), amountValue: 1 })).status).toBe(422);
      expect(
        (await post('/payments/ABC/refunds', { merchantAccount: credentials.merchantAccount }))
          .status,
      ).toBe(422);
    });
  });
});
