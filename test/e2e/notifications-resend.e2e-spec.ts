import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { enabledDialects } from '../support/services';
import { eventually, startTestServer, TestServer } from '../support/test-server';
import { WebhookReceiver } from '../support/webhook-receiver';
import {
  admin,
  defaultIntegrationId,
  deliveriesOf,
  deliveryIn,
  endpointsPerTest,
  ENDPOINTS,
  paidPayment,
  verify,
} from '../support/notifications';
import { NotificationDelivery } from '../../src/notifications/notification-delivery.entity';

const FAST = {
  PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE: '1,1',
  PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: '100',
  PAYMENTSERVER_NOTIFICATION_HTTP_TIMEOUT_SECONDS: '20',
};

/** A webhook target that holds its answer to the first request until told to answer. */
async function gate(): Promise<{
  url: string;
  received: () => number;
  release: () => void;
  close: () => Promise<void>;
}> {
  let received = 0;
  let held: http.ServerResponse | undefined;
  let released = false;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      if (received === 1 && !released) held = res;
      else res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/held`,
    received: () => received,
    release: () => {
      released = true;
      held?.writeHead(200).end();
      held = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The delivery row itself: status, attempts and lease, as the workers see it. */
const row = (server: TestServer, id: string) =>
  server.dataSource.getRepository(NotificationDelivery).findOneByOrFail({ id });

const retry = (server: TestServer, endpointId: string, deliveryId: string) =>
  admin(server, 'POST', `${ENDPOINTS}/${endpointId}/deliveries/${deliveryId}/retry`);

describe.each(enabledDialects())('notification re-send on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;
  /** A second instance on the same database, where the database allows two writers. */
  let second: TestServer | undefined;
  let receiver: WebhookReceiver;
  let integrationId: string;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    database = await createTestDatabase(dialect);
    server = await startTestServer({ database, env: FAST });
    if (dialect !== 'sqlite') {
      second = await startTestServer({
        database,
        env: {
          ...FAST,
          PAYMENTSERVER_BOOTSTRAP_API_KEY: server.apiKey,
          PAYMENTSERVER_ENCRYPTION_KEY: server.env.PAYMENTSERVER_ENCRYPTION_KEY,
        },
      });
    }
    integrationId = await defaultIntegrationId(server);
  });

  const endpointForTest = endpointsPerTest(() => server);

  afterAll(async () => {
    await second?.stop();
    await server?.stop();
    await database?.drop();
    await receiver?.stop();
  });

  const webhookEndpoint = (path: string) =>
    endpointForTest({ integrationId, type: 'webhook', url: receiver.url(path) });

  it('re-sends a delivered event with the same webhook-id, a valid signature and a new attempt', async () => {
    const endpoint = await webhookEndpoint('/again');
    await paidPayment(server);
    const delivered = await deliveryIn(server, endpoint.id, 'delivered');
    expect(receiver.at('/again')).toHaveLength(1);

    const res = await retry(server, endpoint.id, delivered.id);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: delivered.id, status: 'pending', attemptCount: 1 });

    await eventually(async () => receiver.at('/again').length === 2);
    const after = await eventually(async () =>
      (await deliveriesOf(server, endpoint.id)).find(
        (d) => d.id === delivered.id && d.status === 'delivered' && d.attemptCount === 2,
      ),
    );
    const [first, again] = receiver.at('/again');
    expect(again.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(first.headers['webhook-id']).toBe(delivered.eventId);
    // Both verify with the endpoint's secret (standardwebhooks) and carry the same event.
    expect(verify(endpoint.secret, again)).toEqual(verify(endpoint.secret, first));
    expect(verify(endpoint.secret, again).id).toBe(delivered.eventId);
    expect(after.attempts.map((a: any) => [a.outcome, a.responseCode])).toEqual([
      ['succeeded', 200],
      ['succeeded', 200],
    ]);
    expect(receiver.at('/again')).toHaveLength(2);
  });

  it('retries a failed re-send on the schedule until it is delivered', async () => {
    const endpoint = await webhookEndpoint('/again-flaky');
    await paidPayment(server);
    const delivered = await deliveryIn(server, endpoint.id, 'delivered');
    receiver.script('/again-flaky', { status: 500 });
    expect((await retry(server, endpoint.id, delivered.id)).status).toBe(202);
    const after = await eventually(async () =>
      (await deliveriesOf(server, endpoint.id)).find(
        (d) => d.status === 'delivered' && d.attemptCount === 3,
      ),
    );
    expect(after.attempts.map((a: any) => a.responseCode)).toEqual([200, 500, 200]);
    const calls = receiver.at('/again-flaky');
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.headers['webhook-id']))).toEqual(
      new Set([delivered.eventId]),
    );
    calls.forEach((call) => expect(verify(endpoint.secret, call).id).toBe(delivered.eventId));
  });

  it('refuses a re-send while that delivery is in flight (409), and takes it afterwards', async () => {
    const target = await gate();
    try {
      const endpoint = await endpointForTest({ integrationId, type: 'webhook', url: target.url });
      await paidPayment(server);
      // The worker's request is held at the target: its lease is live.
      await eventually(async () => target.received() === 1);
      const [inFlight] = await deliveriesOf(server, endpoint.id);
      const busy = await retry(server, endpoint.id, inFlight.id);
      expect({ status: busy.status, code: busy.body.code }).toEqual({
        status: 409,
        code: 'delivery_in_flight',
      });
      expect((await row(server, inFlight.id)).leaseToken).not.toBeNull();

      target.release();
      await deliveryIn(server, endpoint.id, 'delivered');
      expect((await retry(server, endpoint.id, inFlight.id)).status).toBe(202);
      await eventually(async () => target.received() === 2);
      const done = await eventually(async () =>
        (await deliveriesOf(server, endpoint.id)).find(
          (d) => d.status === 'delivered' && d.attemptCount === 2,
        ),
      );
      expect(done.attempts).toHaveLength(2);
    } finally {
      target.release();
      await target.close();
    }
  });

  it('reopens a delivery once for many concurrent re-sends (on every instance), sent once', async () => {
    const endpoint = await webhookEndpoint('/concurrent');
    await paidPayment(server);
    const delivered = await deliveryIn(server, endpoint.id, 'delivered');
    // Paused endpoint: no worker can take the reopened row while the requests race.
    await admin(server, 'PATCH', `${ENDPOINTS}/${endpoint.id}`, { enabled: false });
    const instances = second ? [server, second] : [server];
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        retry(instances[i % instances.length], endpoint.id, delivered.id),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
    expect(answers.map((a) => a.body.status)).toEqual(Array(10).fill('pending'));
    expect(await row(server, delivered.id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      leaseToken: null,
    });

    await admin(server, 'PATCH', `${ENDPOINTS}/${endpoint.id}`, { enabled: true });
    const after = await eventually(async () =>
      (await deliveriesOf(server, endpoint.id)).find(
        (d) => d.status === 'delivered' && d.attemptCount === 2,
      ),
    );
    expect(after.attempts).toHaveLength(2);
    // Give every instance's worker rounds to (wrongly) send it again, then count.
    await eventually(async () => {
      const settled = await row(server, delivered.id);
      return settled.leaseToken === null && settled.status === 'delivered';
    });
    await paidPayment(server);
    await eventually(async () => receiver.at('/concurrent').length === 3);
    const calls = receiver.at('/concurrent');
    expect(calls.filter((c) => c.headers['webhook-id'] === delivered.eventId)).toHaveLength(2);
  });

  it('gives a dead delivery exactly one more try for many concurrent retries', async () => {
    const endpoint = await webhookEndpoint('/dead');
    receiver.answer('/dead', { status: 503 });
    await paidPayment(server);
    const dead = await deliveryIn(server, endpoint.id, 'dead');
    expect(dead.attemptCount).toBe(3);
    expect(receiver.at('/dead')).toHaveLength(3);
    await admin(server, 'PATCH', `${ENDPOINTS}/${endpoint.id}`, { enabled: false });
    const instances = second ? [server, second] : [server];
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        retry(instances[i % instances.length], endpoint.id, dead.id),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
    // Decremented once, not ten times: one more attempt before it is dead again.
    expect(await row(server, dead.id)).toMatchObject({ status: 'pending', attempts: 2 });

    await admin(server, 'PATCH', `${ENDPOINTS}/${endpoint.id}`, { enabled: true });
    await eventually(async () => (await row(server, dead.id)).status === 'dead');
    expect(receiver.at('/dead')).toHaveLength(4);
    expect((await deliveriesOf(server, endpoint.id))[0].attempts).toHaveLength(4);
  });

  it('answers 404 for a delivery of another endpoint', async () => {
    const a = await webhookEndpoint('/a404');
    const b = await webhookEndpoint('/b404');
    await paidPayment(server);
    const delivered = await deliveryIn(server, a.id, 'delivered');
    await deliveryIn(server, b.id, 'delivered');
    const res = await retry(server, b.id, delivered.id);
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 404, code: 'not_found' });
  });
});
