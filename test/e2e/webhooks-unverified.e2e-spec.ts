import { randomBytes, randomUUID } from 'node:crypto';
import { WebhookDelivery } from '../../src/webhooks/webhook-delivery.entity';
import { AdyenSimulator, adyenTestCredentials } from '../simulators/adyen/adyen-simulator';
import { ConnectorHarness } from '../simulators/connector-e2e-support';
import { MollieSimulator } from '../simulators/mollie/mollie.simulator';
import { MultisafepaySimulator } from '../simulators/multisafepay/multisafepay.simulator';
import { PayPalSimulator } from '../simulators/paypal/paypal-simulator';
import type { PspSimulator } from '../simulators/psp-simulator';
import { StripeSimulator } from '../simulators/stripe/stripe.simulator';
import { startTestServer, submitCheckout, TestServer } from '../support/test-server';

const POLL_BUDGET = 5;

/**
 * Unverified webhooks cost nothing: a delivery that fails verification is answered 401 at once
 * and costs no provider call, whatever it names. What verification itself needs (Mollie's fetch,
 * which is how Mollie's unsigned webhooks work; PayPal's certificate) is spent only on bodies
 * naming a local payment, within a per-account budget (here 5 a minute).
 */
describe('webhooks that do not verify', () => {
  let server: TestServer;
  let h: ConnectorHarness;
  const sims: PspSimulator[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      env: {
        PAYMENTSERVER_WEBHOOK_POLL_BUDGET_PER_MINUTE: String(POLL_BUDGET),
        PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0',
      },
    });
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
      baseUrl: (sim as PspSimulator).url,
      settings: { requestTimeoutMs: 2000 },
    });
    expect(created.status).toBe(201);
    return { sim, accountId: created.body.id, webhookUrl: created.body.webhookUrl };
  }

  const post = (
    url: string,
    body: string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) => fetch(url, { method: 'POST', headers, body });
  const inboxRows = () => server.dataSource.getRepository(WebhookDelivery).count();

  /** The answers, and the provider calls made meanwhile (and shortly after). */
  async function callsDuring(
    sim: PspSimulator,
    send: () => Promise<number | number[]>,
  ): Promise<{ statuses: number[]; calls: { method: string; path: string }[] }> {
    const before = sim.calls.length;
    const result = await send();
    await h.webhooksSettled();
    return { statuses: ([] as number[]).concat(result), calls: sim.calls.slice(before) };
  }

  describe('Adyen', () => {
    const credentials = adyenTestCredentials();
    let adyen: { sim: AdyenSimulator; accountId: string; webhookUrl: string };
    beforeAll(async () => {
      adyen = await account(new AdyenSimulator(credentials), { provider: 'adyen', credentials });
      adyen.sim.webhookUrl = adyen.webhookUrl;
    });

    const item = (merchantReference: string, linkId: string, i: number) => ({
      NotificationRequestItem: {
        pspReference: `FORGED${String(i).padStart(10, '0')}`,
        merchantAccountCode: credentials.merchantAccount,
        merchantReference,
        eventDate: new Date().toISOString(),
        eventCode: 'AUTHORISATION',
        amount: { currency: 'EUR', value: 1050 },
        success: 'true',
        additionalData: {
          paymentLinkId: linkId,
          hmacSignature: randomBytes(32).toString('base64'),
        },
      },
    });

    it('an unsigned 200-item body naming a real payment link: 401, no call, nothing stored or changed', async () => {
      const payment = await h.createPayment(adyen.accountId);
      const rows = await inboxRows();
      const body = JSON.stringify({
        live: 'false',
        notificationItems: Array.from({ length: 200 }, (_, i) =>
          item(payment.id, payment.provider.paymentId, i),
        ),
      });
      const { statuses, calls } = await callsDuring(
        adyen.sim,
        async () => (await post(adyen.webhookUrl, body)).status,
      );
      expect(statuses).toEqual([401]);
      expect(calls).toEqual([]);
      expect(await inboxRows()).toBe(rows);
      expect((await h.payment(payment.id)).status).toBe('pending');
      expect((await h.events(payment.id)).some((e) => e.source === 'webhook')).toBe(false);
    });

    it('an unsigned body naming no local payment: 401 and no call at all', async () => {
      const body = JSON.stringify({
        live: 'false',
        notificationItems: [item('pay_unknown', 'PLUNKNOWN', 1)],
      });
      const { statuses, calls } = await callsDuring(
        adyen.sim,
        async () => (await post(adyen.webhookUrl, body)).status,
      );
      expect(statuses).toEqual([401]);
      expect(calls).toEqual([]);
    });
  });

  describe('Mollie (signs nothing)', () => {
    let mollie: { sim: MollieSimulator; accountId: string; webhookUrl: string };
    beforeAll(async () => {
      const sim = new MollieSimulator();
      mollie = await account(sim, { provider: 'mollie', credentials: { apiKey: sim.apiKey } });
    });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };

    it('an id no local payment has: 200, no Mollie call, no inbox row', async () => {
      const rows = await inboxRows();
      const { statuses, calls } = await callsDuring(mollie.sim, async () =>
        Promise.all(
          [1, 2, 3].map(
            async () =>
              (await post(mollie.webhookUrl, `id=tr_${randomBytes(5).toString('hex')}`, form))
                .status,
          ),
        ),
      );
      expect(statuses).toEqual([200, 200, 200]);
      expect(calls).toEqual([]);
      expect(await inboxRows()).toBe(rows);
    });

    it('the id of a local payment: its state is fetched from Mollie, nothing in the request is trusted', async () => {
      const payment = await h.createPayment(mollie.accountId);
      const { statuses, calls } = await callsDuring(
        mollie.sim,
        async () =>
          (await post(mollie.webhookUrl, `id=${payment.provider.paymentId}`, form)).status,
      );
      expect(statuses).toEqual([200]);
      expect(calls).toEqual([
        { method: 'GET', path: `/v2/payments/${payment.provider.paymentId}` },
      ]);
      expect((await h.payment(payment.id)).status).toBe('pending');
    });
  });

  describe('Stripe', () => {
    let stripe: { sim: StripeSimulator; accountId: string; webhookUrl: string };
    beforeAll(async () => {
      const sim = new StripeSimulator();
      stripe = await account(sim, {
        provider: 'stripe',
        credentials: { secretKey: sim.secretKey, webhookSecret: 'whsec_unverifiedsuite0123456789' },
      });
    });
    const event = (object: Record<string, unknown>) =>
      JSON.stringify({
        id: `evt_${randomBytes(8).toString('hex')}`,
        object: 'event',
        type: 'checkout.session.completed',
        data: { object },
      });
    const forged = {
      'content-type': 'application/json',
      'stripe-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
    };

    it('three forged events at once naming a local session: 401 each and no call', async () => {
      const payment = await h.createPayment(stripe.accountId);
      const body = event({
        id: payment.provider.paymentId,
        object: 'checkout.session',
        client_reference_id: payment.id,
        amount_total: 1050,
        currency: 'eur',
      });
      const { statuses, calls } = await callsDuring(stripe.sim, async () =>
        Promise.all(
          [1, 2, 3].map(async () => (await post(stripe.webhookUrl, body, forged)).status),
        ),
      );
      expect(statuses).toEqual([401, 401, 401]);
      expect(calls).toEqual([]);
      expect((await h.payment(payment.id)).status).toBe('pending');
    });

    it('a forged event naming nothing local: 401 and no call', async () => {
      const body = event({
        id: 'cs_test_unknown',
        object: 'checkout.session',
        client_reference_id: 'pay_unknown',
      });
      const { statuses, calls } = await callsDuring(
        stripe.sim,
        async () => (await post(stripe.webhookUrl, body, forged)).status,
      );
      expect(statuses).toEqual([401]);
      expect(calls).toEqual([]);
    });
  });

  describe('MultiSafepay', () => {
    let msp: { sim: MultisafepaySimulator; accountId: string; webhookUrl: string };
    beforeAll(async () => {
      const sim = new MultisafepaySimulator();
      msp = await account(sim, { provider: 'multisafepay', credentials: { apiKey: sim.apiKey } });
    });
    const badAuth = () => ({
      'content-type': 'application/json',
      auth: Buffer.from(`${Math.floor(Date.now() / 1000)}:${'ab'.repeat(64)}`).toString('base64'),
    });

    it('a notification with a bad Auth naming a local order: 401 and no call', async () => {
      const payment = await h.createPayment(msp.accountId);
      const body = JSON.stringify({
        order_id: payment.id,
        status: 'completed',
        amount: 1050,
        currency: 'EUR',
      });
      const { statuses, calls } = await callsDuring(
        msp.sim,
        async () => (await post(msp.webhookUrl, body, badAuth())).status,
      );
      expect(statuses).toEqual([401]);
      expect(calls).toEqual([]);
      expect((await h.payment(payment.id)).status).toBe('pending');
    });

    it('a notification with a bad Auth naming no local order: 401 and no call', async () => {
      const body = JSON.stringify({
        order_id: 'pay_unknown',
        status: 'completed',
        amount: 1050,
        currency: 'EUR',
      });
      const { statuses, calls } = await callsDuring(
        msp.sim,
        async () => (await post(msp.webhookUrl, body, badAuth())).status,
      );
      expect(statuses).toEqual([401]);
      expect(calls).toEqual([]);
    });

    it('many unverified requests naming different local payments: no call, no budget spent', async () => {
      const sim = new MultisafepaySimulator();
      const budgeted = await account(sim, {
        provider: 'multisafepay',
        credentials: { apiKey: sim.apiKey },
      });
      const payments: { id: string }[] = [];
      for (let i = 0; i < POLL_BUDGET + 4; i++)
        payments.push(await h.createPayment(budgeted.accountId));
      const { statuses, calls } = await callsDuring(budgeted.sim, async () =>
        Promise.all(
          payments.map(async (payment) => {
            const body = JSON.stringify({
              order_id: payment.id,
              status: 'completed',
              amount: 1050,
              currency: 'EUR',
            });
            return (await post(budgeted.webhookUrl, body, badAuth())).status;
          }),
        ),
      );
      expect(statuses.every((s) => s === 401)).toBe(true);
      expect(calls).toEqual([]);
      const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
      expect(metrics).not.toMatch(/paymentserver_webhook_polls_total\{provider="multisafepay"/);
    });
  });

  describe('PayPal (verified locally with its certificate)', () => {
    const credentials = {
      clientId: `AYS${randomBytes(10).toString('hex')}`,
      clientSecret: `EGn${randomBytes(16).toString('hex')}`,
      webhookId: '4JH86294D6297924G',
    };
    let paypal: { sim: PayPalSimulator; accountId: string; webhookUrl: string };
    beforeAll(async () => {
      paypal = await account(new PayPalSimulator(credentials), { provider: 'paypal', credentials });
      paypal.sim.webhookUrl = paypal.webhookUrl;
    });

    const headers = (certUrl: string) => ({
      'content-type': 'application/json',
      'paypal-transmission-id': randomUUID(),
      'paypal-transmission-time': new Date().toISOString(),
      'paypal-transmission-sig': randomBytes(256).toString('base64'),
      'paypal-cert-url': certUrl,
      'paypal-auth-algo': 'SHA256withRSA',
    });
    const captureEvent = (orderId: string, customId: string) =>
      JSON.stringify({
        id: `WH-${randomBytes(8).toString('hex')}`,
        event_type: 'PAYMENT.CAPTURE.COMPLETED',
        resource_type: 'capture',
        resource: {
          id: 'CAPTURE1',
          status: 'COMPLETED',
          custom_id: customId,
          amount: { currency_code: 'EUR', value: '10.50' },
          supplementary_data: { related_ids: { order_id: orderId } },
        },
      });

    it('junk naming no local order: 401 with no OAuth token, no API call and no certificate download', async () => {
      const tokens = paypal.sim.tokensIssued;
      const { statuses, calls } = await callsDuring(paypal.sim, async () =>
        Promise.all(
          [1, 2, 3].map(
            async () =>
              (
                await post(
                  paypal.webhookUrl,
                  captureEvent('UNKNOWNORDER', 'pay_unknown'),
                  headers(paypal.sim.certUrl),
                )
              ).status,
          ),
        ),
      );
      expect(statuses).toEqual([401, 401, 401]);
      expect(calls).toEqual([]);
      expect(paypal.sim.tokensIssued).toBe(tokens);
      expect(paypal.sim.certDownloads).toBe(0);
    });

    it('a certificate URL off PayPal’s hosts is never fetched', async () => {
      const payment = await h.createPayment(paypal.accountId);
      const evil = `https://paypal.example.com/v1/notifications/certs/${paypal.sim.certId}`;
      const { statuses, calls } = await callsDuring(
        paypal.sim,
        async () =>
          (
            await post(
              paypal.webhookUrl,
              captureEvent(payment.provider.paymentId, payment.id),
              headers(evil),
            )
          ).status,
      );
      expect(statuses).toEqual([401]);
      expect(paypal.sim.certDownloads).toBe(0);
      expect(calls).toEqual([]);
    });

    it('forged bodies naming a local order download certificates only within the budget', async () => {
      const payment = await h.createPayment(paypal.accountId);
      const statuses = await Promise.all(
        Array.from({ length: POLL_BUDGET + 3 }, async () => {
          const unknownCert = `https://api.sandbox.paypal.com/v1/notifications/certs/CERT-${randomBytes(4).toString('hex')}`;
          return (
            await post(
              paypal.webhookUrl,
              captureEvent(payment.provider.paymentId, payment.id),
              headers(unknownCert),
            )
          ).status;
        }),
      );
      await h.webhooksSettled();
      expect(statuses.every((s) => s === 401)).toBe(true);
      expect(paypal.sim.certDownloads).toBeLessThanOrEqual(POLL_BUDGET);
      expect(paypal.sim.certDownloads).toBeGreaterThan(0);
    });

    it('genuine deliveries verify with one certificate download, then from the cache', async () => {
      const other = await account(new PayPalSimulator(credentials), {
        provider: 'paypal',
        credentials,
      });
      other.sim.webhookUrl = other.webhookUrl;
      const payment = await h.createPayment(other.accountId);
      await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
      await h.waitForStatus(payment.id, 'paid');
      await other.sim.settled();
      expect(other.sim.delivered.map((d) => d.status)).toEqual([200, 200]);
      expect(other.sim.certDownloads).toBe(1);
      expect(
        other.sim.calls.some((c) => c.path === '/v1/notifications/verify-webhook-signature'),
      ).toBe(false);
    });
  });
});
