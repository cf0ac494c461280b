import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { eventually, freePort } from '../support/test-server';
import { spawnServer, ServerProcess, waitForHttp } from '../support/server-process';
import { sharedTestIdp, TestIdp } from '../support/test-idp';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * The real server as a child process, killed with SIGKILL while events are committed but not
 * yet delivered (some claimed and in flight, some not even fanned out): after a restart on the
 * same database every event is delivered.
 */
describe('notifications survive a SIGKILL of the server', () => {
  let idp: TestIdp;
  let receiver: WebhookReceiver;
  let dir: string;
  const running: ServerProcess[] = [];

  beforeAll(async () => {
    idp = await sharedTestIdp();
    receiver = await new WebhookReceiver().start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-crash-'));
  });

  afterAll(async () => {
    for (const server of running) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await receiver?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every event after the restart', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const apiKey = `crash_${randomBytes(12).toString('hex')}`;
    const dbFile = path.join(dir, 'db.sqlite');
    const env = {
      PAYMENTSERVER_PORT: String(port),
      PAYMENTSERVER_DB_URL: dbFile,
      PAYMENTSERVER_BOOTSTRAP_API_KEY: apiKey,
      PAYMENTSERVER_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PAYMENTSERVER_OIDC_ISSUER: idp.issuer,
      PAYMENTSERVER_OIDC_AUDIENCE: idp.audience,
      PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: '100',
      PAYMENTSERVER_NOTIFICATION_LEASE_SECONDS: '3',
      PAYMENTSERVER_NOTIFICATION_HTTP_TIMEOUT_SECONDS: '60',
      PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE: '1',
    };
    const call = async (method: string, route: string, body?: unknown, token?: string) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      else headers['x-api-key'] = apiKey;
      const response = await fetch(`${base}${route}`, {
        method,
        headers,
        body: body ? JSON.stringify(body) : undefined,
        redirect: 'manual',
      });
      return {
        status: response.status,
        body: (await response.json().catch(() => undefined)) as any,
      };
    };
    const pay = async () => {
      const created = await call('POST', '/api/v1/payments', {
        amount: { value: 1000, currency: 'EUR' },
        description: 'crash test',
        reference: randomBytes(4).toString('hex'),
        returnUrl: 'https://shop.example/return',
      });
      expect(created.status).toBe(201);
      const checkout = await fetch(created.body.checkoutUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'outcome=paid',
        redirect: 'manual',
      });
      expect(checkout.status).toBe(303);
    };

    // The shop's endpoint takes the requests but does not answer: deliveries stay in flight.
    receiver.answer('/crash', { status: 200, delayMs: 120_000 });
    const first = spawnServer(env);
    running.push(first);
    await waitForHttp(`${base}/health/ready`);
    const token = await idp.adminToken();
    const integrations = await call('GET', '/api/v1/admin/integrations', undefined, token);
    const integrationId = integrations.body.data[0].id;
    const endpoint = await call(
      'POST',
      '/api/v1/admin/notification-endpoints',
      {
        integrationId,
        type: 'webhook',
        url: receiver.url('/crash'),
        events: ['payment.status_changed'],
      },
      token,
    );
    expect(endpoint.status).toBe(201);

    for (let i = 0; i < 8; i++) await pay();
    await eventually(async () => receiver.at('/crash').length >= 1);
    // And one more change committed just before the kill, likely not even fanned out.
    await pay();
    first.child.kill('SIGKILL');
    await first.exited;

    const outbox = new Database(dbFile, { readonly: true });
    const eventIds = (outbox.prepare('SELECT id FROM outbox_events').all() as { id: string }[]).map(
      (r) => r.id,
    );
    outbox.close();
    expect(eventIds).toHaveLength(9);
    const beforeCrash = receiver.at('/crash').length;
    expect(beforeCrash).toBeGreaterThanOrEqual(1);

    receiver.received.length = 0;
    receiver.answer('/crash', { status: 200 });
    const second = spawnServer(env);
    running.push(second);
    await waitForHttp(`${base}/health/ready`);
    await eventually(
      async () =>
        new Set(receiver.at('/crash').map((r) => r.headers['webhook-id'])).size === eventIds.length,
      30_000,
    );
    expect(new Set(receiver.at('/crash').map((r) => r.headers['webhook-id']))).toEqual(
      new Set(eventIds),
    );

    const deliveries = await call(
      'GET',
      `/api/v1/admin/notification-endpoints/${endpoint.body.id}`,
      undefined,
      token,
    );
    expect(deliveries.body.deliveryCounts).toEqual({
      pending: 0,
      failing: 0,
      delivered: 9,
      dead: 0,
    });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
