import { randomBytes } from 'node:crypto';
import { IdempotencyRecord } from '../../src/idempotency/idempotency-record.entity';
import { IdempotencyService } from '../../src/idempotency/idempotency.service';
import { enabledDialects } from '../support/services';
import { ConnectorSuite, useConnectorSuite } from '../simulators/connector-e2e-support';
import { MollieSimulator } from '../simulators/mollie/mollie.simulator';

/**
 * Ambiguous provider answers on every database: a capture, cancel or refund whose answer is
 * lost after Mollie did it stays pending with its amount reserved, and the reconciler settles
 * it from Mollie's own records (no webhook), never twice.
 */
describe.each(enabledDialects())('money safety at the edges, Mollie, on %s', (dialect) => {
  const suite: ConnectorSuite<MollieSimulator> = useConnectorSuite({
    simulator: () => new MollieSimulator(),
    account: (sim) => ({
      provider: 'mollie',
      credentials: { apiKey: sim.apiKey },
      baseUrl: sim.url,
      settings: { requestTimeoutMs: 2000 },
    }),
    // The reconciler looks again at once (the tests start each run themselves).
    env: { PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE: '0' },
    dialect,
  });
  const refundsPath = /^\/v2\/payments\/tr_\w+\/refunds$/;
  const capturesPath = /^\/v2\/payments\/tr_\w+\/captures$/;
  /** What was sent to Mollie for one payment (POST …/refunds, POST …/captures, DELETE). */
  const sent = (payment: any, method: string, sub = '') =>
    suite.sim.callsTo(method, new RegExp(`^/v2/payments/${payment.provider.paymentId}${sub}$`));

  beforeEach(() => {
    suite.sim.dropWebhooks = false;
    suite.sim.settleRefunds = true;
  });

  async function paidPayment(): Promise<any> {
    const payment = await suite.h.createPayment(suite.accountId);
    await suite.h.checkout(payment.checkoutUrl, 'paid');
    return suite.h.waitForStatus(payment.id, 'paid');
  }

  async function authorizedPayment(): Promise<any> {
    const payment = await suite.h.createPayment(suite.accountId, {
      captureMode: 'manual',
      method: 'card',
    });
    await suite.h.checkout(payment.checkoutUrl, 'paid');
    return suite.h.waitForStatus(payment.id, 'authorized');
  }

  const refund = (paymentId: string, body: Record<string, unknown> = {}) =>
    suite.server.request('POST', `/api/v1/payments/${paymentId}/refunds`, { body });

  it.each([
    ['the connection is reset after Mollie did it', 'reset_after_work'],
    ['Mollie did it but answered 503', 'unavailable_after_work'],
  ] as const)(
    'a refund whose answer is lost (%s) is pending, blocks a second full refund, and settles once by poll',
    async (_label, fault) => {
      const { sim, h } = suite;
      const payment = await paidPayment();
      sim.settleRefunds = false; // Mollie settles it later, and tells nobody
      sim.failNextCall(fault, { method: 'POST', path: refundsPath });

      const first = await refund(payment.id);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        status: 'pending',
        amount: { value: 1050, currency: 'EUR' },
      });
      expect(sim.payments.get(payment.provider.paymentId)!.refunds).toHaveLength(1);

      const second = await refund(payment.id);
      expect(second.status).toBe(422);
      expect(second.body.code).toBe('refund_exceeds_available');

      // Mollie still works on it: found by its metadata, not sent again.
      await h.reconcile();
      expect((await h.refunds(payment.id))[0].status).toBe('pending');
      expect(sent(payment, 'POST', '/refunds')).toHaveLength(1);

      expect(await sim.settlePendingRefunds({ notify: false })).toBe(1);
      await h.reconcile();
      await h.reconcile();
      expect(await h.refunds(payment.id)).toEqual([
        expect.objectContaining({ id: first.body.id, status: 'succeeded' }),
      ]);
      expect(await h.payment(payment.id)).toMatchObject({
        status: 'refunded',
        amountRefunded: 1050,
      });
      const changes = await h.refundChanges(payment.id);
      expect(changes).toEqual([
        expect.objectContaining({
          fromStatus: 'pending',
          toStatus: 'succeeded',
          source: 'poll',
          refundId: first.body.id,
        }),
      ]);
      const events = await h.outbox(payment.id, 'refund.status_changed');
      expect(events.map((e) => [e.data.refund.id, e.data.refund.status])).toEqual([
        [first.body.id, 'succeeded'],
      ]);
      expect(sent(payment, 'POST', '/refunds')).toHaveLength(1);
    },
  );

  it('a refund Mollie never received (503 before the work) is sent again with the same Idempotency-Key, once', async () => {
    const { sim, h } = suite;
    const payment = await paidPayment();
    sim.failNextCall('unavailable', { method: 'POST', path: refundsPath });
    const first = await refund(payment.id, { amount: { value: 400, currency: 'EUR' } });
    expect(first.status).toBe(201);
    expect(first.body.status).toBe('pending');
    expect(sim.payments.get(payment.provider.paymentId)!.refunds).toHaveLength(0);

    await h.reconcile();
    await h.waitForStatus(payment.id, 'partially_refunded');
    const sends = sent(payment, 'POST', '/refunds');
    expect(sends).toHaveLength(2);
    expect(sends[0].headers['idempotency-key']).toBe(first.body.id);
    expect(sends[1].headers['idempotency-key']).toBe(first.body.id);
    expect(
      sim.payments.get(payment.provider.paymentId)!.refunds.map((r) => r.amount.value),
    ).toEqual(['4.00']);
    expect(await h.payment(payment.id)).toMatchObject({ amountRefunded: 400 });
  });

  it('a refund retried with its Idempotency-Key after the stored answer is gone is the same refund, sent once', async () => {
    const { sim, h } = suite;
    const payment = await paidPayment();
    const request = {
      body: { amount: { value: 400, currency: 'EUR' } },
      headers: { 'idempotency-key': `refund-${randomBytes(4).toString('hex')}` },
    };
    const path = `/api/v1/payments/${payment.id}/refunds`;
    const first = await suite.server.request('POST', path, request);
    expect(first.status).toBe(201);
    // The request died after Mollie was called (or the database failed as it finished): the
    // key's stored answer is not there, so the retry runs again.
    await suite.server.dataSource
      .getRepository(IdempotencyRecord)
      .delete({ keyDigest: IdempotencyService.keyDigest(request.headers['idempotency-key']) });
    const retried = await suite.server.request('POST', path, request);
    expect(retried.status).toBe(201);
    expect(retried.body.id).toBe(first.body.id);
    expect(sent(payment, 'POST', '/refunds')).toHaveLength(1);
    expect(await h.refunds(payment.id)).toHaveLength(1);
    expect(sim.payments.get(payment.provider.paymentId)!.refunds).toHaveLength(1);
    // The retry stored its answer again: another body under the key is refused as before.
    const other = await suite.server.request('POST', path, {
      ...request,
      body: { amount: { value: 300, currency: 'EUR' } },
    });
    expect([other.status, other.body.code]).toEqual([422, 'idempotency_key_reused']);
  });

  it('a refund Mollie refuses (422) is failed at once and its amount is free again', async () => {
    const { sim } = suite;
    const payment = await paidPayment();
    // Refunded in Mollie's dashboard, unknown here: Mollie refuses what is no longer there.
    sim.dashboardRefund(payment.provider.paymentId, 300);
    const refused = await refund(payment.id);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('provider_invalid_request');
    expect(await suite.h.refunds(payment.id)).toEqual([
      expect.objectContaining({ status: 'failed', amount: { value: 1050, currency: 'EUR' } }),
    ]);

    const rest = await refund(payment.id, { amount: { value: 750, currency: 'EUR' } });
    expect(rest.status).toBe(201);
    expect(rest.body.amount.value).toBe(750);
  });

  it('two concurrent refunds while one is unknown never reserve more than was captured', async () => {
    const { sim, h } = suite;
    const payment = await paidPayment();
    sim.settleRefunds = false;
    sim.failNextCall('reset_after_work', { method: 'POST', path: refundsPath });
    expect(
      (await refund(payment.id, { amount: { value: 600, currency: 'EUR' } })).body.status,
    ).toBe('pending');

    const [a, b] = await Promise.all([
      refund(payment.id, { amount: { value: 300, currency: 'EUR' } }),
      refund(payment.id, { amount: { value: 300, currency: 'EUR' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 422]);
    expect([a, b].find((r) => r.status === 422)!.body.code).toBe('refund_exceeds_available');

    await sim.settlePendingRefunds({ notify: false });
    await h.reconcile();
    const refunds = await h.refunds(payment.id);
    expect(refunds.map((r) => [r.amount.value, r.status])).toEqual([
      [600, 'succeeded'],
      [300, 'succeeded'],
    ]);
    expect(await h.payment(payment.id)).toMatchObject({
      status: 'partially_refunded',
      amountRefunded: 900,
    });
    const atMollie = sim.payments.get(payment.provider.paymentId)!.refunds;
    expect(atMollie.map((r) => r.amount.value).sort()).toEqual(['3.00', '6.00']);
  });

  it('a capture whose answer is lost leaves the payment authorized with the capture pending, then settles by poll, captured once', async () => {
    const { sim, h, server } = suite;
    const payment = await authorizedPayment();
    sim.dropWebhooks = true;
    sim.failNextCall('reset_after_work', { method: 'POST', path: capturesPath });

    const response = await server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
      body: { amount: { value: 800, currency: 'EUR' } },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'authorized',
      amountCaptured: 0,
      pendingOperation: {
        id: expect.stringMatching(/^op_/),
        type: 'capture',
        amount: { value: 800, currency: 'EUR' },
        stage: 'unknown',
      },
    });
    const again = await server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
      body: {},
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_payment_state');
    expect((await server.request('POST', `/api/v1/payments/${payment.id}/cancel`)).status).toBe(
      409,
    );

    await h.reconcile();
    const after = await h.payment(payment.id);
    expect(after).toMatchObject({ status: 'paid', amountCaptured: 800, pendingOperation: null });
    expect(sim.payments.get(payment.provider.paymentId)!.captures).toHaveLength(1);
    expect(sent(payment, 'POST', '/captures')).toHaveLength(1);
    expect((await h.events(payment.id)).pop()).toMatchObject({
      fromStatus: 'authorized',
      toStatus: 'paid',
      source: 'poll',
    });
  });

  it('a capture Mollie never received is sent again with the same Idempotency-Key and captured once', async () => {
    const { sim, h, server } = suite;
    const payment = await authorizedPayment();
    sim.failNextCall('hang', { method: 'POST', path: capturesPath });
    const response = await server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
      body: {},
    });
    expect(response.body).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'capture', stage: 'unknown' },
    });

    await h.reconcile();
    expect(await h.waitForStatus(payment.id, 'paid')).toMatchObject({
      amountCaptured: 1050,
      pendingOperation: null,
    });
    const sends = sent(payment, 'POST', '/captures');
    expect(sends).toHaveLength(2);
    expect(sends[1].headers['idempotency-key']).toBe(sends[0].headers['idempotency-key']);
    expect(sends[0].headers['idempotency-key']).toBe(response.body.pendingOperation.id);
    expect(sim.payments.get(payment.provider.paymentId)!.captures).toHaveLength(1);
  });

  it('a cancel whose answer is lost leaves the payment authorized with the cancel pending, then settles by poll', async () => {
    const { sim, h, server } = suite;
    const payment = await authorizedPayment();
    sim.dropWebhooks = true;
    sim.failNextCall('unavailable_after_work', { method: 'DELETE' });

    const response = await server.request('POST', `/api/v1/payments/${payment.id}/cancel`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'cancel', amount: null, stage: 'unknown' },
    });
    expect(
      (await server.request('POST', `/api/v1/payments/${payment.id}/capture`, { body: {} })).status,
    ).toBe(409);

    await h.reconcile();
    expect(await h.payment(payment.id)).toMatchObject({
      status: 'canceled',
      pendingOperation: null,
    });
    expect(sent(payment, 'DELETE')).toHaveLength(1);
  });

  it('a capture Mollie refuses (422) is failed at once: the payment stays authorized, nothing is left open', async () => {
    const { sim, server } = suite;
    const payment = await authorizedPayment();
    // The authorization ran out at Mollie; its webhook has not arrived yet.
    sim.payments.get(payment.provider.paymentId)!.status = 'expired';
    const refused = await server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
      body: {},
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('provider_invalid_request');
    expect(await suite.h.payment(payment.id)).toMatchObject({
      status: 'authorized',
      amountCaptured: 0,
      pendingOperation: null,
    });
    await suite.h.reconcile();
    expect(sent(payment, 'POST', '/captures')).toHaveLength(1);
  });
});
