import { randomBytes } from 'node:crypto';
import * as amqp from 'amqplib';
import { RabbitMqConnection } from '../../src/notifications/channels/rabbitmq.connection';
import { serviceUrl } from '../support/services';
import { eventually, paymentBody, startTestServer, TestServer } from '../support/test-server';
import {
  drainQueue,
  dropBrokerConnections,
  RabbitConsumer,
  startBroker,
  stopBroker,
} from '../support/rabbitmq';
import {
  deliveriesOf,
  deliveryIn,
  endpointsPerTest,
  paidPayment,
  statusEndpoint,
  verify,
} from '../support/notifications';
import { WebhookReceiver } from '../support/webhook-receiver';

const rabbitUrl = serviceUrl('rabbitmq');
const describeWithBroker = rabbitUrl ? describe : describe.skip;

const FAST = {
  PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE: '1,1',
  PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: '100',
};

describeWithBroker('status notifications over RabbitMQ', () => {
  let server: TestServer;
  /** A routing-key prefix per run keeps parallel runs on one broker apart. */
  const prefix = `t${randomBytes(4).toString('hex')}.`;
  let consumer: RabbitConsumer;

  beforeAll(async () => {
    server = await startTestServer({ env: { ...FAST, PAYMENTSERVER_RABBITMQ_URL: rabbitUrl! } });
    consumer = await RabbitConsumer.bind('paymentserver.events', `${prefix}#`);
    await eventually(async () => server.server.app.get(RabbitMqConnection).connected);
  });

  const endpointForTest = endpointsPerTest(() => server);

  afterAll(async () => {
    await consumer?.close();
    await server?.close();
  });

  async function rabbitEndpoint(routingKeyPrefix = prefix) {
    return endpointForTest({ type: 'rabbitmq', routingKeyPrefix });
  }

  it('creates a rabbitmq endpoint on the default exchange, with no secret', async () => {
    const endpoint = await rabbitEndpoint();
    expect(endpoint).toMatchObject({
      type: 'rabbitmq',
      exchange: 'paymentserver.events',
      routingKeyPrefix: prefix,
      url: null,
    });
    expect(endpoint.secret).toBeUndefined();
  });

  it('publishes one confirmed, persistent message per event: routing key = event type, messageId = event id', async () => {
    const endpoint = await rabbitEndpoint();
    const payment = await paidPayment(server);
    const delivery = await deliveryIn(server, endpoint.id, 'delivered');
    const message = await eventually(async () =>
      consumer.messages.find((m) => m.properties.messageId === delivery.eventId),
    );
    expect(message.exchange).toBe('paymentserver.events');
    expect(message.routingKey).toBe(`${prefix}payment.status_changed`);
    expect(message.properties).toMatchObject({
      deliveryMode: 2,
      contentType: 'application/json',
      type: 'payment.status_changed',
    });
    const event = JSON.parse(message.body);
    expect(event).toMatchObject({
      id: delivery.eventId,
      type: 'payment.status_changed',
      data: { previousStatus: 'pending', payment: { id: payment.id, status: 'paid' } },
    });
    expect(
      consumer.messages.filter((m) => m.properties.messageId === delivery.eventId),
    ).toHaveLength(1);
  });

  it('sends a paid payment’s one event both as a verified webhook and as one confirmed RabbitMQ message', async () => {
    const receiver = await new WebhookReceiver().start();
    try {
      const webhook = await endpointForTest({ type: 'webhook', url: receiver.url('/both') });
      const rabbit = await rabbitEndpoint();
      const payment = await paidPayment(server);
      const viaRabbit = await deliveryIn(server, rabbit.id, 'delivered');
      const viaHttp = await deliveryIn(server, webhook.id, 'delivered');
      expect(viaHttp.eventId).toBe(viaRabbit.eventId);
      const event = verify(webhook.secret, receiver.at('/both')[0]);
      expect(event).toMatchObject({
        id: viaRabbit.eventId,
        type: 'payment.status_changed',
        data: { payment: { id: payment.id, status: 'paid' } },
      });
      const messages = await eventually(async () => {
        const found = consumer.messages.filter((m) => m.properties.messageId === event.id);
        return found.length > 0 && found;
      });
      expect(messages).toHaveLength(1);
      // Identical body on both channels.
      expect(messages[0].body).toBe(receiver.at('/both')[0].body);
    } finally {
      await receiver.stop();
    }
  });

  it('treats an unroutable message (mandatory, returned by the broker) as a failed delivery', async () => {
    const endpoint = await rabbitEndpoint(`nobody-listens-${randomBytes(3).toString('hex')}.`);
    await paidPayment(server);
    const failing = await deliveryIn(server, endpoint.id, 'failing');
    expect(failing.lastError).toContain('unroutable');
    expect(failing.attempts[0]).toMatchObject({ outcome: 'failed' });
  });

  it('fails (counted) a delivery to an exchange that exists with another type, and keeps publishing to the others', async () => {
    const fanout = `ps-test-fanout-${randomBytes(3).toString('hex')}`;
    const model = await amqp.connect(rabbitUrl!);
    const setup = await model.createChannel();
    await setup.assertExchange(fanout, 'fanout', { durable: false, autoDelete: false });
    try {
      const wrong = await endpointForTest({ type: 'rabbitmq', exchange: fanout });
      const right = await rabbitEndpoint();
      await paidPayment(server);
      const failing = await deliveryIn(server, wrong.id, 'failing');
      expect(failing.lastError).toContain(`cannot declare topic exchange ${fanout}`);
      expect(failing.attemptCount).toBe(1);
      await deliveryIn(server, right.id, 'delivered');
    } finally {
      await setup.deleteExchange(fanout);
      await model.close();
    }
  });

  it('recovers when the broker closes only the publishing channel (its exchange was deleted)', async () => {
    const exchange = `ps-test-gone-${randomBytes(3).toString('hex')}`;
    const model = await amqp.connect(rabbitUrl!);
    const setup = await model.createChannel();
    const { queue } = await setup.assertQueue('', { exclusive: true });
    await setup.assertExchange(exchange, 'topic', { durable: true });
    await setup.bindQueue(queue, exchange, '#');
    try {
      const gone = await endpointForTest({ type: 'rabbitmq', exchange });
      const other = await rabbitEndpoint();
      await paidPayment(server);
      await deliveryIn(server, gone.id, 'delivered');
      // The server still believes the exchange exists: its next publish there is a channel
      // error (404), which closes the confirm channel under the library's managed channel.
      await setup.deleteExchange(exchange);
      await paidPayment(server);
      // It opens a new channel, declares the exchange again and publishes; with nothing bound
      // the broker returns the message: a counted failure, not a delivery stuck forever.
      const failing = await deliveryIn(server, gone.id, 'failing');
      expect(failing.lastError).toContain('unroutable');
      // Both events reached the default exchange, the one in flight during the close included.
      await eventually(
        async () =>
          (await deliveriesOf(server, other.id)).filter((d) => d.status === 'delivered').length ===
          2,
      );
      expect(server.server.app.get(RabbitMqConnection).connected).toBe(true);
    } finally {
      await setup.deleteExchange(exchange).catch(() => undefined);
      await model.close().catch(() => undefined);
    }
  });

  it('loses no event when the broker drops the connection mid-stream', async () => {
    const endpoint = await rabbitEndpoint();
    const connection = server.server.app.get(RabbitMqConnection);
    const payments: string[] = [];
    for (let i = 0; i < 30; i++) {
      payments.push((await paidPayment(server)).id);
      if (i === 10 || i === 20) {
        // The second drop needs a connection to drop: the server's reconnect comes first.
        await eventually(async () => connection.connected);
        expect(await dropBrokerConnections(connection.connectionName)).toBe(1);
      }
    }
    await eventually(
      async () =>
        (await deliveriesOf(server, endpoint.id)).filter((d) => d.status === 'delivered').length ===
        30,
      30_000,
    );
    const received = new Set(
      consumer.messages
        .filter((m) => m.routingKey === `${prefix}payment.status_changed`)
        .map((m) => JSON.parse(m.body).data.payment.id),
    );
    for (const id of payments) expect(received).toContain(id);
    // A dropped connection is the server's problem, not the shop's: it used up no retries.
    for (const delivery of await deliveriesOf(server, endpoint.id))
      expect(delivery.attemptCount).toBe(1);
    expect(connection.connected).toBe(true);
  });
});

