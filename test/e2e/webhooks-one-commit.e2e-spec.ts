import { WebhookDelivery } from '../../src/webhooks/webhook-delivery.entity';
import { OutboxEvent } from '../../src/notifications/outbox-event.entity';
import { PaymentEvent } from '../../src/payments/entities/payment-event.entity';
import { TestWebhookSigner } from '../../src/providers/test/test-webhook.signer';
import { WebhookInboxService } from '../../src/webhooks/webhook-inbox.service';
import { enabledDialects } from '../support/services';
import { signedTestWebhook } from '../support/perimeter';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * A verified webhook that carries the payment's new state is stored, applied and recorded in
 * one transaction. Repeats sent at the same moment still change the payment once and leave
 * one inbox row, on every database.
 */
describe.each(enabledDialects())('a signed webhook applied in one commit on %s', (dialect) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ dialect });
  });

  afterAll(async () => {
    await server?.close();
  });

  const post = (body: string, signature: string) =>
    fetch(`${server.baseUrl}/webhooks/test/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'test-signature': signature },
      body,
    });

  it('stores the delivery as processed, with its payment, and moves the payment once', async () => {
    const webhook = await signedTestWebhook(server);
    expect((await post(webhook.body, webhook.signature)).status).toBe(200);

    const payment = (await server.request('GET', `/api/v1/payments/${webhook.paymentId}`)).body;
    expect(payment.status).toBe('paid');
    const rows = await server.dataSource
      .getRepository(WebhookDelivery)
      .findBy({ paymentId: webhook.paymentId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'processed',
      verified: true,
      attempts: 1,
      leaseToken: null,
      leaseExpiresAt: null,
      nextAttemptAt: null,
      error: null,
      body: webhook.body,
    });
    expect(rows[0].processedAt).toBeInstanceOf(Date);
  });

  it('answers every one of simultaneous repeats 200 and applies the webhook once', async () => {
    const webhook = await signedTestWebhook(server);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => post(webhook.body, webhook.signature)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));

    const rows = await server.dataSource
      .getRepository(WebhookDelivery)
      .findBy({ paymentId: webhook.paymentId });
    expect(rows.map((r) => r.status)).toEqual(['processed']);
    const events = await server.dataSource
      .getRepository(PaymentEvent)
      .findBy({ paymentId: webhook.paymentId, type: 'payment.status_changed' });
    expect(events.map((e) => [e.fromStatus, e.toStatus, e.ignored])).toEqual([
      ['pending', 'paid', false],
    ]);
    expect(
      await server.dataSource
        .getRepository(OutboxEvent)
        .countBy({ paymentId: webhook.paymentId, type: 'payment.status_changed' }),
    ).toBe(1);
  });

  it('stores a webhook whose signed amount contradicts the payment as rejected and changes nothing', async () => {
    const webhook = await signedTestWebhook(server);
    const body = webhook.body.replace('"value": 1050', '"value": 1');
    const signature = server.server.app.get(TestWebhookSigner).sign('test', body);
    expect((await post(body, signature)).status).toBe(200);

    const payment = (await server.request('GET', `/api/v1/payments/${webhook.paymentId}`)).body;
    expect(payment.status).toBe('pending');
    const rows = await server.dataSource
      .getRepository(WebhookDelivery)
      .findBy({ paymentId: webhook.paymentId });
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe('rejected');
    expect(rows[0].error).toContain('amount_mismatch');
  });

  /** Makes the database refuse to mark one payment paid (a write that fails mid-transaction). */
  async function refusePaid(paymentId: string): Promise<() => Promise<void>> {
    const q = (sql: string) => server.dataSource.query(sql);
    if (dialect === 'sqlite') {
      await q(`CREATE TRIGGER refuse_paid BEFORE UPDATE OF status ON payments
        WHEN NEW.id = '${paymentId}' AND NEW.status = 'paid'
        BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
      return async () => void (await q('DROP TRIGGER refuse_paid'));
    }
    if (dialect === 'mysql') {
      await q(`CREATE TRIGGER refuse_paid BEFORE UPDATE ON payments FOR EACH ROW
        BEGIN IF NEW.id = '${paymentId}' AND NEW.status = 'paid' THEN
          SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'; END IF; END`);
      return async () => void (await q('DROP TRIGGER refuse_paid'));
    }
    await q(`CREATE FUNCTION refuse_paid() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id = '${paymentId}' AND NEW.status = 'paid' THEN
        RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
    await q(`CREATE TRIGGER refuse_paid BEFORE UPDATE ON payments
      FOR EACH ROW EXECUTE FUNCTION refuse_paid()`);
    return async () => {
      await q('DROP TRIGGER refuse_paid ON payments');
      await q('DROP FUNCTION refuse_paid()');
    };
  }

  it('stores a delivery whose processing fails as failed, and a replay applies it later', async () => {
    const webhook = await signedTestWebhook(server);
    const allow = await refusePaid(webhook.paymentId);
    try {
      expect((await post(webhook.body, webhook.signature)).status).toBe(200);
    } finally {
      await allow();
    }
    const rows = await server.dataSource
      .getRepository(WebhookDelivery)
      .findBy({ paymentId: webhook.paymentId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'failed', attempts: 1, leaseToken: null });
    expect(rows[0].error).toContain('refused by the test');
    expect(rows[0].nextAttemptAt).toBeInstanceOf(Date);
    let payment = (await server.request('GET', `/api/v1/payments/${webhook.paymentId}`)).body;
    expect(payment.status).toBe('pending');

    const replayed = await server.server.app.get(WebhookInboxService).replay(rows[0].id);
    expect(replayed.status).toBe('processed');
    payment = (await server.request('GET', `/api/v1/payments/${webhook.paymentId}`)).body;
    expect(payment.status).toBe('paid');
  });
});
