import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { WebhookDelivery } from '../../src/webhooks/webhook-delivery.entity';
import { useConnectorSuite } from '../simulators/connector-e2e-support';
import { forgeDelivery, SignedDelivery } from '../simulators/paypal/paypal-forgery';
import { PayPalSimulator } from '../simulators/paypal/paypal-simulator';

/**
 * PayPal signs `transmissionId|time|webhookId|CRC32(body)`: anyone holding one genuine
 * delivery (a log, a proxy) can write another body with the same CRC32, and the genuine
 * headers verify it. Such a body is accepted (200, verified), but it only names what to look
 * at: every status and amount is read from PayPal's API.
 */
describe('PayPal webhooks forged to a genuine delivery’s CRC32 change nothing', () => {
  const credentials = {
    clientId: `AYS${randomBytes(10).toString('hex')}`,
    clientSecret: `EGn${randomBytes(16).toString('hex')}`,
    webhookId: '3XK59374A1627411B',
  };
  const suite = useConnectorSuite({
    simulator: () => new PayPalSimulator(credentials),
    account: (paypal) => ({
      provider: 'paypal',
      credentials,
      baseUrl: paypal.baseUrl,
      settings: { requestTimeoutMs: 3000 },
    }),
    publicListener: true,
  });

  beforeAll(() => {
    suite.sim.webhookUrl = suite.webhookUrl;
  });
  beforeEach(() => {
    suite.sim.holdRefunds = false;
  });

  const order = (p: any) => suite.sim.orders.get(p.provider.paymentId)!;
  const newEventId = () => `WH-FORGED-${randomBytes(6).toString('hex').toUpperCase()}`;

  async function paid(): Promise<any> {
    const created = await suite.h.createPayment(suite.accountId);
    await suite.h.checkout(created.checkoutUrl, 'paid');
    const payment = await suite.h.waitForStatus(created.id, 'paid');
    await suite.sim.settled();
    return payment;
  }

  /** The last genuine delivery (answered 200) of an event type whose resource passes `match`. */
  function genuine(eventType: string, match: (resource: any) => boolean): SignedDelivery {
    const found = suite.sim.delivered
      .filter((d) => d.status === 200)
      .reverse()
      .find((d) => {
        const event = JSON.parse(d.body);
        return event.event_type === eventType && match(event.resource);
      });
    if (!found) throw new Error(`no genuine ${eventType} delivery`);
    return found;
  }

  /** Delivers a forged body under the genuine headers; returns the status and PayPal API calls made. */
  async function deliver(forged: SignedDelivery) {
    const before = suite.sim.calls.length;
    const status = await suite.sim.deliver(forged.body, forged.headers);
    const calls = suite.sim.calls
      .slice(before)
      .filter((c) => c.path !== '/v1/oauth2/token')
      .map((c) => `${c.method} ${c.path}`);
    return { status, calls };
  }

  const delivery = async (body: string) =>
    (await suite.server.dataSource.getRepository(WebhookDelivery).findOneBy({ body }))!;

  it('the forgery itself: same CRC32, valid JSON, the genuine signature verifies it (200); unfixed, it is 401', async () => {
    const a = await paid();
    const b = await suite.h.createPayment(suite.accountId);
    const capture = genuine('PAYMENT.CAPTURE.COMPLETED', (r) => r.custom_id === a.id);
    const retarget = (event: any) => {
      event.id = newEventId();
      event.resource.custom_id = b.id;
      event.resource.supplementary_data.related_ids.order_id = b.provider.paymentId;
    };
    const forged = forgeDelivery(capture, retarget);
    expect(crc32(Buffer.from(forged.body))).toBe(crc32(Buffer.from(capture.body)));
    expect(JSON.parse(forged.body).resource.custom_id).toBe(b.id);

    const unfixed = JSON.parse(capture.body);
    retarget(unfixed);
    expect(await suite.sim.deliver(JSON.stringify(unfixed), capture.headers)).toBe(401);
    expect((await deliver(forged)).status).toBe(200);
    expect(await delivery(forged.body)).toMatchObject({ verified: true, status: 'processed' });
  });

  it('a forged PAYMENT.CAPTURE.COMPLETED naming pending payment B: B stays pending, its order is only read', async () => {
    const a = await paid();
    const b = await suite.h.createPayment(suite.accountId);
    const capture = genuine('PAYMENT.CAPTURE.COMPLETED', (r) => r.custom_id === a.id);
    // Under a new event id, and under the genuine one (no repeat of it: another body).
    for (const id of [newEventId(), JSON.parse(capture.body).id]) {
      const forged = forgeDelivery(capture, (event) => {
        event.id = id;
        event.resource.id = 'FORGEDCAPTURE01';
        event.resource.custom_id = b.id;
        event.resource.supplementary_data.related_ids.order_id = b.provider.paymentId;
      });
      const { status, calls } = await deliver(forged);
      expect(status).toBe(200);
      expect(calls).toEqual([`GET /v2/checkout/orders/${b.provider.paymentId}`]);
      expect(await delivery(forged.body)).toMatchObject({ verified: true, status: 'processed' });
    }
    expect(await suite.h.payment(b.id)).toMatchObject({ status: 'pending', amountCaptured: 0 });
    expect(await suite.h.events(b.id)).toHaveLength(1);
    expect(order(b).status).toBe('PAYER_ACTION_REQUIRED');
  });

  it('a forged PAYMENT.CAPTURE.DECLINED for a paid payment leaves it paid', async () => {
    const a = await paid();
    const capture = genuine('PAYMENT.CAPTURE.COMPLETED', (r) => r.custom_id === a.id);
    const forged = forgeDelivery(capture, (event) => {
      event.id = newEventId();
      event.event_type = 'PAYMENT.CAPTURE.DECLINED';
      event.resource.status = 'DECLINED';
    });
    expect((await deliver(forged)).status).toBe(200);
    expect(await suite.h.payment(a.id)).toMatchObject({ status: 'paid', amountCaptured: 1050 });
    expect((await suite.h.events(a.id)).some((e: any) => e.toStatus === 'failed')).toBe(false);
  });

  it('a pending refund: a forged FAILED does not fail it, a forged COMPLETED does not complete it; PayPal’s own word does', async () => {
    const p = await paid();
    const first = await suite.server.request('POST', `/api/v1/payments/${p.id}/refunds`, {
      body: { amount: { value: 300, currency: 'EUR' } },
    });
    expect(first.body.status).toBe('succeeded');
    await suite.sim.settled();
    const refunded = genuine('PAYMENT.CAPTURE.REFUNDED', (r) => r.custom_id === first.body.id);

    suite.sim.holdRefunds = true; // PayPal keeps the next refund PENDING (an e-check refund)
    const second = await suite.server.request('POST', `/api/v1/payments/${p.id}/refunds`, {
      body: { amount: { value: 500, currency: 'EUR' } },
    });
    expect(second.body.status).toBe('pending');
    const paypalRefund = order(p).refunds.find((r: any) => r.custom_id === second.body.id);
    expect(paypalRefund.status).toBe('PENDING');
    const forge = (status: string) =>
      forgeDelivery(refunded, (event) => {
        event.id = newEventId();
        event.resource.id = paypalRefund.id;
        event.resource.custom_id = second.body.id;
        event.resource.status = status;
        event.resource.amount = { currency_code: 'EUR', value: '5.00' };
      });

    for (const status of ['FAILED', 'COMPLETED', 'CANCELLED']) {
      const result = await deliver(forge(status));
      expect(result).toEqual({
        status: 200,
        calls: [`GET /v2/payments/refunds/${paypalRefund.id}`],
      });
    }
    const refund = async () =>
      (await suite.h.refunds(p.id)).find((r: any) => r.id === second.body.id);
    expect(await refund()).toMatchObject({ status: 'pending' });
    expect(await suite.h.payment(p.id)).toMatchObject({ amountRefunded: 300 });

    // PayPal completes it (no webhook): even a forged FAILED now only brings PayPal's COMPLETED.
    suite.sim.settlePendingRefunds({ notify: false });
    expect((await deliver(forge('FAILED'))).status).toBe(200);
    expect(await refund()).toMatchObject({ status: 'succeeded' });
    expect(await suite.h.payment(p.id)).toMatchObject({
      status: 'partially_refunded',
      amountRefunded: 800,
    });
  });

  it('a forged refund naming another payment’s capture is rejected (payment_mismatch); nothing is recorded there', async () => {
    const p = await paid();
    const c = await paid();
    const made = await suite.server.request('POST', `/api/v1/payments/${p.id}/refunds`, {
      body: { amount: { value: 200, currency: 'EUR' } },
    });
    await suite.sim.settled();
    const refunded = genuine('PAYMENT.CAPTURE.REFUNDED', (r) => r.custom_id === made.body.id);
    const cCapture = order(c).captures[0].id;
    const forged = forgeDelivery(refunded, (event) => {
      // A "dashboard refund" of C's capture: no custom_id, C's capture in its `up` link.
      event.id = newEventId();
      delete event.resource.custom_id;
      delete event.resource.invoice_id;
      event.resource.links = [
        { href: `${suite.sim.baseUrl}/v2/payments/captures/${cCapture}`, rel: 'up' },
      ];
      event.resource.amount = { currency_code: 'EUR', value: '10.50' };
    });
    expect((await deliver(forged)).status).toBe(200);
    const row = await delivery(forged.body);
    expect(row.status).toBe('rejected');
    expect(row.error).toMatch(/^payment_mismatch/);
    expect(await suite.h.payment(c.id)).toMatchObject({ status: 'paid', amountRefunded: 0 });
    expect(await suite.h.refunds(c.id)).toEqual([]);
  });

  it('a refund relabelled PAYMENT.CAPTURE.REVERSED, or a reversal naming another payment, charges nothing back', async () => {
    const p = await paid();
    const d = await paid();
    const made = await suite.server.request('POST', `/api/v1/payments/${p.id}/refunds`, {
      body: { amount: { value: 200, currency: 'EUR' } },
    });
    await suite.sim.settled();
    const refunded = genuine('PAYMENT.CAPTURE.REFUNDED', (r) => r.custom_id === made.body.id);
    // PayPal shows it as our refund (its custom_id): it is that refund, no chargeback.
    const relabelled = forgeDelivery(refunded, (event) => {
      event.id = newEventId();
      event.event_type = 'PAYMENT.CAPTURE.REVERSED';
    });
    expect((await deliver(relabelled)).status).toBe(200);
    expect(await suite.h.payment(p.id)).toMatchObject({
      status: 'partially_refunded',
      amountRefunded: 200,
    });

    const dCapture = order(d).captures[0].id;
    const elsewhere = forgeDelivery(refunded, (event) => {
      event.id = newEventId();
      event.event_type = 'PAYMENT.CAPTURE.REVERSED';
      delete event.resource.custom_id;
      delete event.resource.invoice_id;
      event.resource.links = [
        { href: `${suite.sim.baseUrl}/v2/payments/captures/${dCapture}`, rel: 'up' },
      ];
    });
    expect((await deliver(elsewhere)).status).toBe(200);
    expect((await delivery(elsewhere.body)).error).toMatch(/^payment_mismatch/);
    expect(await suite.h.payment(d.id)).toMatchObject({ status: 'paid' });
    for (const id of [p.id, d.id])
      expect((await suite.h.events(id)).some((e: any) => e.toStatus === 'charged_back')).toBe(
        false,
      );
  });

  it('a genuine reversal still charges the payment back, as PayPal confirms it', async () => {
    const p = await paid();
    const reversal = suite.sim.reverseCapture(p.provider.paymentId);
    await suite.sim.settled();
    await suite.h.waitForStatus(p.id, 'charged_back');
    expect(suite.sim.calls).toContainEqual({
      method: 'GET',
      path: `/v2/payments/refunds/${reversal.id}`,
    });
  });
});
