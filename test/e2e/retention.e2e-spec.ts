import { In, IsNull, Not } from 'typeorm';
import { RetentionService } from '../../src/retention/retention.service';
import { WebhookDelivery, WebhookDeliveryStatus } from '../../src/webhooks/webhook-delivery.entity';
import { NotificationDelivery } from '../../src/notifications/notification-delivery.entity';
import { DeliveryAttempt } from '../../src/notifications/delivery-attempt.entity';
import { OutboxEvent } from '../../src/notifications/outbox-event.entity';
import { Payment } from '../../src/payments/entities/payment.entity';
import { PaymentEvent } from '../../src/payments/entities/payment-event.entity';
import { enabledDialects } from '../support/services';
import { eventually, startTestServer, TestServer } from '../support/test-server';
import { WebhookReceiver } from '../support/webhook-receiver';
import { deliveryIn, paidPayment, statusEndpoint } from '../support/notifications';

const DAY = 24 * 60 * 60 * 1000;

describe.each(enabledDialects())('retention of settled records (%s)', (dialect) => {
  let server: TestServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    server = await startTestServer({
      dialect,
      env: {
        PAYMENTSERVER_RETENTION_DAYS: '30',
        PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: '100',
        // A failed delivery waits 10 minutes for its next try: it stays open during the test.
        PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE: '600',
      },
    });
  });

  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
  });

  it('deletes what is settled and older than the retention period, and nothing open, recent or part of a payment', async () => {
    const repo = <T extends object>(entity: new () => T) => server.dataSource.getRepository(entity);
    const healthy = await statusEndpoint(server, { type: 'webhook', url: receiver.url('/ok') });
    const first = await paidPayment(server);
    await deliveryIn(server, healthy.id, 'delivered');

    receiver.answer('/down', { status: 500 });
    const down = await statusEndpoint(server, { type: 'webhook', url: receiver.url('/down') });
    const second = await paidPayment(server);
    const openDelivery = await eventually(async () =>
      (await repo(NotificationDelivery).findBy({ endpointId: down.id })).find(
        (d) => d.status === 'failing',
      ),
    );
    await eventually(
      async () =>
        (await repo(NotificationDelivery).countBy({
          endpointId: healthy.id,
          status: 'delivered',
        })) === 2,
    );
    const inbox = await eventually(async () => {
      const rows = await repo(WebhookDelivery).find();
      return rows.length >= 2 && rows.every((r) => r.status === 'processed') && rows;
    });

    // Age everything so far past the period; open inbox rows (received, failed) are aged too,
    // and dead and rejected ones are added: settled, so purged once old.
    const old = new Date(Date.now() - 40 * DAY);
    const row = (id: string, status: WebhookDeliveryStatus) => ({
      ...inbox[0],
      id,
      bodyHash: id.padEnd(64, '0'),
      status,
      processedAt: null,
    });
    await repo(WebhookDelivery).insert([
      row('whk_stuck', 'received'),
      row('whk_failing', 'failed'),
      row('whk_dead', 'dead'),
      row('whk_rejected', 'rejected'),
      row('whk_replayed', 'dead'),
    ]);
    await repo(WebhookDelivery).update(
      { id: Not(IsNull()) },
      { receivedAt: old, lastAttemptAt: old, processedAt: old },
    );
    // An operator replayed this dead one yesterday: it stays for the period from then.
    await repo(WebhookDelivery).update(
      { id: 'whk_replayed' },
      { lastAttemptAt: new Date(Date.now() - DAY) },
    );
    await repo(NotificationDelivery).update(
      { id: Not(IsNull()) },
      { updatedAt: old, createdAt: old },
    );
    await repo(OutboxEvent).update({ id: Not(IsNull()) }, { createdAt: old });
    const paymentsBefore = await repo(Payment).count();
    const historyBefore = await repo(PaymentEvent).count();

    // One more payment after the ageing: everything about it is recent.
    const third = await paidPayment(server);
    await eventually(
      async () =>
        (await repo(NotificationDelivery).countBy({
          endpointId: healthy.id,
          status: 'delivered',
        })) === 3,
    );

    const counts = await server.server.app.get(RetentionService).purge();

    // Inbox: the aged processed, dead and rejected rows went; open, recent and lately replayed ones stay.
    expect(counts.webhookDeliveries).toBe(inbox.length + 2);
    const added = ['whk_stuck', 'whk_failing', 'whk_dead', 'whk_rejected', 'whk_replayed'];
    const kept = await repo(WebhookDelivery).findBy({ id: In(added) });
    expect(kept.map((r) => r.id).sort()).toEqual(['whk_failing', 'whk_replayed', 'whk_stuck']);
    expect(await repo(WebhookDelivery).countBy({ status: 'processed' })).toBeGreaterThanOrEqual(1);
    // Deliveries: the two aged delivered ones went with their attempts; the open one stays with its attempt.
    expect(counts.notificationDeliveries).toBe(2);
    expect(counts.notificationAttempts).toBe(2);
    const left = await repo(NotificationDelivery).find();
    expect(left.map((d) => d.id)).toContain(openDelivery.id);
    expect(left.filter((d) => d.endpointId === healthy.id).map((d) => d.paymentId)).toEqual([
      third.id,
    ]);
    expect(await repo(DeliveryAttempt).countBy({ deliveryId: openDelivery.id })).toBe(1);
    // Outbox: the first payment's event went; the second's still has an open delivery; the third's is recent.
    const events = await repo(OutboxEvent).findBy({
      paymentId: In([first.id, second.id, third.id]),
    });
    expect(events.map((e) => e.paymentId).sort()).toEqual([second.id, third.id].sort());
    expect(counts.outboxEvents).toBe(1);
    // Payments and their status history are never purged.
    expect(await repo(Payment).count()).toBe(paymentsBefore + 1);
    expect(await repo(PaymentEvent).count()).toBeGreaterThan(historyBefore);

    // A second pass finds nothing more.
    expect(await server.server.app.get(RetentionService).purge()).toEqual({
      webhookDeliveries: 0,
      notificationAttempts: 0,
      notificationDeliveries: 0,
      outboxEvents: 0,
      auditEvents: 0,
      idempotencyKeys: 0,
    });
  });
});
