import { OutboxEvent } from '../../src/notifications/outbox-event.entity';
import { HttpWebhookChannel } from '../../src/notifications/channels/http-webhook.channel';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { Dialect, serviceUrl } from '../support/services';
import {
  eventually,
  paymentBody,
  startPeer,
  startTestServer,
  submitCheckout,
  TestServer,
} from '../support/test-server';
import { WebhookReceiver } from '../support/webhook-receiver';
import { admin, ENDPOINTS, statusEndpoint } from '../support/notifications';

const PAYMENTS = 250; // two status changes each: 500 events

const dialects = (['mysql', 'postgres'] as Dialect[]).filter((d) =>
  serviceUrl(d as 'mysql' | 'postgres'),
);
const describeEach =
  dialects.length > 0 ? describe.each(dialects) : describe.skip.each([['none' as Dialect]]);

/** Runs `work` over `items` with at most `limit` at a time. */
async function pool<T>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index], index);
      }
    }),
  );
}

describeEach('two server instances on one %s database', (dialect) => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    database = await createTestDatabase(dialect);
    const env = {
      PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: '50',
      PAYMENTSERVER_NOTIFICATION_BATCH_SIZE: '20',
      PAYMENTSERVER_NOTIFICATION_LEASE_SECONDS: '30',
    };
    a = await startTestServer({ database, env });
    // The same API key and encryption key: one installation, two processes.
    b = await startPeer(a, database, env);
  });

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await database?.drop();
    await receiver?.stop();
  });

  it(`deliver ${PAYMENTS * 2} events with none missing, no duplicates and each payment in order`, async () => {
    const endpoint = await statusEndpoint(a, { type: 'webhook', url: receiver.url('/cluster') });

    const sentByA = jest.spyOn(a.server.app.get(HttpWebhookChannel), 'send');
    const sentByB = jest.spyOn(b.server.app.get(HttpWebhookChannel), 'send');

    // Half the traffic through each instance: authorize on the checkout page, then capture.
    await pool(Array.from({ length: PAYMENTS }), 6, async (_, i) => {
      const server = i % 2 === 0 ? a : b;
      const created = await server.request('POST', '/api/v1/payments', { body: paymentBody() });
      expect(created.status).toBe(201);
      expect(
        (await submitCheckout(created.body.checkoutUrl, { outcome: 'authorized' })).status,
      ).toBe(303);
      const captured = await server.request('POST', `/api/v1/payments/${created.body.id}/capture`, {
        body: {},
      });
      expect(captured.status).toBe(200);
    });

    const eventIds = (
      await a.dataSource.getRepository(OutboxEvent).find({ select: { id: true } })
    ).map((e) => e.id);
    expect(eventIds).toHaveLength(PAYMENTS * 2);
    await eventually(
      async () =>
        new Set(receiver.at('/cluster').map((r) => r.headers['webhook-id'])).size >=
        eventIds.length,
      120_000,
    );

    const received = receiver.at('/cluster');
    expect(new Set(received.map((r) => r.headers['webhook-id']))).toEqual(new Set(eventIds));
    // The receiver answered every request at once: no lease ran out, so nothing may come twice.
    expect(received).toHaveLength(eventIds.length);

    // Both instances took part.
    expect(sentByA.mock.calls.length).toBeGreaterThan(0);
    expect(sentByB.mock.calls.length).toBeGreaterThan(0);
    expect(sentByA.mock.calls.length + sentByB.mock.calls.length).toBe(eventIds.length);

    const order = new Map<string, string[]>();
    for (const r of received) {
      const event = JSON.parse(r.body);
      order.set(event.data.payment.id, [
        ...(order.get(event.data.payment.id) ?? []),
        event.data.payment.status,
      ]);
    }
    expect(order.size).toBe(PAYMENTS);
    for (const statuses of order.values()) expect(statuses).toEqual(['authorized', 'paid']);

    const counts = (await admin(b, 'GET', `${ENDPOINTS}/${endpoint.id}`)).body.deliveryCounts;
    expect(counts).toEqual({ pending: 0, failing: 0, delivered: PAYMENTS * 2, dead: 0 });
    // A guard against hanging only (the delivery wait above has its own 120 s): a busy 2-core
    // machine needs more than jest's 60 s default for 250 payments and their 500 events.
  }, 240_000);
});
