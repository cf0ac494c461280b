import { randomBytes } from 'node:crypto';
import { PaymentOperation } from '../../src/payments/entities/payment-operation.entity';
import { Refund } from '../../src/payments/entities/refund.entity';
import { WebhookDelivery } from '../../src/webhooks/webhook-delivery.entity';
import { AdyenSimulator, adyenTestCredentials } from '../simulators/adyen/adyen-simulator';
import { useConnectorSuite } from '../simulators/connector-e2e-support';
import { eventually, submitCheckout } from '../support/test-server';

/**
 * What Adyen reports about a capture, cancel or refund after it answered `received`, signed
 * the real way by the simulator: a refusal (`success=false`) settles the open operation as
 * failed and frees it; CAPTURE_FAILED, REFUND_FAILED and REFUNDED_REVERSED (the scheme
 * rejected it later, or the money came back) fail what is still open, and are recorded, not
 * applied, once it had succeeded (a status never moves back). The operation is found by the
 * signed fields only: merchantReference (our payment id, or refund id), originalReference and
 * the modification's own pspReference.
 */
describe('Adyen modification outcomes by webhook (sqlite)', () => {
  const credentials = adyenTestCredentials();
  const suite = useConnectorSuite({
    simulator: () => new AdyenSimulator(credentials),
    account: (adyen) => ({
      provider: 'adyen',
      credentials,
      baseUrl: adyen.baseUrl,
      settings: { requestTimeoutMs: 2000 },
    }),
  });

  beforeAll(() => {
    suite.sim.webhookUrl = suite.webhookUrl;
  });

  afterEach(() => {
    suite.sim.dropWebhooks = false;
  });

  async function payment(outcome: 'paid' | 'authorized'): Promise<any> {
    const created = await suite.h.createPayment(suite.accountId, {
      captureMode: outcome === 'authorized' ? 'manual' : 'automatic',
    });
    await submitCheckout(created.checkoutUrl, { outcome });
    return suite.h.waitForStatus(created.id, outcome);
  }

  const post = (p: any, path: string, body: unknown = {}) =>
    suite.server.request('POST', `/api/v1/payments/${p.id}${path}`, { body });
  /** The payment's last capture or cancel (the API answer may already show it settled). */
  const lastOperation = async (paymentId: string) =>
    (
      await suite.server.dataSource
        .getRepository(PaymentOperation)
        .find({ where: { paymentId }, order: { createdAt: 'ASC' } })
    ).at(-1)!;
  const refundRow = (id: string) =>
    suite.server.dataSource.getRepository(Refund).findOneByOrFail({ id });
  const inbox = (paymentId: string) =>
    suite.server.dataSource
      .getRepository(WebhookDelivery)
      .find({ where: { paymentId }, order: { receivedAt: 'ASC' } });
  /** The admin view's `needsAttention` of a payment. */
  const attention = async (id: string) => {
    const token = await suite.server.adminToken();
    return (await suite.server.request('GET', `/api/v1/admin/payments/${id}`, { token })).body
      .needsAttention;
  };
  /** The payment once its open operation is settled. */
  const settled = (id: string) =>
    eventually(async () => {
      await suite.sim.settled();
      const current = await suite.h.payment(id);
      return current.pendingOperation === null && current;
    });

  it('EXPIRE: an authorisation that ran out uncaptured expires the authorized payment, which can no longer be captured', async () => {
    const authorized = await payment('authorized');
    await suite.sim.authorisationExpires(authorized.provider.paymentId);
    expect(suite.sim.delivered.at(-1)).toMatchObject({ status: 200 });
    expect(await suite.h.waitForStatus(authorized.id, 'expired')).toMatchObject({
      amountCaptured: 0,
    });
    const link = suite.sim.links.get(authorized.provider.paymentId)!;
    const captures = suite.sim.callsTo(
      'POST',
      new RegExp(`/payments/${link.pspReference}/captures$`),
    );
    const capture = await post(authorized, '/capture', { amount: { value: 600, currency: 'EUR' } });
    expect(capture.body).toMatchObject({ status: 409, code: 'invalid_payment_state' });
    expect(
      suite.sim.callsTo('POST', new RegExp(`/payments/${link.pspReference}/captures$`)),
    ).toHaveLength(captures.length);
  });

  it('EXPIRE after a capture changes nothing: the payment stays paid', async () => {
    const authorized = await payment('authorized');
    await post(authorized, '/capture', { amount: { value: 600, currency: 'EUR' } });
    expect(await settled(authorized.id)).toMatchObject({ status: 'paid', amountCaptured: 600 });
    await suite.sim.authorisationExpires(authorized.provider.paymentId); // the 450 left over
    expect(suite.sim.delivered.at(-1)).toMatchObject({ status: 200 });
    // ExpireNotificationRequestItem.amount: the originally authorised amount, not what is left.
    const expire = JSON.parse(suite.sim.delivered.at(-1)!.body).notificationItems[0]
      .NotificationRequestItem;
    expect(expire).toMatchObject({
      eventCode: 'EXPIRE',
      amount: { currency: 'EUR', value: 1050 },
    });
    await suite.h.webhooksSettled();
    expect(await suite.h.payment(authorized.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 600,
    });
    expect((await suite.h.events(authorized.id)).at(-1)).toMatchObject({
      fromStatus: 'paid',
      toStatus: 'expired',
      source: 'webhook',
      ignored: true,
    });
    expect((await inbox(authorized.id)).at(-1)).toMatchObject({ status: 'processed', error: null });
    // Only late news (the leftover authorisation ran out): nothing for an operator.
    expect(await attention(authorized.id)).toBeNull();
  });

  it('SECOND_CHARGEBACK charges a paid payment back', async () => {
    const paid = await payment('paid');
    const link = suite.sim.links.get(paid.provider.paymentId)!;
    await suite.sim.notify({
      pspReference: randomBytes(8).toString('hex').toUpperCase(),
      originalReference: link.pspReference!,
      merchantReference: paid.id,
      eventCode: 'SECOND_CHARGEBACK',
      success: true,
      amount: link.request.amount,
    });
    await suite.h.waitForStatus(paid.id, 'charged_back');
  });

  it('CHARGEBACK_REVERSED after a chargeback: the payment stays charged_back, the reversal is in its history (ignored), an operator is told once', async () => {
    const paid = await payment('paid');
    await suite.sim.dispute(paid.provider.paymentId, 'CHARGEBACK');
    await suite.h.waitForStatus(paid.id, 'charged_back');
    expect(await attention(paid.id)).toBeNull();
    const told = (await suite.h.outbox(paid.id, 'payment.status_changed')).length;
    const calls = suite.sim.calls.length;

    await suite.sim.dispute(paid.provider.paymentId, 'CHARGEBACK_REVERSED');
    expect(suite.sim.delivered.at(-1)).toMatchObject({ status: 200, responseText: '[accepted]' });
    expect((await suite.h.payment(paid.id)).status).toBe('charged_back');
    const events = await suite.h.events(paid.id);
    expect(events.at(-1)).toMatchObject({
      type: 'payment.status_changed',
      fromStatus: 'charged_back',
      toStatus: 'charged_back',
      source: 'webhook',
      ignored: true,
      detail: 'provider status CHARGEBACK_REVERSED:true',
    });
    expect(await suite.h.outbox(paid.id, 'payment.status_changed')).toHaveLength(told);
    expect(suite.sim.calls).toHaveLength(calls);
    // The merchant has the money back while our records say it was lost: an operator is told.
    const flagged = await attention(paid.id);
    expect(flagged).toMatchObject({
      reason:
        'adyen reported the chargeback was reversed (the dispute was won): the money came back to the merchant; the payment stays charged_back here, reconcile it in your books',
      operations: [{ type: 'contradiction', id: paid.id, stage: 'reported' }],
    });

    // Adyen sends it again (its retry until accepted): nothing is added.
    expect(await suite.sim.deliver(suite.sim.lastSigned!)).toBe(200);
    await suite.h.webhooksSettled();
    expect(await suite.h.events(paid.id)).toHaveLength(events.length);
    expect(await attention(paid.id)).toEqual(flagged);
    expect((await suite.h.payment(paid.id)).status).toBe('charged_back');
  });

  it('CHARGEBACK_REVERSED for a payment not charged back here (its CHARGEBACK lost): it stays paid, an operator is told', async () => {
    const paid = await payment('paid');
    suite.sim.dropWebhooks = true;
    await suite.sim.dispute(paid.provider.paymentId, 'CHARGEBACK');
    suite.sim.dropWebhooks = false;

    await suite.sim.dispute(paid.provider.paymentId, 'CHARGEBACK_REVERSED');
    expect(suite.sim.delivered.at(-1)).toMatchObject({ status: 200 });
    expect(await suite.h.payment(paid.id)).toMatchObject({ status: 'paid', amountRefunded: 0 });
    expect((await suite.h.events(paid.id)).at(-1)).toMatchObject({
      fromStatus: 'paid',
      toStatus: 'charged_back',
      ignored: true,
      detail: 'provider status CHARGEBACK_REVERSED:true',
    });
    expect(await attention(paid.id)).toMatchObject({
      reason:
        'adyen reported a chargeback was reversed (the dispute was won) for a payment that is paid here, where no chargeback was recorded: money moved at adyen in a way our records do not show; check the dispute at adyen and reconcile it in your books',
      operations: [{ type: 'contradiction', id: paid.id, stage: 'reported' }],
    });
  });

  it('a capture Adyen refuses (CAPTURE success=false) fails the pending capture and frees the payment for another', async () => {
    const authorized = await payment('authorized');
    suite.sim.refuseNextCapture = true;
    const refused = await post(authorized, '/capture', { amount: { value: 600, currency: 'EUR' } });
    expect(refused.status).toBe(200);

    expect(await settled(authorized.id)).toMatchObject({ status: 'authorized', amountCaptured: 0 });
    expect(await lastOperation(authorized.id)).toMatchObject({
      type: 'capture',
      status: 'failed',
      failureCode: 'refused',
      failureMessage: 'Adyen CAPTURE: Capture not possible',
    });
    expect((await inbox(authorized.id)).map((d) => d.status)).toEqual(['processed', 'processed']);

    const again = await post(authorized, '/capture', { amount: { value: 600, currency: 'EUR' } });
    expect(again.status).toBe(200);
    expect(await suite.h.waitForStatus(authorized.id, 'paid')).toMatchObject({
      amountCaptured: 600,
      pendingOperation: null,
    });
    expect(await lastOperation(authorized.id)).toMatchObject({
      type: 'capture',
      status: 'succeeded',
    });
  });

  it('a capture whose answer was lost and that Adyen refused is failed by its webhook, matched by its signed amount', async () => {
    const authorized = await payment('authorized');
    const link = suite.sim.links.get(authorized.provider.paymentId)!;
    suite.sim.refuseNextCapture = true;
    suite.sim.failNextCall('reset_after_work', {
      method: 'POST',
      path: new RegExp(`/payments/${link.pspReference}/captures$`),
    });
    const lost = await post(authorized, '/capture', { amount: { value: 700, currency: 'EUR' } });
    expect(lost.status).toBe(200);

    expect(await settled(authorized.id)).toMatchObject({ status: 'authorized' });
    expect(await lastOperation(authorized.id)).toMatchObject({
      type: 'capture',
      // Learnt from the webhook: the answer that would have named it was lost.
      providerOperationId: [...suite.sim.modifications.values()].at(-1)!.pspReference,
      status: 'failed',
      failureCode: 'refused',
    });
  });

  it('CAPTURE_FAILED after the capture succeeded: the payment stays paid, the rejection is in its history (ignored), the shop is not told', async () => {
    const authorized = await payment('authorized');
    await post(authorized, '/capture');
    const paid = await suite.h.waitForStatus(authorized.id, 'paid');
    const told = (await suite.h.outbox(paid.id, 'payment.status_changed')).length;

    await suite.sim.schemeRejectsCapture(paid.id, 'Capture rejected by card scheme');
    expect(suite.sim.delivered.at(-1)).toMatchObject({ status: 200, responseText: '[accepted]' });

    expect(await suite.h.payment(paid.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 1050,
      pendingOperation: null,
    });
    expect((await suite.h.events(paid.id)).at(-1)).toMatchObject({
      type: 'payment.status_changed',
      fromStatus: 'paid',
      toStatus: 'authorized',
      source: 'webhook',
      ignored: true,
      detail: expect.stringContaining('Adyen CAPTURE_FAILED: Capture rejected by card scheme'),
    });
    expect(await suite.h.outbox(paid.id, 'payment.status_changed')).toHaveLength(told);
    expect((await inbox(paid.id)).at(-1)).toMatchObject({ status: 'processed', error: null });
    // Money the shop counts as received may never have arrived: an operator is told.
    expect(await attention(paid.id)).toMatchObject({
      reason:
        'adyen reported the capture failed (authorized) after the payment was paid here: the money may never have arrived; check the capture at adyen before shipping or refunding',
      operations: [{ type: 'contradiction', id: paid.id, stage: 'reported' }],
    });
  });

  it('CAPTURE_FAILED for a capture still open (its CAPTURE webhook lost) fails it', async () => {
    const authorized = await payment('authorized');
    suite.sim.dropWebhooks = true;
    const capture = await post(authorized, '/capture');
    expect(capture.body.pendingOperation).toMatchObject({ type: 'capture', stage: 'accepted' });
    await suite.sim.settled();
    suite.sim.dropWebhooks = false;

    await suite.sim.schemeRejectsCapture(authorized.id);
    expect(await settled(authorized.id)).toMatchObject({ status: 'authorized' });
    expect(await lastOperation(authorized.id)).toMatchObject({
      status: 'failed',
      failureCode: 'capture_failed',
    });
  });

  it('a cancel Adyen refuses (CANCELLATION success=false) fails the pending cancel; the payment can still be captured', async () => {
    const authorized = await payment('authorized');
    suite.sim.refuseNextCancel = true;
    const cancel = await post(authorized, '/cancel');
    expect(cancel.status).toBe(200);

    expect(await settled(authorized.id)).toMatchObject({ status: 'authorized' });
    expect(await lastOperation(authorized.id)).toMatchObject({
      type: 'cancel',
      status: 'failed',
      failureMessage: 'Adyen CANCELLATION: Cancel not possible',
    });
    await post(authorized, '/capture');
    await suite.h.waitForStatus(authorized.id, 'paid');
  });

  it('a cancel sends our payment id as reference; the CANCELLATION names the payment by it (signed) and settles the pending cancel', async () => {
    const authorized = await payment('authorized');
    const other = await payment('authorized');
    const link = suite.sim.links.get(authorized.provider.paymentId)!;
    suite.sim.dropWebhooks = true;
    const cancel = await post(authorized, '/cancel');
    await suite.sim.settled();
    const genuine = suite.sim.lastSigned!;
    suite.sim.dropWebhooks = false;
    const sent = suite.sim.callsTo('POST', new RegExp(`/payments/${link.pspReference}/cancels$`));
    expect(JSON.parse(sent[0].body).reference).toBe(authorized.id);
    const item = JSON.parse(genuine).notificationItems[0].NotificationRequestItem;
    expect(item).toMatchObject({ eventCode: 'CANCELLATION', merchantReference: authorized.id });

    // Signed genuinely, but naming the other payment by merchantReference: rejected, nothing settles.
    await suite.sim.notify({
      pspReference: item.pspReference,
      originalReference: link.pspReference!,
      merchantReference: other.id,
      eventCode: 'CANCELLATION',
      success: true,
      amount: item.amount,
    });
    expect((await inbox(authorized.id)).at(-1)).toMatchObject({
      status: 'rejected',
      error: expect.stringMatching(/^payment_mismatch/),
    });
    expect((await suite.h.payment(authorized.id)).pendingOperation).toMatchObject({
      id: cancel.body.pendingOperation.id,
    });
    expect((await suite.h.payment(other.id)).status).toBe('authorized');

    expect(await suite.sim.deliver(genuine)).toBe(200);
    expect(await settled(authorized.id)).toMatchObject({ status: 'canceled' });
    expect(await lastOperation(authorized.id)).toMatchObject({
      id: cancel.body.pendingOperation.id,
      status: 'succeeded',
    });
  });

  it('REFUND_FAILED for a refund still pending (its REFUND webhook lost) fails it and frees its amount', async () => {
    const paid = await payment('paid');
    suite.sim.dropWebhooks = true;
    const refund = await post(paid, '/refunds');
    expect(refund.body.status).toBe('pending');
    await suite.sim.settled();
    suite.sim.dropWebhooks = false;
    expect((await post(paid, '/refunds')).body.code).toBe('refund_exceeds_available');

    await suite.sim.refundFailsLater(refund.body.id, 'REFUND_FAILED');
    expect(await refundRow(refund.body.id)).toMatchObject({
      status: 'failed',
      failureCode: 'refund_failed',
      failureMessage: 'Adyen REFUND_FAILED: Refund Failed',
    });
    expect(await suite.h.payment(paid.id)).toMatchObject({ status: 'paid', amountRefunded: 0 });
    expect(await suite.h.outbox(paid.id, 'refund.status_changed')).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ refund: expect.objectContaining({ status: 'failed' }) }),
      }),
    ]);

    const again = await post(paid, '/refunds');
    expect(again.status).toBe(201);
    await suite.h.waitForStatus(paid.id, 'refunded');
  });

  it('REFUNDED_REVERSED after the refund succeeded: it stays succeeded (a status never moves back), recorded as ignored with the reason, the shop is not told again', async () => {
    const paid = await payment('paid');
    const refund = await post(paid, '/refunds', { amount: { value: 300, currency: 'EUR' } });
    await suite.h.waitForStatus(paid.id, 'partially_refunded');
    expect(await suite.h.outbox(paid.id, 'refund.status_changed')).toHaveLength(1);

    await suite.sim.refundFailsLater(refund.body.id, 'REFUNDED_REVERSED');
    expect(suite.sim.delivered.at(-1)).toMatchObject({ status: 200 });
    expect((await refundRow(refund.body.id)).status).toBe('succeeded');
    expect(await suite.h.payment(paid.id)).toMatchObject({
      status: 'partially_refunded',
      amountRefunded: 300,
    });
    expect((await suite.h.events(paid.id)).at(-1)).toMatchObject({
      type: 'refund.status_changed',
      fromStatus: 'succeeded',
      toStatus: 'failed',
      ignored: true,
      refundId: refund.body.id,
      detail: expect.stringContaining('refunded_reversed: Adyen REFUNDED_REVERSED'),
    });
    expect(await suite.h.outbox(paid.id, 'refund.status_changed')).toHaveLength(1);
    // The customer may not have got the money back: an operator is told.
    expect(await attention(paid.id)).toMatchObject({
      reason: `adyen reported refund ${refund.body.id} failed after it had succeeded here: the customer may not have got the money back; check at adyen and refund again if needed`,
      operations: [{ type: 'contradiction', id: paid.id, stage: 'reported' }],
    });
  });
});
