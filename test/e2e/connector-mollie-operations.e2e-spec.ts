import { Logger } from '@nestjs/common';
import { useConnectorSuite } from '../simulators/connector-e2e-support';
import { MollieSimulator } from '../simulators/mollie/mollie.simulator';

/** Mollie specifics beyond test/e2e/money-safety: rate limits, cancels, keys reused with another body, releasing the rest of an authorization. */
describe('Mollie operations: rate limits, retried cancels, idempotency keys (sqlite)', () => {
  const suite = useConnectorSuite({
    simulator: () => new MollieSimulator(),
    account: (sim) => ({
      provider: 'mollie',
      credentials: { apiKey: sim.apiKey },
      baseUrl: sim.url,
      settings: { requestTimeoutMs: 1000 },
    }),
    env: { PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE: '0' },
  });

  async function payment(captureMode: 'automatic' | 'manual'): Promise<any> {
    const created = await suite.h.createPayment(suite.accountId, { captureMode, method: 'card' });
    await suite.h.checkout(created.checkoutUrl, 'paid');
    return suite.h.waitForStatus(created.id, captureMode === 'manual' ? 'authorized' : 'paid');
  }

  it('a refund Mollie rate-limits (429) is not failed: kept pending and sent again later with the same key', async () => {
    const paid = await payment('automatic');
    const path = new RegExp(`^/v2/payments/${paid.provider.paymentId}/refunds$`);
    suite.sim.failNextCall('rate_limited', { method: 'POST', path });
    const refund = await suite.server.request('POST', `/api/v1/payments/${paid.id}/refunds`, {
      body: {},
    });
    expect(refund).toMatchObject({ status: 201, body: { status: 'pending' } });

    await suite.h.reconcile();
    await suite.h.waitForStatus(paid.id, 'refunded');
    expect(suite.sim.callsTo('POST', path).map((c) => c.headers['idempotency-key'])).toEqual([
      refund.body.id,
      refund.body.id,
    ]);
  });

  it('a cancel that timed out before Mollie saw it is looked up, then sent again with the same key', async () => {
    const authorized = await payment('manual');
    const path = new RegExp(`^/v2/payments/${authorized.provider.paymentId}$`);
    suite.sim.failNextCall('hang', { method: 'DELETE', path });
    const response = await suite.server.request('POST', `/api/v1/payments/${authorized.id}/cancel`);
    expect(response.body).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'cancel', stage: 'unknown' },
    });

    await suite.h.reconcile();
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'canceled',
      pendingOperation: null,
    });
    expect(suite.sim.callsTo('DELETE', path).map((c) => c.headers['idempotency-key'])).toEqual([
      response.body.pendingOperation.id,
      response.body.pendingOperation.id,
    ]);
  });

  it('a capture Mollie accepts as pending is settled by poll once Mollie reports it succeeded (its webhook lost)', async () => {
    const authorized = await payment('manual');
    const path = new RegExp(`^/v2/payments/${authorized.provider.paymentId}/captures`);
    suite.sim.pendingCaptures = true;
    try {
      const captured = await suite.server.request(
        'POST',
        `/api/v1/payments/${authorized.id}/capture`,
        { body: {} },
      );
      expect(captured.body).toMatchObject({
        status: 'authorized',
        pendingOperation: { type: 'capture', stage: 'accepted' },
      });

      // Still pending at Mollie: the poll finds it so and leaves it.
      await suite.h.reconcile();
      expect(await suite.h.payment(authorized.id)).toMatchObject({
        status: 'authorized',
        pendingOperation: { type: 'capture', stage: 'accepted' },
      });

      suite.sim.dropWebhooks = true;
      expect(await suite.sim.settlePendingCaptures({ notify: true })).toBe(1);
      await suite.h.reconcile();
      expect(await suite.h.payment(authorized.id)).toMatchObject({
        status: 'paid',
        amountCaptured: 1050,
        pendingOperation: null,
      });
      expect((await suite.h.events(authorized.id)).pop()).toMatchObject({
        fromStatus: 'authorized',
        toStatus: 'paid',
        source: 'poll',
      });
      const [capture] = suite.sim.payments.get(authorized.provider.paymentId)!.captures;
      // Asked by the capture's own id, which Mollie's answer gave.
      expect(suite.sim.callsTo('GET', path).map((c) => c.path)).toContain(
        `/v2/payments/${authorized.provider.paymentId}/captures/${capture.id}`,
      );
      expect(suite.sim.callsTo('POST', path)).toHaveLength(1);
    } finally {
      suite.sim.pendingCaptures = false;
      suite.sim.dropWebhooks = false;
    }
  });

  it('a pending capture that Mollie then fails is failed here by poll: the payment stays authorized, nothing left open', async () => {
    const authorized = await payment('manual');
    suite.sim.pendingCaptures = true;
    try {
      const captured = await suite.server.request(
        'POST',
        `/api/v1/payments/${authorized.id}/capture`,
        { body: {} },
      );
      expect(captured.body.pendingOperation).toMatchObject({ type: 'capture', stage: 'accepted' });
      expect(await suite.sim.settlePendingCaptures({ notify: false, status: 'failed' })).toBe(1);
      await suite.h.reconcile();
      expect(await suite.h.payment(authorized.id)).toMatchObject({
        status: 'authorized',
        amountCaptured: 0,
        pendingOperation: null,
      });

      // Nothing is left open: the shop can capture again.
      suite.sim.pendingCaptures = false;
      const again = await suite.server.request(
        'POST',
        `/api/v1/payments/${authorized.id}/capture`,
        {
          body: {},
        },
      );
      expect(again.body).toMatchObject({ status: 'paid', amountCaptured: 1050 });
    } finally {
      suite.sim.pendingCaptures = false;
    }
  });

  /** Our capture and release-authorization calls for one Mollie payment. */
  const capturesOf = (id: string) =>
    suite.sim.callsTo('POST', new RegExp(`^/v2/payments/${id}/captures$`));
  const releasesOf = (id: string) =>
    suite.sim.callsTo('POST', new RegExp(`^/v2/payments/${id}/release-authorization$`));
  const capture = (paymentId: string, value?: number) =>
    suite.server.request('POST', `/api/v1/payments/${paymentId}/capture`, {
      body: value === undefined ? {} : { amount: { value, currency: 'EUR' } },
    });

  it('a partial capture releases the rest of the authorization: one release, Mollie shows the payment paid for the part captured', async () => {
    const authorized = await payment('manual');
    const id = authorized.provider.paymentId;
    const captured = await capture(authorized.id, 800);
    expect(captured.body).toMatchObject({
      status: 'paid',
      amountCaptured: 800,
      pendingOperation: null,
    });

    const [captureCall] = capturesOf(id);
    expect(releasesOf(id).map((c) => [c.headers['idempotency-key'], c.body])).toEqual([
      [`${captureCall.headers['idempotency-key']}-release`, ''],
    ]);
    expect(suite.sim.payments.get(id)).toMatchObject({
      status: 'paid',
      amountCaptured: { currency: 'EUR', value: '8.00' },
      released: { currency: 'EUR', value: '2.50' },
    });
    // Mollie's webhook after the release changes nothing here.
    await suite.sim.settled();
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 800,
    });
  });

  it('a full capture sends no release: Mollie has nothing left to hold', async () => {
    const authorized = await payment('manual');
    const id = authorized.provider.paymentId;
    expect((await capture(authorized.id)).body).toMatchObject({
      status: 'paid',
      amountCaptured: 1050,
    });
    expect(releasesOf(id)).toHaveLength(0);
    expect(suite.sim.payments.get(id)).toMatchObject({
      status: 'paid',
      amountCaptured: { currency: 'EUR', value: '10.50' },
    });
    expect(suite.sim.payments.get(id)!.released).toBeUndefined();
  });

  it('a release Mollie refuses leaves the partial capture standing, logged without secrets', async () => {
    const authorized = await payment('manual');
    const id = authorized.provider.paymentId;
    const warn = jest.spyOn(Logger.prototype, 'warn');
    suite.sim.refuseNextRelease = true;
    try {
      const captured = await capture(authorized.id, 800);
      expect(captured.status).toBe(200);
      expect(captured.body).toMatchObject({ status: 'paid', amountCaptured: 800 });
      expect(releasesOf(id)).toHaveLength(1);
      expect(suite.sim.payments.get(id)).toMatchObject({
        status: 'authorized',
        amountCaptured: { currency: 'EUR', value: '8.00' },
      });
      const logged = warn.mock.calls.filter(([entry]) =>
        String((entry as any)?.msg).includes('not released at Mollie'),
      );
      expect(logged).toEqual([
        [expect.objectContaining({ paymentId: authorized.id, code: 'invalid_request' })],
      ]);
      expect(JSON.stringify(logged)).not.toContain(suite.sim.apiKey);

      // The reconciler has nothing open to look at: the capture is settled, not sent again.
      await suite.h.reconcile();
      expect(await suite.h.payment(authorized.id)).toMatchObject({
        status: 'paid',
        amountCaptured: 800,
        pendingOperation: null,
      });
      expect(capturesOf(id)).toHaveLength(1);
    } finally {
      suite.sim.refuseNextRelease = false;
      warn.mockRestore();
    }
  });

  it('a partial capture Mollie accepts as pending is released only once the poll finds it succeeded', async () => {
    const authorized = await payment('manual');
    const id = authorized.provider.paymentId;
    suite.sim.pendingCaptures = true;
    try {
      expect((await capture(authorized.id, 800)).body).toMatchObject({
        status: 'authorized',
        pendingOperation: { type: 'capture', stage: 'accepted' },
      });
      await suite.h.reconcile();
      expect(releasesOf(id)).toHaveLength(0);

      expect(await suite.sim.settlePendingCaptures({ notify: true })).toBe(1);
      // Mollie keeps the payment authorized for the rest: its webhook settles nothing here.
      expect(suite.sim.payments.get(id)!.status).toBe('authorized');
      await suite.h.reconcile();
      expect(await suite.h.payment(authorized.id)).toMatchObject({
        status: 'paid',
        amountCaptured: 800,
        pendingOperation: null,
      });
      expect(releasesOf(id)).toHaveLength(1);
      expect(suite.sim.payments.get(id)).toMatchObject({
        status: 'paid',
        released: { currency: 'EUR', value: '2.50' },
      });
    } finally {
      suite.sim.pendingCaptures = false;
    }
  });

  it('a partial capture whose answer is lost sends no release until the lookup finds it succeeded, then one', async () => {
    const authorized = await payment('manual');
    const id = authorized.provider.paymentId;
    suite.sim.failNextCall('reset_after_work', {
      method: 'POST',
      path: new RegExp(`^/v2/payments/${id}/captures$`),
    });
    expect((await capture(authorized.id, 800)).body).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'capture', stage: 'unknown' },
    });
    expect(releasesOf(id)).toHaveLength(0);

    await suite.h.reconcile();
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 800,
      pendingOperation: null,
    });
    expect(capturesOf(id)).toHaveLength(1);
    expect(releasesOf(id)).toHaveLength(1);
    expect(suite.sim.payments.get(id)).toMatchObject({
      status: 'paid',
      released: { currency: 'EUR', value: '2.50' },
    });
  });

  it('the simulator answers a repeated key with the first answer and refuses it with another body, as Mollie does', async () => {
    const paid = await payment('automatic');
    const send = (value: string) =>
      fetch(`${suite.sim.url}/v2/payments/${paid.provider.paymentId}/refunds`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${suite.sim.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': `key-${paid.id}`,
        },
        body: JSON.stringify({ amount: { currency: 'EUR', value } }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const first = await send('1.00');
    expect(first.status).toBe(201);
    expect(await send('1.00')).toEqual(first);
    expect((await send('2.00')).status).toBe(422);
    expect(suite.sim.payments.get(paid.provider.paymentId)!.refunds).toHaveLength(1);
  });
});
