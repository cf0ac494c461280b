import { Refund } from '../../src/payments/entities/refund.entity';
import { AdyenSimulator, adyenTestCredentials } from '../simulators/adyen/adyen-simulator';
import { useConnectorSuite } from '../simulators/connector-e2e-support';
import { eventually, submitCheckout } from '../support/test-server';

/**
 * Adyen has no API to look a capture, cancel or refund up: a lost answer is sent again with the
 * same Idempotency-Key (Adyen answers it from the first), then only the webhook settles it.
 * Until it does, the payment shows needsAttention in the admin API after
 * PAYMENTSERVER_RECONCILE_ATTENTION_HOURS (here 0.002 h, about 7 s), and nothing is freed.
 */
describe('Adyen operations with lost answers (sqlite)', () => {
  const credentials = adyenTestCredentials();
  const suite = useConnectorSuite({
    simulator: () => new AdyenSimulator(credentials),
    account: (adyen) => ({
      provider: 'adyen',
      credentials,
      baseUrl: adyen.baseUrl,
      settings: { requestTimeoutMs: 2000 },
    }),
    publicListener: true,
    env: {
      PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE: '0',
      PAYMENTSERVER_RECONCILE_ATTENTION_HOURS: '0.002',
    },
  });

  beforeAll(() => {
    suite.sim.webhookUrl = suite.webhookUrl;
  });

  async function payment(outcome: 'paid' | 'authorized'): Promise<any> {
    suite.sim.dropWebhooks = false;
    const created = await suite.h.createPayment(suite.accountId, {
      captureMode: outcome === 'authorized' ? 'manual' : 'automatic',
    });
    await submitCheckout(created.checkoutUrl, { outcome });
    const settled = await suite.h.waitForStatus(created.id, outcome);
    suite.sim.dropWebhooks = true; // the outcome's webhook is lost for now
    return settled;
  }

  const post = (p: any, path: string, body: unknown = {}) =>
    suite.server.request('POST', `/api/v1/payments/${p.id}${path}`, { body });
  const pspReference = (p: any) => suite.sim.links.get(p.provider.paymentId)!.pspReference!;
  /** The webhook Adyen signed for the last modification (dropped for now, delivered later). */
  const lostWebhook = async () => {
    await suite.sim.settled();
    return suite.sim.lastSigned!;
  };
  const refundRow = (id: string) =>
    suite.server.dataSource.getRepository(Refund).findOneByOrFail({ id });
  const attention = async (p: any) => (await suite.h.adminPayment(p.id)).needsAttention;

  it('a refund whose answer is lost is sent again with the same key, refunded once, flagged after the hours, and settled by its webhook', async () => {
    const paid = await payment('paid');
    const path = new RegExp(`^/v71/payments/${pspReference(paid)}/refunds$`);
    suite.sim.failNextCall('reset_after_work', { method: 'POST', path });
    const refund = await post(paid, '/refunds');
    expect(refund).toMatchObject({ status: 201, body: { status: 'pending' } });
    const webhook = await lostWebhook();
    expect(await attention(paid)).toBeNull();

    await suite.h.reconcile();
    const sends = suite.sim.callsTo('POST', path);
    expect(sends.map((c) => c.headers['idempotency-key'])).toEqual([
      refund.body.id,
      refund.body.id,
    ]);
    expect(suite.sim.links.get(paid.provider.paymentId)!.refunded).toBe(1050);
    expect((await post(paid, '/refunds')).body.code).toBe('refund_exceeds_available');

    const flagged = await eventually(() => attention(paid), 30_000);
    expect(flagged).toMatchObject({
      reason: expect.stringContaining('adyen has no API to look it up'),
      operations: [{ type: 'refund', id: refund.body.id, stage: 'accepted' }],
    });
    const listed = await suite.server.request('GET', '/api/v1/admin/payments?provider=adyen', {
      token: await suite.server.adminToken(),
    });
    expect(
      listed.body.data.find((p: any) => p.id === paid.id).needsAttention.operations[0].id,
    ).toBe(refund.body.id);
    expect((await suite.h.refunds(paid.id))[0].status).toBe('pending');

    expect(await suite.sim.deliver(webhook)).toBe(200);
    expect(await suite.h.payment(paid.id)).toMatchObject({
      status: 'refunded',
      amountRefunded: 1050,
    });
    expect(await attention(paid)).toBeNull();
  });

  it.each([409, 422] as const)(
    'a refund Adyen is still carrying out (%i/704 on the retry) stays pending and reserved, then settles once',
    async (status) => {
      const paid = await payment('paid');
      suite.sim.dropWebhooks = false;
      suite.sim.inProgressStatus = status;
      const link = suite.sim.links.get(paid.provider.paymentId)!;
      const path = new RegExp(`^/v71/payments/${pspReference(paid)}/refunds$`);
      const held = suite.sim.holdNext(path); // Adyen is slow: our call times out, no answer
      const refund = await post(paid, '/refunds');
      expect(refund).toMatchObject({ status: 201, body: { status: 'pending' } });

      await suite.h.reconcile(); // the retry, same key, meets 409 or 422 with errorCode 704
      const sends = suite.sim.callsTo('POST', path);
      expect(sends.map((c) => c.headers['idempotency-key'])).toEqual([
        refund.body.id,
        refund.body.id,
      ]);
      expect((await suite.h.refunds(paid.id))[0]).toMatchObject({
        id: refund.body.id,
        status: 'pending',
      });
      expect(await refundRow(refund.body.id)).toMatchObject({
        stage: 'unknown',
        lastError: expect.stringContaining('704'),
      });
      expect((await post(paid, '/refunds')).body.code).toBe('refund_exceeds_available');
      expect(link.refunded).toBe(0);

      suite.sim.dropWebhooks = true; // the REFUND webhook is lost for now
      await held.release(); // Adyen carries the first request out and stores its answer
      const webhook = await lostWebhook();
      await suite.h.reconcile(); // the retry now gets the stored `received`
      expect(suite.sim.callsTo('POST', path)).toHaveLength(3);
      expect(link.refunded).toBe(1050);
      expect((await suite.h.refunds(paid.id))[0].status).toBe('pending');

      expect(await suite.sim.deliver(webhook)).toBe(200);
      expect(await suite.sim.deliver(webhook)).toBe(200); // Adyen's retry of it
      await suite.h.reconcile();
      expect(await suite.h.payment(paid.id)).toMatchObject({
        status: 'refunded',
        amountRefunded: 1050,
      });
      expect(await suite.h.refunds(paid.id)).toEqual([
        expect.objectContaining({
          id: refund.body.id,
          status: 'succeeded',
          amount: { value: 1050, currency: 'EUR' },
        }),
      ]);
      expect(suite.sim.callsTo('POST', path)).toHaveLength(3);
      expect(
        [...suite.sim.modifications.values()].filter(
          (m) => m.kind === 'refunds' && m.link === link,
        ),
      ).toHaveLength(1);
      suite.sim.inProgressStatus = 409;
    },
  );

  it('a capture whose answer is lost stays pending (flagged after the hours) until the CAPTURE webhook, captured once', async () => {
    const authorized = await payment('authorized');
    const path = new RegExp(`^/v71/payments/${pspReference(authorized)}/captures$`);
    suite.sim.failNextCall('unavailable_after_work', { method: 'POST', path });
    const response = await post(authorized, '/capture', {
      amount: { value: 600, currency: 'EUR' },
    });
    expect(response.body).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'capture', stage: 'unknown' },
    });
    const webhook = await lostWebhook();

    await suite.h.reconcile();
    expect((await suite.h.payment(authorized.id)).pendingOperation).toMatchObject({
      type: 'capture',
      stage: 'accepted',
    });
    expect(suite.sim.callsTo('POST', path).map((c) => c.headers['idempotency-key'])).toEqual([
      response.body.pendingOperation.id,
      response.body.pendingOperation.id,
    ]);
    expect(suite.sim.links.get(authorized.provider.paymentId)!.captured).toBe(600);

    expect(await eventually(() => attention(authorized), 30_000)).toMatchObject({
      operations: [{ type: 'capture', stage: 'accepted' }],
    });
    expect(await suite.sim.deliver(webhook)).toBe(200);
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 600,
      pendingOperation: null,
    });
    expect(await attention(authorized)).toBeNull();
  });

  it('a cancel whose answer is lost is sent again with the same key and settled by the CANCELLATION webhook', async () => {
    const authorized = await payment('authorized');
    const path = new RegExp(`^/v71/payments/${pspReference(authorized)}/cancels$`);
    suite.sim.failNextCall('reset_after_work', { method: 'POST', path });
    const response = await post(authorized, '/cancel');
    expect(response.body).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'cancel', stage: 'unknown' },
    });
    const webhook = await lostWebhook();

    await suite.h.reconcile();
    expect(suite.sim.callsTo('POST', path)).toHaveLength(2);
    expect((await suite.h.payment(authorized.id)).pendingOperation.stage).toBe('accepted');
    expect(await suite.sim.deliver(webhook)).toBe(200);
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'canceled',
      pendingOperation: null,
    });
  });
});
