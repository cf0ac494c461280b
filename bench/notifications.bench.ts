/**
 * Notification delivery throughput: how fast one server drains a full outbox to a local HTTP
 * receiver (Standard Webhooks, signed) and to RabbitMQ (publisher confirms).
 * The outbox is filled directly in the database (BENCH_EVENTS events on distinct payments), then
 * the built server is started in a child process (production mode, SQLite) and the receiving
 * side counts what arrives: throughput = events / (last arrival - first arrival).
 *
 *   npm run bench:notifications
 *   BENCH_EVENTS=10000 BENCH_RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672 npm run bench:notifications
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import * as amqp from 'amqplib';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/database/data-source';
import { loadAppConfig } from '../src/config/app.config';
import { SecretBox } from '../src/common/crypto/secret-box';
import { NotificationEndpoint } from '../src/notifications/notification-endpoint.entity';
import { OutboxEvent } from '../src/notifications/outbox-event.entity';

const events = Number(process.env.BENCH_EVENTS ?? 5000);
const port = Number(process.env.BENCH_PORT ?? 28998);
const rabbitUrl =
  process.env.BENCH_RABBITMQ_URL ??
  process.env.PAYMENTSERVER_TEST_RABBITMQ_URL ??
  'amqp://guest:guest@127.0.0.1:5672';
const encryptionKey = Buffer.alloc(32, 5).toString('base64');
const INTEGRATION = 'int_bench';

interface Arrivals {
  count: number;
  first: number;
  last: number;
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function seed(dbFile: string, endpoint: Partial<NotificationEndpoint>): Promise<void> {
  const config = loadAppConfig({
    NODE_ENV: 'development',
    PAYMENTSERVER_DB: 'sqlite',
    PAYMENTSERVER_DB_URL: dbFile,
    PAYMENTSERVER_ENCRYPTION_KEY: encryptionKey,
  });
  const dataSource = new DataSource(buildDataSourceOptions(config.database));
  await dataSource.initialize();
  await dataSource.runMigrations();
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
  const rows: OutboxEvent[] = [];
  for (let i = 0; i < events; i++) {
    const id = `evt_bench${String(i).padStart(15, '0')}`;
    const paymentId = `pay_bench${String(i).padStart(15, '0')}`;
    const payload = {
      id,
      type: 'payment.status_changed',
      timestamp: now.toISOString(),
      data: {
        payment: {
          id: paymentId,
          status: 'paid',
          amount: { value: 1050, currency: 'EUR' },
          amountCaptured: 1050,
          amountRefunded: 0,
          reference: `order-${i}`,
        },
        previousStatus: 'pending',
      },
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
  for (let i = 0; i < rows.length; i += 200)
    await dataSource.getRepository(OutboxEvent).insert(rows.slice(i, i + 200));
  await dataSource.destroy();
}

/** Starts the built server on the seeded database and waits until `arrivals` has every event. */
async function drain(dbFile: string, arrivals: Arrivals): Promise<number> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PAYMENTSERVER_PORT: String(port),
      PAYMENTSERVER_DB: 'sqlite',
      PAYMENTSERVER_DB_URL: dbFile,
      PAYMENTSERVER_ENCRYPTION_KEY: encryptionKey,
      PAYMENTSERVER_RABBITMQ_URL: rabbitUrl,
      PAYMENTSERVER_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true',
      // Production mode requires an issuer; nothing here uses the admin API, so it is never fetched.
      PAYMENTSERVER_OIDC_ISSUER:
        process.env.PAYMENTSERVER_OIDC_ISSUER ?? 'http://127.0.0.1:9/unused',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitFor(() => arrivals.count >= events, 600_000);
    return (events / (arrivals.last - arrivals.first)) * 1000;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('exit', resolve));
  }
}

async function benchHttp(dir: string): Promise<number> {
  const arrivals: Arrivals = { count: 0, first: 0, last: 0 };
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const now = Date.now();
      if (arrivals.count++ === 0) arrivals.first = now;
      arrivals.last = now;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`;
  const dbFile = path.join(dir, 'http.sqlite');
  const secretSealed = new SecretBox([Buffer.from(encryptionKey, 'base64')]).seal(
    `whsec_${Buffer.alloc(32, 9).toString('base64')}`,
  );
  await seed(dbFile, { type: 'webhook', url, secretSealed });
  try {
    return await drain(dbFile, arrivals);
  } finally {
    receiver.close();
  }
}

async function benchRabbit(dir: string): Promise<number> {
  const arrivals: Arrivals = { count: 0, first: 0, last: 0 };
  const prefix = `bench${process.pid}.`;
  const model = await amqp.connect(rabbitUrl);
  const channel = await model.createChannel();
  await channel.assertExchange('paymentserver.events', 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true });
  await channel.bindQueue(queue, 'paymentserver.events', `${prefix}#`);
  await channel.consume(
    queue,
    () => {
      const now = Date.now();
      if (arrivals.count++ === 0) arrivals.first = now;
      arrivals.last = now;
    },
    { noAck: true },
  );
  const dbFile = path.join(dir, 'rabbit.sqlite');
  await seed(dbFile, {
    type: 'rabbitmq',
    exchange: 'paymentserver.events',
    routingKeyPrefix: prefix,
  });
  try {
    return await drain(dbFile, arrivals);
  } finally {
    await model.close();
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-bench-notify-'));
  try {
    const httpPerSecond = await benchHttp(dir);
    const rabbitPerSecond = await benchRabbit(dir);
    const summary = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      database: 'sqlite',
      events,
      httpWebhookEventsPerSecond: Math.round(httpPerSecond),
      rabbitmqEventsPerSecond: Math.round(rabbitPerSecond),
    };
    console.log(JSON.stringify(summary, null, 2));
    fs.mkdirSync('bench/results', { recursive: true });
    fs.writeFileSync('bench/results/notifications.json', JSON.stringify(summary, null, 2) + '\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