describeWithBroker('status notifications across a RabbitMQ restart', () => {
  let server: TestServer;
  const prefix = `r${randomBytes(4).toString('hex')}.`;
  const queue = `paymentserver-test-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    server = await startTestServer({ env: { ...FAST, PAYMENTSERVER_RABBITMQ_URL: rabbitUrl! } });
    const model = await amqp.connect(rabbitUrl!);
    const channel = await model.createChannel();
    await channel.assertExchange('paymentserver.events', 'topic', { durable: true });
    await channel.assertQueue(queue, { durable: true });
    await channel.bindQueue(queue, 'paymentserver.events', `${prefix}#`);
    await model.close();
    await eventually(async () => server.server.app.get(RabbitMqConnection).connected);
  });

  afterAll(async () => {
    await startBroker().catch(() => undefined);
    const model = await amqp.connect(rabbitUrl!);
    await (await model.createChannel()).deleteQueue(queue);
    await model.close();
    await server?.close();
  });

  it('keeps payments going while the broker is stopped, holds the events, and sends them once it is back; persistent messages survive the restart', async () => {
    const endpoint = await statusEndpoint(server, { type: 'rabbitmq', routingKeyPrefix: prefix });
    // One message confirmed before the restart: it must still be in the durable queue after it.
    await paidPayment(server);
    await deliveryIn(server, endpoint.id, 'delivered');

    const during: string[] = [];
    await stopBroker();
    try {
      await eventually(async () => !server.server.app.get(RabbitMqConnection).connected);
      for (let i = 0; i < 5; i++) during.push((await paidPayment(server)).id);
      const ready = await server.request('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.rabbitmq).toBe('failing');
      const waiting = (await deliveriesOf(server, endpoint.id)).filter(
        (d) => d.status !== 'delivered',
      );
      expect(waiting).toHaveLength(5);
      for (const delivery of waiting) expect(delivery.attemptCount).toBe(0);
    } finally {
      await startBroker();
    }

    await eventually(
      async () => (await deliveriesOf(server, endpoint.id)).every((d) => d.status === 'delivered'),
      60_000,
    );
    expect((await server.request('GET', '/health/ready')).status).toBe(200);
    const messages = await drainQueue(queue);
    const payments = messages.map((m) => JSON.parse(m.body).data.payment.id);
    expect(messages).toHaveLength(6);
    expect(new Set(messages.map((m) => m.properties.messageId)).size).toBe(6);
    for (const message of messages) expect(message.properties.deliveryMode).toBe(2);
    expect(payments).toEqual(expect.arrayContaining(during));
  });
});

describe('a server whose RabbitMQ is unreachable', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      env: { ...FAST, PAYMENTSERVER_RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:1' },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('starts, keeps taking payments, keeps RabbitMQ deliveries waiting, and reports not ready', async () => {
    const endpoint = await statusEndpoint(server, { type: 'rabbitmq' });
    const created = await server.request('POST', '/api/v1/payments', { body: paymentBody() });
    expect(created.status).toBe(201);
    await paidPayment(server);
    const pending = await deliveryIn(server, endpoint.id, 'pending');
    expect(pending.attemptCount).toBe(0);
    const ready = await server.request('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toMatchObject({ database: 'ok', rabbitmq: 'failing' });
  });
});
