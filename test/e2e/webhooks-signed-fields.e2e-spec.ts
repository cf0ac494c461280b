import { createHmac, randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { WebhookDelivery } from '../../src/webhooks/webhook-delivery.entity';
import { AdyenSimulator, adyenTestCredentials } from '../simulators/adyen/adyen-simulator';
import { ConnectorHarness } from '../simulators/connector-e2e-support';
import { MultisafepaySimulator } from '../simulators/multisafepay/multisafepay.simulator';
import { PayPalSimulator } from '../simulators/paypal/paypal-simulator';
import type { PspSimulator } from '../simulators/psp-simulator';
import { StripeSimulator } from '../simulators/stripe/stripe.simulator';
import { eventually, submitCheckout, startTestServer, TestServer } from '../support/test-server';

/**
 * Signed fields decide: a verified webhook is applied only to the payment its signed fields
 * name, and only when the signed amount, currency and merchant account fit that payment. A
 * mismatch is stored as `rejected` with the reason, counted, and changes nothing.
 */
describe('what a verified webhook may change', () => {
  let server: TestServer;
  let h: ConnectorHarness;
  const sims: PspSimulator[] = [];

  beforeAll(async () => {
    server = await startTestServer({ env: { PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0' } });
    h = await ConnectorHarness.open(server);
  });

  afterAll(async () => {
    for (const sim of sims) await sim.stop();
    await server?.close();
  });

  async function account<S extends PspSimulator>(
    sim: S,
    body: Record<string, unknown>,
  ): Promise<{ sim: S; accountId: string; webhookUrl: string }> {
    sims.push(await sim.start());
    const created = await h.createAccount({
      ...body,
      baseUrl: sim.url,
      settings: { requestTimeoutMs: 2000 },
    });
    expect(created.status).toBe(201);
    return { sim, accountId: created.body.id, webhookUrl: created.body.webhookUrl };
  }

  const rows = (paymentId: string) =>
    server.dataSource
      .getRepository(WebhookDelivery)
      .find({ where: { paymentId }, order: { receivedAt: 'ASC' } });
  const metrics = async () => (await fetch(`${server.baseUrl}/metrics`)).text();

  /** The payment is as it was: still pending, no webhook event in its history. */
  async function untouched(paymentId: string) {
    expect((await h.payment(paymentId)).status).toBe('pending');
    expect((await h.events(paymentId)).filter((e) => e.source === 'webhook')).toEqual([]);
  }

  describe('Adyen (the HMAC covers pspReference, originalReference, merchant account and reference, amount, event and success)', () => {
    const credentials = adyenTestCredentials();
    let adyen: AdyenSimulator;
    let accountId: string;
    beforeAll(async () => {
      const created = await account(new AdyenSimulator(credentials), {
        provider: 'adyen',
        credentials,
      });
      ({ sim: adyen, accountId } = created);
      adyen.webhookUrl = created.webhookUrl;
    });

    const authorisation = (payment: any, overrides: Record<string, unknown> = {}) => ({
      pspReference: randomBytes(8).toString('hex').toUpperCase(),
      merchantReference: payment.id,
      eventCode: 'AUTHORISATION',
      success: true,
      amount: { currency: payment.amount.currency, value: payment.amount.value },
      additionalData: { paymentLinkId: payment.provider.paymentId },
      ...overrides,
    });

    it("a genuinely signed item for payment A replayed with payment B's paymentLinkId: B unchanged, A paid once", async () => {
      const a = await h.createPayment(accountId, { amount: { value: 100, currency: 'EUR' } });
      const b = await h.createPayment(accountId, { amount: { value: 100_000, currency: 'EUR' } });
      await submitCheckout(a.checkoutUrl, { outcome: 'paid' });
      await h.waitForStatus(a.id, 'paid');
      const genuine = JSON.parse(adyen.lastWebhook()!);

      // The same signed item, additionalData pointed at B (the HMAC does not cover it).
      const replay = structuredClone(genuine);
      replay.notificationItems[0].NotificationRequestItem.additionalData.paymentLinkId =
        b.provider.paymentId;
      expect(await adyen.deliver(JSON.stringify(replay))).toBe(200);
      // Signed anew for A (another pspReference, so no repeat), still naming B's link.
      await adyen.notify(
        authorisation(a, { additionalData: { paymentLinkId: b.provider.paymentId } }),
      );
      expect(adyen.delivered.slice(-2).map((d) => d.responseText)).toEqual([
        '[accepted]',
        '[accepted]',
      ]);

      await untouched(b.id);
      expect((await h.events(a.id)).filter((e) => e.toStatus === 'paid')).toHaveLength(1);
      expect(await h.payment(a.id)).toMatchObject({ status: 'paid', amountCaptured: 100 });
    });

    it('a signed AUTHORISATION whose amount is not the payment’s: rejected, recorded, counted, nothing changes', async () => {
      const b = await h.createPayment(accountId, { amount: { value: 100_000, currency: 'EUR' } });
      await adyen.notify(authorisation(b, { amount: { currency: 'EUR', value: 100 } }));
      expect(adyen.delivered[adyen.delivered.length - 1]).toMatchObject({
        status: 200,
        responseText: '[accepted]',
      });
      await untouched(b.id);
      expect(await rows(b.id)).toEqual([
        expect.objectContaining({
          status: 'rejected',
          verified: true,
          attempts: 1,
          error: expect.stringMatching(/^amount_mismatch: 100 instead of/),
        }),
      ]);
      expect(await metrics()).toMatch(
        /paymentserver_webhook_items_rejected_total\{provider="adyen",reason="amount_mismatch"\} [1-9]/,
      );
    });

    it('a signed AUTHORISATION in another currency: rejected', async () => {
      const b = await h.createPayment(accountId, { amount: { value: 100_000, currency: 'EUR' } });
      await adyen.notify(authorisation(b, { amount: { currency: 'USD', value: 100_000 } }));
      await untouched(b.id);
      expect(await rows(b.id)).toEqual([
        expect.objectContaining({
          status: 'rejected',
          error: expect.stringMatching(/^currency_mismatch/),
        }),
      ]);
    });

    it('a signed AUTHORISATION for another merchant account (a company-level HMAC key): rejected', async () => {
      const b = await h.createPayment(accountId);
      const sibling = new AdyenSimulator({ ...credentials, merchantAccount: 'PaymentServerPOS' });
      sibling.webhookUrl = adyen.webhookUrl;
      await sibling.notify(authorisation(b));
      expect(sibling.delivered[0]).toMatchObject({ status: 200, responseText: '[accepted]' });
      await untouched(b.id);
      expect(await rows(b.id)).toEqual([
        expect.objectContaining({
          status: 'rejected',
          error: expect.stringMatching(/^merchant_account_mismatch/),
        }),
      ]);
    });

    it('a signed CAPTURE of payment A whose merchantReference names payment B: rejected, neither changes', async () => {
      const a = await h.createPayment(accountId, { captureMode: 'manual' });
      const b = await h.createPayment(accountId, { captureMode: 'manual' });
      await submitCheckout(a.checkoutUrl, { outcome: 'authorized' });
      await h.waitForStatus(a.id, 'authorized');
      const pspReference = adyen.links.get(a.provider.paymentId)!.pspReference!;
      await adyen.notify({
        pspReference: 'CAPTURE000000001',
        originalReference: pspReference,
        merchantReference: b.id,
        eventCode: 'CAPTURE',
        success: true,
        amount: { currency: 'EUR', value: 1050 },
      });
      expect((await h.payment(a.id)).status).toBe('authorized');
      await untouched(b.id);
      const [rejected] = await server.dataSource
        .getRepository(WebhookDelivery)
        .find({ where: { status: 'rejected' }, order: { receivedAt: 'DESC' }, take: 1 });
      expect(rejected.error).toMatch(/^payment_mismatch/);
    });
  });

  it('Stripe: a signed event whose session amount is not the payment’s is rejected and reads nothing from Stripe', async () => {
    const secret = 'whsec_signedfieldsuite0123456789';
    const stripe = new StripeSimulator();
    const { accountId, webhookUrl } = await account(stripe, {
      provider: 'stripe',
      credentials: { secretKey: stripe.secretKey, webhookSecret: secret },
    });
    const payment = await h.createPayment(accountId);
    const payload = JSON.stringify({
      id: 'evt_signedmismatch',
      object: 'event',
      type: 'checkout.session.completed',
      data: {
        object: {
          id: payment.provider.paymentId,
          object: 'checkout.session',
          client_reference_id: payment.id,
          amount_total: 1,
          currency: 'eur',
          status: 'complete',
          payment_status: 'paid',
        },
      },
    });
    const calls = stripe.calls.length;
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret }),
      },
      body: payload,
    });
    expect(response.status).toBe(200);
    expect(stripe.calls.length).toBe(calls);
    await untouched(payment.id);
    expect(await rows(payment.id)).toEqual([
      expect.objectContaining({
        status: 'rejected',
        error: expect.stringMatching(/^amount_mismatch/),
      }),
    ]);
  });

  it('MultiSafepay: a signed notification whose amount is not the order’s is rejected', async () => {
    const msp = new MultisafepaySimulator();
    const { accountId, webhookUrl } = await account(msp, {
      provider: 'multisafepay',
      credentials: { apiKey: msp.apiKey },
    });
    const payment = await h.createPayment(accountId);
    const body = JSON.stringify({
      ...msp.view(msp.orders.get(payment.id)!),
      status: 'completed',
      financial_status: 'completed',
      amount: 1,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const auth = Buffer.from(
      `${timestamp}:${createHmac('sha512', msp.apiKey).update(`${timestamp}:${body}`).digest('hex')}`,
    ).toString('base64');
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', auth },
      body,
    });
    expect(response.status).toBe(200);
    await untouched(payment.id);
    expect(await rows(payment.id)).toEqual([
      expect.objectContaining({
        status: 'rejected',
        error: expect.stringMatching(/^amount_mismatch/),
      }),
    ]);
  });

  it('PayPal: a signed capture whose custom_id names another payment than its order is rejected', async () => {
    const credentials = {
      clientId: `AYS${randomBytes(10).toString('hex')}`,
      clientSecret: `EGn${randomBytes(16).toString('hex')}`,
      webhookId: '5GP028458E2496506',
    };
    const paypal = new PayPalSimulator(credentials);
    const { accountId, webhookUrl } = await account(paypal, { provider: 'paypal', credentials });
    paypal.webhookUrl = webhookUrl;
    const a = await h.createPayment(accountId);
    const b = await h.createPayment(accountId);
    await paypal.emit('PAYMENT.CAPTURE.COMPLETED', 'capture', {
      id: 'CAPTUREMISMATCH1',
      status: 'COMPLETED',
      custom_id: b.id,
      amount: { currency_code: 'EUR', value: '10.50' },
      supplementary_data: { related_ids: { order_id: a.provider.paymentId } },
    });
    expect(paypal.lastWebhook()!.status).toBe(200);
    await untouched(a.id);
    await untouched(b.id);
    const rejected = await eventually(
      async () =>
        (
          await server.dataSource
            .getRepository(WebhookDelivery)
            .findBy({ provider: 'paypal', status: 'rejected' })
        )[0],
    );
    expect(rejected.error).toMatch(/^payment_mismatch/);
  });
});
