import { useConnectorSuite } from '../simulators/connector-e2e-support';
import { StripeSimulator } from '../simulators/stripe/stripe.simulator';

/** Captures, cancels and refunds whose answer Stripe loses: pending, then settled from Stripe's records. */
describe('Stripe operations with lost answers (sqlite)', () => {
  const webhookSecret = 'whsec_simulatorsecret0123456789';
  const suite = useConnectorSuite({
    simulator: () => new StripeSimulator(),
    account: (sim) => ({
      provider: 'stripe',
      credentials: { secretKey: sim.secretKey, webhookSecret },
      baseUrl: sim.url,
      settings: { requestTimeoutMs: 1000 },
    }),
    env: { PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE: '0' },
  });
  const refunds = /^\/v1\/refunds$/;

  beforeAll(() => {
    suite.sim.endpoint = { url: suite.webhookUrl, secret: webhookSecret };
  });

  beforeEach(() => {
    suite.sim.dropWebhooks = false;
    suite.sim.holdRefunds = false;
  });

  async function payment(captureMode: 'automatic' | 'manual' = 'automatic'): Promise<any> {
    suite.sim.dropWebhooks = false;
    const created = await suite.h.createPayment(suite.accountId, { captureMode, method: 'card' });
    await suite.h.checkout(created.checkoutUrl, 'paid');
    const settled = await suite.h.waitForStatus(
      created.id,
      captureMode === 'manual' ? 'authorized' : 'paid',
    );
    suite.sim.dropWebhooks = true; // from here on only polls tell us anything
    return settled;
  }

  const intentOf = (p: any) => suite.sim.sessions.get(p.provider.paymentId)!.payment_intent!;
  const refundsOf = (p: any) =>
    [...suite.sim.refunds.values()].filter((r) => r.payment_intent === intentOf(p));
  const post = (p: any, path: string, body: unknown = {}) =>
    suite.server.request('POST', `/api/v1/payments/${p.id}${path}`, { body });

  it('a refund whose answer is lost after Stripe made it is pending, found by its metadata, and settles once', async () => {
    const paid = await payment();
    suite.sim.holdRefunds = true;
    suite.sim.failNextCall('reset_after_work', { method: 'POST', path: refunds });
    const refund = await post(paid, '/refunds');
    expect(refund).toMatchObject({ status: 201, body: { status: 'pending' } });
    expect((await post(paid, '/refunds')).body.code).toBe('refund_exceeds_available');

    await suite.h.reconcile();
    expect((await suite.h.refunds(paid.id))[0].status).toBe('pending');
    suite.sim.settlePendingRefunds({ notify: false });
    await suite.h.reconcile();
    expect(await suite.h.payment(paid.id)).toMatchObject({
      status: 'refunded',
      amountRefunded: 1050,
    });
    expect(refundsOf(paid)).toHaveLength(1);
    expect(await suite.h.refundChanges(paid.id)).toHaveLength(1);
  });

  it.each([
    ['a 503 before the work', 'unavailable'],
    ['a 429', 'rate_limited'],
  ] as const)(
    'a refund Stripe never made (%s) is sent again with the same Idempotency-Key',
    async (_label, fault) => {
      const paid = await payment();
      suite.sim.failNextCall(fault, { method: 'POST', path: refunds });
      const refund = await post(paid, '/refunds', { amount: { value: 500, currency: 'EUR' } });
      expect(refund.body.status).toBe('pending');
      expect(refundsOf(paid)).toHaveLength(0);

      await suite.h.reconcile();
      await suite.h.reconcile();
      expect(await suite.h.payment(paid.id)).toMatchObject({
        status: 'partially_refunded',
        amountRefunded: 500,
      });
      const sends = suite.sim
        .callsTo('POST', refunds)
        .filter((c) => c.body.includes(intentOf(paid)));
      expect(sends.map((c) => c.headers['idempotency-key'])).toEqual([
        refund.body.id,
        refund.body.id,
      ]);
      expect(refundsOf(paid)).toHaveLength(1);
    },
  );

  it('a refund resent while Stripe still runs the first request gets 409 in_progress: pending, amount reserved, then settled once', async () => {
    const paid = await payment();
    // Stripe starts the refund but takes longer than our 1 s timeout.
    const slow = suite.sim.holdNextCall({ method: 'POST', path: refunds });
    const refund = await post(paid, '/refunds');
    expect(refund).toMatchObject({ status: 201, body: { status: 'pending' } });

    await suite.h.reconcile(); // not found by its metadata, so sent again with the same key
    expect(suite.sim.keysInUse).toEqual([refund.body.id]);
    expect((await suite.h.refunds(paid.id))[0].status).toBe('pending');
    expect(await suite.h.payment(paid.id)).toMatchObject({ status: 'paid', amountRefunded: 0 });
    expect((await post(paid, '/refunds')).body.code).toBe('refund_exceeds_available');
    expect(refundsOf(paid)).toHaveLength(0);

    await slow.release(); // Stripe finishes the first request: the refund exists
    await suite.h.reconcile();
    await suite.h.reconcile();
    expect(await suite.h.payment(paid.id)).toMatchObject({
      status: 'refunded',
      amountRefunded: 1050,
    });
    expect(refundsOf(paid)).toHaveLength(1);
    expect(await suite.h.refundChanges(paid.id)).toHaveLength(1);
  });

  describe('the simulator keeps idempotency keys as Stripe does', () => {
    const send = (paid: any, key: string, body: string) =>
      fetch(`${suite.sim.url}/v1/refunds`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${suite.sim.secretKey}`,
          'content-type': 'application/x-www-form-urlencoded',
          'idempotency-key': key,
        },
        body: `payment_intent=${intentOf(paid)}&${body}`,
      }).then(async (r) => ({
        status: r.status,
        replayed: r.headers.get('idempotent-replayed'),
        body: (await r.json()) as any,
      }));

    it('a repeat gets the first answer; the key with other parameters is an idempotency_error', async () => {
      const paid = await payment();
      const key = `key-${paid.id}`;
      const first = await send(paid, key, 'amount=100');
      expect(await send(paid, key, 'amount=100')).toEqual({ ...first, replayed: 'true' });
      expect(await send(paid, key, 'amount=200')).toMatchObject({
        status: 400,
        body: { error: { type: 'idempotency_error' } },
      });
      expect(refundsOf(paid)).toHaveLength(1);
    });

    it('a 500 is saved and replayed for the same key', async () => {
      const paid = await payment();
      const key = `key500-${paid.id}`;
      suite.sim.failNextExecution({ path: refunds });
      const first = await send(paid, key, 'amount=100');
      expect(first).toMatchObject({ status: 500, body: { error: { type: 'api_error' } } });
      expect(await send(paid, key, 'amount=100')).toEqual({ ...first, replayed: 'true' });
      expect(refundsOf(paid)).toHaveLength(0);
    });

    it('nothing is saved for a request that failed validation', async () => {
      const paid = await payment();
      const key = `keybad-${paid.id}`;
      expect(await send(paid, key, 'amount=1.5')).toMatchObject({
        status: 400,
        body: { error: { code: 'parameter_invalid_integer' } },
      });
      expect(await send(paid, key, 'amount=100')).toMatchObject({
        status: 200,
        replayed: null,
        body: { object: 'refund', amount: 100 },
      });
    });

    it('a repeat while the first request runs is 409 idempotency_key_in_use, and nothing is saved for it', async () => {
      const paid = await payment();
      const key = `key409-${paid.id}`;
      const slow = suite.sim.holdNextCall({ path: refunds });
      const first = send(paid, key, 'amount=100');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await send(paid, key, 'amount=100')).toMatchObject({
        status: 409,
        body: { error: { type: 'idempotency_error', code: 'idempotency_key_in_use' } },
      });
      await slow.release();
      const answered = await first;
      expect(answered).toMatchObject({ status: 200, body: { object: 'refund' } });
      expect(await send(paid, key, 'amount=100')).toEqual({ ...answered, replayed: 'true' });
      expect(refundsOf(paid)).toHaveLength(1);
    });
  });

  it('a capture whose answer is lost (503 after the work) settles from the PaymentIntent, captured once', async () => {
    const authorized = await payment('manual');
    const path = new RegExp(`^/v1/payment_intents/${intentOf(authorized)}/capture$`);
    suite.sim.failNextCall('unavailable_after_work', { method: 'POST', path });
    const response = await post(authorized, '/capture', {
      amount: { value: 700, currency: 'EUR' },
    });
    expect(response.body).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'capture', stage: 'unknown' },
    });

    await suite.h.reconcile();
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 700,
      pendingOperation: null,
    });
    expect(suite.sim.callsTo('POST', path)).toHaveLength(1);
  });

  it('a capture that timed out before Stripe saw it is sent again with the same Idempotency-Key', async () => {
    const authorized = await payment('manual');
    const path = new RegExp(`^/v1/payment_intents/${intentOf(authorized)}/capture$`);
    suite.sim.failNextCall('hang', { method: 'POST', path });
    const response = await post(authorized, '/capture');
    expect(response.body.pendingOperation).toMatchObject({ type: 'capture', stage: 'unknown' });

    await suite.h.reconcile();
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 1050,
    });
    const keys = suite.sim.callsTo('POST', path).map((c) => c.headers['idempotency-key']);
    expect(keys).toEqual([response.body.pendingOperation.id, response.body.pendingOperation.id]);
  });

  it('a cancel whose answer is lost (reset after the work) settles from the PaymentIntent', async () => {
    const authorized = await payment('manual');
    const path = new RegExp(`^/v1/payment_intents/${intentOf(authorized)}/cancel$`);
    suite.sim.failNextCall('reset_after_work', { method: 'POST', path });
    const response = await post(authorized, '/cancel');
    expect(response.body).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'cancel', stage: 'unknown' },
    });

    await suite.h.reconcile();
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'canceled',
      pendingOperation: null,
    });
    expect(suite.sim.callsTo('POST', path)).toHaveLength(1);
    expect(suite.sim.callsTo('POST', path)[0].headers['idempotency-key']).toBe(
      `${response.body.pendingOperation.id}-cancel`,
    );
  });
});
