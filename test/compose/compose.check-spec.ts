/**
 * deploy/compose/docker-compose.yml, run as an operator runs it: the image built from the
 * Dockerfile, `migrate` once, three servers on one PostgreSQL database, RabbitMQ, nginx in
 * front (test/compose/run.sh sets up the engine, the certificates and this file's environment).
 * A shop pays through a PSP (the Mollie simulator, over https as production requires), the
 * PSP's webhook comes in through nginx's TLS entrance, the shop hears of it on RabbitMQ.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { startTestIdp, TestIdp } from '../support/test-idp';
import { RabbitConsumer } from '../support/rabbitmq';
import { eventually, submitCheckout } from '../support/test-server';
import { MollieSimulator } from '../simulators/mollie/mollie.simulator';
import { MIGRATIONS } from '../../migrations';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const PROJECT = 'paymentserver-check';
const API = 'http://127.0.0.1:8080';
const RABBITMQ_PORT = process.env.COMPOSE_CHECK_RABBITMQ_PORT ?? '35672';

const checkDir = process.env.COMPOSE_CHECK_DIR;
const hostIp = process.env.COMPOSE_CHECK_HOST_IP;
if (!checkDir || !hostIp) throw new Error('run test/compose/run.sh, not this file alone');

const secrets = {
  POSTGRES_PASSWORD: `pg-${randomBytes(12).toString('hex')}`,
  RABBITMQ_PASSWORD: `mq-${randomBytes(12).toString('hex')}`,
  PAYMENTSERVER_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  PAYMENTSERVER_BOOTSTRAP_API_KEY: `psk_compose_${randomBytes(16).toString('hex')}`,
};

/** `docker compose` (v1 or v2) with the example and the check's additions. */
async function compose(...args: string[]): Promise<string> {
  const project = [
    '-p',
    PROJECT,
    '--env-file',
    path.join(checkDir!, '.env'),
    '-f',
    path.join(ROOT, 'deploy', 'compose', 'docker-compose.yml'),
    '-f',
    path.join(ROOT, 'test', 'compose', 'docker-compose.check.yml'),
  ];
  const [command, prefix] =
    process.env.COMPOSE_COMMAND === 'docker compose'
      ? ['docker', ['compose']]
      : ['docker-compose', []];
  const { stdout } = await run(command, [...prefix, ...project, ...args], {
    cwd: path.join(ROOT, 'deploy', 'compose'),
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout;
}

async function api(
  method: string,
  route: string,
  auth: { token?: string; apiKey?: string },
  body?: unknown,
): Promise<{ status: number; body: any; upstream: string | null }> {
  const response = await fetch(`${API}${route}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
      ...(auth.apiKey ? { 'x-api-key': auth.apiKey } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : null,
    upstream: response.headers.get('x-upstream'),
  };
}

describe('deploy/compose: three servers, nginx, PostgreSQL and RabbitMQ', () => {
  let idp: TestIdp;
  let mollie: MollieSimulator;
  let adminToken: string;

  beforeAll(async () => {
    idp = await startTestIdp('urn:paymentserver', hostIp);
    mollie = await new MollieSimulator().start({
      host: hostIp,
      tls: {
        key: readFileSync(path.join(checkDir!, 'psp.key')),
        cert: readFileSync(path.join(checkDir!, 'psp.pem')),
      },
    });
    const env = {
      ...secrets,
      PAYMENTSERVER_OIDC_ISSUER: idp.issuer,
      PAYMENTSERVER_OIDC_AUDIENCE: 'urn:paymentserver',
      // nginx's TLS entrance on this host, where the simulator sends Mollie's webhooks.
      PAYMENTSERVER_PUBLIC_URL: `https://${hostIp}`,
      PAYMENTSERVER_INTERNAL_URL: 'http://localhost:8080',
      COMPOSE_CHECK_DIR: checkDir,
      COMPOSE_CHECK_RABBITMQ_PORT: RABBITMQ_PORT,
    };
    writeFileSync(
      path.join(checkDir!, '.env'),
      Object.entries(env)
        .map(([key, value]) => `${key}=${value}`)
        .join('\n') + '\n',
    );
    await compose('down', '-v', '--remove-orphans').catch(() => undefined);
    await compose('up', '-d', '--build');
    await eventually(async () => {
      const ready = await fetch(`${API}/health/ready`).catch(() => null);
      return ready?.status === 200;
    }, 240_000);
    adminToken = await idp.adminToken();
  }, 1_800_000);

  afterAll(async () => {
    if (process.env.COMPOSE_CHECK_KEEP !== 'true')
      await compose('down', '-v', '--remove-orphans').catch(() => undefined);
    await mollie?.stop();
    await idp?.stop();
  }, 300_000);

  it('ran the migrations once, in `migrate`, which exited 0', async () => {
    const id = (await compose('ps', '-q', 'migrate')).trim();
    const { stdout } = await run('docker', ['inspect', '-f', '{{.State.ExitCode}}', id]);
    expect(stdout.trim()).toBe('0');
    const applied = await compose(
      'exec',
      '-T',
      'postgres',
      'psql',
      '-U',
      'paymentserver',
      '-d',
      'paymentserver',
      '-tAc',
      'SELECT count(*) FROM schema_migrations',
    );
    expect(Number(applied.trim())).toBe(MIGRATIONS.length);
  });

  it('spreads the internal entrance over the three servers, each ready', async () => {
    const upstreams = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const ready = await api('GET', '/health/ready', {});
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ok');
      upstreams.add(ready.upstream!);
    }
    expect(upstreams.size).toBe(3);
  });

  it('lets a shop pay through a PSP: webhook through nginx over TLS, notification on RabbitMQ', async () => {
    const account = await api(
      'POST',
      '/api/v1/admin/provider-accounts',
      { token: adminToken },
      {
        name: 'Mollie (simulator)',
        provider: 'mollie',
        testMode: true,
        credentials: { apiKey: mollie.apiKey },
        baseUrl: mollie.url,
      },
    );
    expect(account.status).toBe(201);
    const integrations = await api('GET', '/api/v1/admin/integrations', { token: adminToken });
    const integration = integrations.body.data.find((i: { name: string }) => i.name === 'default');
    const endpoint = await api(
      'POST',
      '/api/v1/admin/notification-endpoints',
      { token: adminToken },
      { integrationId: integration.id, type: 'rabbitmq', events: ['payment.status_changed'] },
    );
    expect(endpoint.status).toBe(201);
    const consumer = await RabbitConsumer.bind(
      'paymentserver.events',
      '#',
      `amqp://paymentserver:${secrets.RABBITMQ_PASSWORD}@127.0.0.1:${RABBITMQ_PORT}`,
    );
    try {
      const created = await api(
        'POST',
        '/api/v1/payments',
        { apiKey: secrets.PAYMENTSERVER_BOOTSTRAP_API_KEY },
        {
          amount: { value: 1050, currency: 'EUR' },
          description: 'Order 1001',
          reference: 'compose-1001',
          returnUrl: 'https://shop.example/orders/1001',
          providerAccountId: account.body.id,
        },
      );
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ status: 'pending', provider: { name: 'mollie' } });
      expect(created.body.checkoutUrl).toMatch(new RegExp(`^${mollie.url}/checkout/tr_`));

      const checkout = await submitCheckout(created.body.checkoutUrl, { outcome: 'paid' });
      expect(checkout.status).toBe(303);
      await mollie.settled();
      expect(mollie.webhooks.at(-1)).toMatchObject({
        url: `https://${hostIp}/webhooks/mollie/${account.body.id}`,
        status: 200,
      });

      const paid = await eventually(async () => {
        const payment = await api('GET', `/api/v1/payments/${created.body.id}`, {
          apiKey: secrets.PAYMENTSERVER_BOOTSTRAP_API_KEY,
        });
        return payment.body.status === 'paid' && payment.body;
      }, 30_000);
      expect(paid.amount).toEqual({ value: 1050, currency: 'EUR' });

      const message = await eventually(
        async () =>
          consumer.messages.find((m) => JSON.parse(m.body).data?.payment?.id === created.body.id),
        30_000,
      );
      expect(JSON.parse(message.body)).toMatchObject({
        type: 'payment.status_changed',
        data: { previousStatus: 'pending', payment: { id: created.body.id, status: 'paid' } },
      });
    } finally {
      await consumer.close();
    }
  });

  it('stops a server cleanly on SIGTERM and keeps answering: nginx skips it', async () => {
    await compose('stop', 'server2');
    try {
      // It shut down by itself on SIGTERM (exit 0), not killed.
      const id = (await compose('ps', '-q', 'server2')).trim();
      const { stdout } = await run('docker', ['inspect', '-f', '{{.State.ExitCode}}', id]);
      expect(stdout.trim()).toBe('0');
      const upstreams = new Set<string>();
      for (let i = 0; i < 9; i++) {
        const ready = await api('GET', '/health/ready', {});
        expect(ready.status).toBe(200);
        upstreams.add(ready.upstream!.split(', ').at(-1)!);
      }
      expect(upstreams.size).toBe(2);
    } finally {
      await compose('start', 'server2');
    }
  }, 120_000);

  it('runs the image alone as docs/operations.md shows: SQLite in a volume, migrations, then the server', async () => {
    const name = `${PROJECT}-alone`;
    const volume = `${PROJECT}-alone-data`;
    const start = () =>
      run('docker', [
        'run',
        '-d',
        '--name',
        name,
        '-p',
        '127.0.0.1:28890:28888',
        '-e',
        `PAYMENTSERVER_ENCRYPTION_KEY=${secrets.PAYMENTSERVER_ENCRYPTION_KEY}`,
        '-e',
        `PAYMENTSERVER_OIDC_ISSUER=${idp.issuer}`,
        '-e',
        'PAYMENTSERVER_OIDC_AUDIENCE=urn:paymentserver',
        '-v',
        `${volume}:/var/lib/paymentserver`,
        'paymentserver:local',
      ]);
    const ready = () =>
      eventually(async () => {
        const response = await fetch('http://127.0.0.1:28890/health/ready').catch(() => null);
        return response?.status === 200;
      }, 120_000);
    const remove = () => run('docker', ['rm', '-f', name]).catch(() => undefined);
    try {
      await start();
      await ready();
      const payments = await fetch('http://127.0.0.1:28890/api/v1/payments');
      expect(payments.status).toBe(401);
      // First start on an empty database: integration `default`, its key shown once.
      const first = await run('docker', ['logs', name]);
      expect(first.stdout).toContain('Integration "default" created');
      // Again on the same volume: the data is kept, so no second integration.
      await remove();
      await start();
      await ready();
      const second = await run('docker', ['logs', name]);
      expect(second.stdout).toContain('PaymentServer listening');
      expect(second.stdout).not.toContain('Integration "default" created');
    } finally {
      await remove();
      await run('docker', ['volume', 'rm', '-f', volume]).catch(() => undefined);
    }
  }, 300_000);

  it('never writes a secret into a log', async () => {
    const logs = await compose('logs', '--no-color');
    for (const [name, secret] of Object.entries(secrets))
      expect({ name, found: logs.includes(secret) }).toEqual({ name, found: false });
    expect(logs).not.toContain(mollie.apiKey);
  });
});
