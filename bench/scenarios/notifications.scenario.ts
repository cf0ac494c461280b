/**
 * Notification delivery: how fast one server drains a full outbox, to a local HTTP receiver
 * (Standard Webhooks, signed) and to RabbitMQ (publisher confirms). The outbox is filled in
 * the database first (`events` events on distinct payments), then the server is started and
 * the receiving side counts arrivals: events / (last arrival - first arrival).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as amqp from 'amqplib';
import type { BenchOptions } from '../support/options';
import { BenchDatabase, ENCRYPTION_KEY, freshDatabase, openDataSource } from '../support/databases';
import { startPaymentServer } from '../support/targets';
import { SecretBox } from '../../src/common/crypto/secret-box';
import { NotificationEndpoint } from '../../src/notifications/notification-endpoint.entity';
import { OutboxEvent } from '../../src/notifications/outbox-event.entity';

export const RABBITMQ_GOAL_PER_SECOND = 1000;
const INTEGRATION = 'int_bench';
const EXCHANGE = 'paymentserver.events';

export interface ChannelResult {
  eventsPerSecond: number | null;
  cpuMsPerEvent: number | null;
  peakRssMb: number | null;
  /** Why it was not measured (e.g. no broker reachable). */
  skipped?: string;
}

export interface NotificationsResult {
  database: string;
  events: number;
  http: ChannelResult;
  rabbitmq: ChannelResult;
}

interface Arrivals {
  count: number;
  first: number;
  last: number;
}

const arrived = (arrivals: Arrivals) => {
  const now = Date.now();
  if (arrivals.count++ === 0) arrivals.first = now;
  arrivals.last = now;
};

async function seed(
  db: BenchDatabase,
  events: number,
  endpoint: Partial<NotificationEndpoint>,
): Promise<void> {
  const dataSource = await openDataSource(db);
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    const now = new Date();
    await dataSource.getRepository(NotificationEndpoint).insert({
      id: 'ne_bench',
      integrationId: INTEGRATION,
      url: null,
      exchange: null,
      routingKeyPrefix: null,
      events: ['payment.status_changed'],
      enabled: true,
      disabledReason: null,
      secretSealed: null,
      previousSecretSealed: null,
      previousSecretExpiresAt: null,
      createdAt: now,
      updatedAt: now,
      ...endpoint,
    } as NotificationEndpoint);
    for (let from = 0; from < events; from += 200) {
      const rows: OutboxEvent[] = [];
      for (let i = from; i < Math.min(events, from + 200); i++) {
        const id = `evt_bench${String(i).padStart(15, '0')}`;
        const paymentId = `pay_bench${String(i).padStart(15, '0')}`;
        const payment = {
          id: paymentId,
          status: 'paid',
          amount: { value: 1050, currency: 'EUR' },
          amountCaptured: 1050,
          amountRefunded: 0,
          reference: `order-${i}`,
        };
        const payload = {
          id,
          type: 'payment.status_changed',
          timestamp: now.toISOString(),
          data: { payment, previousStatus: 'pending' },
        };
        rows.push({
          id,
          integrationId: INTEGRATION,
          type: 'payment.status_changed',
          paymentId,
          refundId: null,
          sequence: 2,
          payload: JSON.stringify(payload),
          createdAt: new Date(now.getTime() + i),
          dispatchedAt: null,
        });
      }
      await dataSource.getRepository(OutboxEvent).insert(rows);
    }
  } finally {
    await dataSource.destroy();
  }
}

/** Starts the server on the seeded database and waits until every event has arrived. */
async function drain(
  db: BenchDatabase,
  options: BenchOptions,
  arrivals: Arrivals,
  env: Record<string, string>,
): Promise<ChannelResult> {
  const { server } = await startPaymentServer(db, {
    fromSource: options.smoke,
    env: { PAYMENTSERVER_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true', ...env },
  });
  try {
    // CPU counts from the first arrival (start-up and migrations excluded).
    let from: { cpu: number; count: number } | undefined;
    const deadline = Date.now() + 600_000;
    while (arrivals.count < options.events) {
      if (Date.now() > deadline)
        throw new Error(`only ${arrivals.count} of ${options.events} events arrived`);
      if (!from && arrivals.count > 0) from = { cpu: server.cpu().process, count: arrivals.count };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const cpu = server.cpu().process - (from?.cpu ?? 0);
    return {
      eventsPerSecond: Math.round(
        (options.events / Math.max(1, arrivals.last - arrivals.first)) * 1000,
      ),
      cpuMsPerEvent:
        Math.round((cpu * 1000 * 100) / Math.max(1, options.events - (from?.count ?? 0))) / 100,
      peakRssMb: server.peakRssMb(),
    };
  } finally {
    await server.stop();
  }
}

async function benchHttp(options: BenchOptions): Promise<ChannelResult> {
  const arrivals: Arrivals = { count: 0, first: 0, last: 0 };
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrived(arrivals);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`;
  const db = await freshDatabase(options.dialect, options.serverUrl, 'notify_http');
  try {
    const secret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const secretSealed = new SecretBox([Buffer.from(ENCRYPTION_KEY, 'base64')]).seal(secret);
    await seed(db, options.events, { type: 'webhook', url, secretSealed });
    return await drain(db, options, arrivals, {});
  } finally {
    receiver.close();
    await db.drop();
  }
}

async function benchRabbit(options: BenchOptions): Promise<ChannelResult> {
  let connection: amqp.ChannelModel;
  try {
    connection = await amqp.connect(options.rabbitUrl);
  } catch (error) {
    return {
      eventsPerSecond: null,
      cpuMsPerEvent: null,
      peakRssMb: null,
      skipped: `RabbitMQ not reachable (${(error as Error).message})`,
    };
  }
  const arrivals: Arrivals = { count: 0, first: 0, last: 0 };
  const prefix = `bench${process.pid}.`;
  const db = await freshDatabase(options.dialect, options.serverUrl, 'notify_rabbit');
  try {
    const channel = await connection.createChannel();
    await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, EXCHANGE, `${prefix}#`);
    await channel.consume(queue, () => arrived(arrivals), { noAck: true });
    await seed(db, options.events, {
      type: 'rabbitmq',
      exchange: EXCHANGE,
      routingKeyPrefix: prefix,
    });
    return await drain(db, options, arrivals, { PAYMENTSERVER_RABBITMQ_URL: options.rabbitUrl });
  } finally {
    await connection.close();
    await db.drop();
  }
}

const NOT_ASKED: ChannelResult = {
  eventsPerSecond: null,
  cpuMsPerEvent: null,
  peakRssMb: null,
  skipped: 'not asked for',
};

export async function runNotifications(
  options: BenchOptions,
  log: (line: string) => void = console.log,
  channels: ('http' | 'rabbitmq')[] = ['http', 'rabbitmq'],
): Promise<NotificationsResult> {
  let httpResult = NOT_ASKED;
  let rabbitmq = NOT_ASKED;
  if (channels.includes('http')) {
    log(`notifications: ${options.events} events over HTTP on ${options.dialect}`);
    httpResult = await benchHttp(options);
    log(`notifications: HTTP ${httpResult.eventsPerSecond}/s`);
  }
  if (channels.includes('rabbitmq')) {
    log(`notifications: ${options.events} events to RabbitMQ on ${options.dialect}`);
    rabbitmq = await benchRabbit(options);
    log(`notifications: RabbitMQ ${rabbitmq.eventsPerSecond ?? rabbitmq.skipped}/s`);
  }
  return { database: options.dialect, events: options.events, http: httpResult, rabbitmq };
}
