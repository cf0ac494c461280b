import { OutboxEvent } from '../../src/notifications/outbox-event.entity';
import { NotificationWorker } from '../../src/notifications/notification.worker';
import { OutboxFanOut } from '../../src/notifications/outbox.fan-out';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { enabledDialects } from '../support/services';
import { eventually, startPeer, startTestServer, TestServer } from '../support/test-server';
import { WebhookReceiver } from '../support/webhook-receiver';
import {
  admin,
  createEndpoint,
  defaultIntegrationId,
  ENDPOINTS,
  paidPayment,
  verify,
} from '../support/notifications';

/**
 * A status change whose event no enabled endpoint of the integration subscribes to keeps its
 * outbox row, written as dispatched, and costs the delivery worker nothing: no wake-up, no
 * fan-out. Which types are subscribed is cached per instance behind a version row that every
 * endpoint write bumps, so an endpoint created, changed or disabled through one instance
 * applies to the next change made through another. The worker polls once a minute here, so
 * every round it runs was started by a commit.
 */
describe.each(enabledDialects())(
  'notification subscriptions across two instances on %s',
  (dialect) => {
    let database: TestDatabase;
    let a: TestServer;
    let b: TestServer;
    let receiver: WebhookReceiver;
    let integrationId: string;
    const env = { PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: '60000' };

    beforeAll(async () => {
      receiver = await new WebhookReceiver().start();
      database = await createTestDatabase(dialect);
      a = await startTestServer({ database, env });
      b = await startPeer(a, database, env);
      integrationId = await defaultIntegrationId(a);
    });

    afterAll(async () => {
      await a?.stop();
      await b?.stop();
      await database?.drop();
      await receiver?.stop();
    });

    afterEach(() => jest.restoreAllMocks());

    const outboxOf = (paymentId: string) =>
      a.dataSource.getRepository(OutboxEvent).findBy({ paymentId });

    /** A webhook endpoint for payment status changes, created through instance `b`. */
    const statusEndpointOnB = (path: string) =>
      createEndpoint(b, {
        integrationId,
        type: 'webhook',
        url: receiver.url(path),
        events: ['payment.status_changed'],
      });

    /** Spies on instance `a`'s worker: its wake-ups and fan-outs. */
    function watchWorker() {
      return {
        wake: jest.spyOn(a.server.app.get(NotificationWorker), 'wake'),
        fanOut: jest.spyOn(a.server.app.get(OutboxFanOut), 'fanOut'),
      };
    }

    it('keeps an event nobody subscribes to as dispatched, without waking the worker', async () => {
      const worker = watchWorker();
      const payment = await paidPayment(a);
      const [event] = await outboxOf(payment.id);
      expect(event).toMatchObject({ type: 'payment.status_changed', paymentId: payment.id });
      expect(event.dispatchedAt).toEqual(event.createdAt);
      expect(JSON.parse(event.payload).data.payment.status).toBe('paid');
      expect(worker.wake).not.toHaveBeenCalled();
      expect(worker.fanOut).not.toHaveBeenCalled();
    });

    it('delivers from `a` at once after an endpoint was created through `b`', async () => {
      const endpoint = await statusEndpointOnB('/created-on-b');
      const worker = watchWorker();
      const payment = await paidPayment(a);
      const [event] = await outboxOf(payment.id);
      expect(worker.wake).toHaveBeenCalled();
      const [received] = await eventually(async () => {
        const arrived = receiver.at('/created-on-b');
        return arrived.length > 0 ? arrived : undefined;
      });
      expect(verify(endpoint.secret, received)).toMatchObject({
        id: event.id,
        data: { payment: { id: payment.id, status: 'paid' } },
      });
      await admin(b, 'DELETE', `${ENDPOINTS}/${endpoint.id}`);
    });

    it('follows changes of the subscribed types and of `enabled` made through `b`', async () => {
      const endpoint = await statusEndpointOnB('/changed-on-b');
      const subscribe = async (body: Record<string, unknown>) =>
        expect((await admin(b, 'PATCH', `${ENDPOINTS}/${endpoint.id}`, body)).status).toBe(200);

      await subscribe({ events: ['refund.status_changed'] });
      let worker = watchWorker();
      const unsubscribed = await paidPayment(a);
      expect((await outboxOf(unsubscribed.id))[0].dispatchedAt).not.toBeNull();
      expect(worker.wake).not.toHaveBeenCalled();

      await subscribe({ events: ['payment.status_changed'], enabled: false });
      const disabled = await paidPayment(a);
      expect((await outboxOf(disabled.id))[0].dispatchedAt).not.toBeNull();
      expect(worker.wake).not.toHaveBeenCalled();

      await subscribe({ enabled: true });
      jest.restoreAllMocks();
      worker = watchWorker();
      const enabled = await paidPayment(a);
      expect(worker.wake).toHaveBeenCalled();
      await eventually(async () => receiver.at('/changed-on-b').length === 1);
      expect(JSON.parse(receiver.at('/changed-on-b')[0].body).data.payment.id).toBe(enabled.id);
      // The events nobody wanted when they happened were not sent afterwards.
      expect((await outboxOf(enabled.id))[0].dispatchedAt).not.toBeNull();
      expect(receiver.at('/changed-on-b')).toHaveLength(1);
    });
  },
);
