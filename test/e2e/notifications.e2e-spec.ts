import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { createTestDatabase } from '../support/databases';
import { IsNull } from 'typeorm';
import { bumpEndpointsVersion } from '../../src/routing/routing-version';
import { NotificationEndpoint } from '../../src/notifications/notification-endpoint.entity';
import { OutboxEvent } from '../../src/notifications/outbox-event.entity';
import { SecretBox } from '../../src/common/crypto/secret-box';
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
  statusEndpoint,
  verify,
} from '../support/notifications';

// Short retry schedule and poll interval keep the suite quick; 2 s apart gives fresh timestamps.
const FAST = {
  PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE: '2,2',
  PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: '100',
  PAYMENTSERVER_NOTIFICATION_HTTP_TIMEOUT_SECONDS: '3',
};

describe.each(enabledDialects())('status notifications over HTTP webhooks on %s', (dialect) => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let integrationId: string;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    server = await startTestServer({ dialect, env: FAST });
    integrationId = await defaultIntegrationId(server);
  });

  // Each test has its own endpoints; later events must not pile up on earlier tests' ones.
  const endpointForTest = endpointsPerTest(() => server);

  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
  });

  async function webhookEndpoint(path: string, extra: Record<string, unknown> = {}) {
    return endpointForTest({ integrationId, type: 'webhook', url: receiver.url(path), ...extra });
  }

  describe('admin API', () => {
    it('creates a webhook endpoint and shows its whsec_ secret once, stored encrypted', async () => {
      const endpoint = await webhookEndpoint('/admin-create');
      expect(endpoint).toMatchObject({
        integrationId,
        type: 'webhook',
        url: receiver.url('/admin-create'),
        events: ['payment.status_changed'],
        enabled: true,
      });
      expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

      const fetched = await admin(server, 'GET', `${ENDPOINTS}/${endpoint.id}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body.secret).toBeUndefined();
      expect(fetched.body.deliveryCounts).toEqual({
        pending: 0,
        failing: 0,
        delivered: 0,
        dead: 0,
      });
      const listed = await admin(server, 'GET', `${ENDPOINTS}?integrationId=${integrationId}`);
      expect(listed.body.data.map((e: any) => e.id)).toContain(endpoint.id);
      expect(JSON.stringify(listed.body)).not.toContain(endpoint.secret);

      const row = await server.dataSource
        .getRepository(NotificationEndpoint)
        .findOneByOrFail({ id: endpoint.id });
      expect(row.secretSealed).toMatch(/^v1\./);
      expect(row.secretSealed).not.toContain(endpoint.secret.slice(6));
    });

    it('changes, disables and deletes an endpoint', async () => {
      const endpoint = await webhookEndpoint('/admin-patch');
      const patched = await admin(server, 'PATCH', `${ENDPOINTS}/${endpoint.id}`, {
        events: ['refund.status_changed'],
        enabled: false,
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ events: ['refund.status_changed'], enabled: false });
      expect((await admin(server, 'DELETE', `${ENDPOINTS}/${endpoint.id}`)).status).toBe(204);
      expect((await admin(server, 'GET', `${ENDPOINTS}/${endpoint.id}`)).status).toBe(404);
    });

    it('refuses null for url, events and enabled with 400 naming the field, and changes nothing', async () => {
      const endpoint = await webhookEndpoint('/admin-null');
      for (const field of ['url', 'events', 'enabled']) {
        const response = await admin(server, 'PATCH', `${ENDPOINTS}/${endpoint.id}`, {
          [field]: null,
        });
        expect({ field, status: response.status }).toEqual({ field, status: 400 });
        expect(new Set(response.body.errors.map((e: { field: string }) => e.field))).toEqual(
          new Set([field]),
        );
      }
      const created = await admin(server, 'POST', ENDPOINTS, {
        integrationId,
        type: 'webhook',
        url: null,
        events: ['payment.status_changed'],
      });
      expect(created.status).toBe(400);
      expect(new Set(created.body.errors.map((e: { field: string }) => e.field))).toEqual(
        new Set(['url']),
      );
      const kept = await admin(server, 'GET', `${ENDPOINTS}/${endpoint.id}`);
      expect(kept.body).toMatchObject({
        url: receiver.url('/admin-null'),
        events: ['payment.status_changed'],
        enabled: true,
      });
    });

    it.each([
      ['a webhook without url', { type: 'webhook', events: ['payment.status_changed'] }, 'url'],
      [
        'an unknown event type',
        { type: 'webhook', url: 'https://shop.example/h', events: ['payment.created'] },
        'events',
      ],
      ['no events', { type: 'webhook', url: 'https://shop.example/h', events: [] }, 'events'],
      ['an unknown type', { type: 'sms', events: ['payment.status_changed'] }, 'type'],
      [
        'a non-http url',
        { type: 'webhook', url: 'ftp://shop.example/h', events: ['payment.status_changed'] },
        'url',
      ],
      [
        'an exchange on a webhook',
        {
          type: 'webhook',
          url: 'https://shop.example/h',
          exchange: 'x',
          events: ['payment.status_changed'],
        },
        'exchange',
      ],
      [
        'an unknown field',
        {
          type: 'webhook',
          url: 'https://shop.example/h',
          events: ['payment.status_changed'],
          secret: 'whsec_x',
        },
        'secret',
      ],
      [
        'rabbitmq without a configured broker',
        { type: 'rabbitmq', events: ['payment.status_changed'] },
        'type',
      ],
    ])('refuses %s with 400 naming the field', async (_, body, field) => {
      const response = await admin(server, 'POST', ENDPOINTS, { integrationId, ...body });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.errors.map((e: any) => e.field)).toContain(field);
    });

    it('refuses an unknown integration with 400', async () => {
      const response = await admin(server, 'POST', ENDPOINTS, {
        integrationId: 'int_nope',
        type: 'webhook',
        url: 'https://shop.example/h',
        events: ['payment.status_changed'],
      });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe('integrationId');
    });

    it('documents every notification route in Swagger', async () => {
      const doc = (await server.request('GET', '/swagger/json')).body;
      for (const route of [
        '',
        '/stats',
        '/{id}',
        '/{id}/rotate-secret',
        '/{id}/deliveries',
        '/{id}/deliveries/{deliveryId}/retry',
      ]) {
        expect(Object.keys(doc.paths)).toContain(`${ENDPOINTS}${route}`);
      }
    });

    it('needs an admin token (401 without one, 403 without the admin scope)', async () => {
      expect((await server.request('GET', ENDPOINTS)).status).toBe(401);
      const token = await server.adminToken({ scope: '' });
      expect((await server.request('GET', ENDPOINTS, { token })).status).toBe(403);
    });
  });

  describe('delivery', () => {
    it('delivers one payment.status_changed event for a paid payment, signed so that standardwebhooks verifies it', async () => {
      const endpoint = await webhookEndpoint('/paid');
      const payment = await paidPayment(server);
      const delivery = await deliveryIn(server, endpoint.id, 'delivered');
      const [received] = receiver.at('/paid');
      expect(receiver.at('/paid')).toHaveLength(1);
      const event = verify(endpoint.secret, received);
      expect(event).toMatchObject({
        id: delivery.eventId,
        type: 'payment.status_changed',
        data: { previousStatus: 'pending' },
      });
      expect(event.data.payment).toMatchObject({
        id: payment.id,
        status: 'paid',
        amount: { value: 1050, currency: 'EUR' },
        amountCaptured: 1050,
      });
      expect(received.headers['webhook-id']).toBe(event.id);
      expect(received.headers['content-type']).toBe('application/json');
      expect(() => verify(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, received)).toThrow();
      expect(delivery).toMatchObject({
        attemptCount: 1,
        lastResponseCode: 200,
        paymentId: payment.id,
        eventType: 'payment.status_changed',
      });
      expect(delivery.attempts).toEqual([
        expect.objectContaining({
          outcome: 'succeeded',
          responseCode: 200,
          durationMs: expect.any(Number),
        }),
      ]);
    });

    it('retries 500, 500, then delivers on the third attempt with the same webhook-id and fresh timestamps', async () => {
      const endpoint = await webhookEndpoint('/flaky');
      receiver.script('/flaky', { status: 500 }, { status: 500 });
      await paidPayment(server);
      const delivery = await deliveryIn(server, endpoint.id, 'delivered');
      const calls = receiver.at('/flaky');
      expect(calls).toHaveLength(3);
      expect(new Set(calls.map((c) => c.headers['webhook-id'])).size).toBe(1);
      const timestamps = calls.map((c) => Number(c.headers['webhook-timestamp']));
      expect(timestamps[1]).toBeGreaterThan(timestamps[0]);
      expect(timestamps[2]).toBeGreaterThan(timestamps[1]);
      calls.forEach((call) => expect(verify(endpoint.secret, call).id).toBe(delivery.eventId));
      expect(delivery.attemptCount).toBe(3);
      expect(delivery.attempts.map((a: any) => a.responseCode)).toEqual([200, 500, 500]);
    });

    it('gives up after the retry schedule (dead), counts it, and delivers it again on manual retry', async () => {
      const endpoint = await webhookEndpoint('/down');
      receiver.script('/down', { status: 503 }, { status: 503 }, { status: 503 });
      await paidPayment(server);
      const dead = await deliveryIn(server, endpoint.id, 'dead');
      expect(dead.attemptCount).toBe(3);
      expect(receiver.at('/down')).toHaveLength(3);
      const counts = (await admin(server, 'GET', `${ENDPOINTS}/${endpoint.id}`)).body
        .deliveryCounts;
      expect(counts).toEqual({ pending: 0, failing: 0, delivered: 0, dead: 1 });

      const retried = await admin(
        server,
        'POST',
        `${ENDPOINTS}/${endpoint.id}/deliveries/${dead.id}/retry`,
      );
      expect(retried.status).toBe(202);
      const delivered = await deliveryIn(server, endpoint.id, 'delivered');
      expect(delivered.id).toBe(dead.id);
      expect(receiver.at('/down')).toHaveLength(4);
      const stats = await admin(server, 'GET', `${ENDPOINTS}/stats?integrationId=${integrationId}`);
      expect(stats.body.delivered).toBeGreaterThanOrEqual(1);
    });

    it('disables the endpoint when the target answers 410', async () => {
      const endpoint = await webhookEndpoint('/gone');
      receiver.answer('/gone', { status: 410 });
      await paidPayment(server);
      const dead = await deliveryIn(server, endpoint.id, 'dead');
      expect(dead.lastResponseCode).toBe(410);
      const fetched = (await admin(server, 'GET', `${ENDPOINTS}/${endpoint.id}`)).body;
      expect(fetched).toMatchObject({
        enabled: false,
        disabledReason: expect.stringContaining('410'),
      });
      // Later events are not even queued for it.
      await paidPayment(server);
      await eventually(
        async () =>
          (await server.dataSource
            .getRepository(OutboxEvent)
            .countBy({ dispatchedAt: IsNull() })) === 0,
      );
      expect(await deliveriesOf(server, endpoint.id)).toHaveLength(1);
      expect(receiver.at('/gone')).toHaveLength(1);
    });

    it('does not follow a redirect: the 302 is a failed attempt and the Location is never called', async () => {
      const endpoint = await webhookEndpoint('/moved');
      receiver.answer('/moved', {
        status: 302,
        headers: { location: receiver.url('/moved-target') },
      });
      await paidPayment(server);
      const failing = await deliveryIn(server, endpoint.id, 'failing');
      expect(failing.lastResponseCode).toBe(302);
      expect(failing.lastError).toContain('redirects are not followed');
      expect(receiver.at('/moved-target')).toHaveLength(0);
    });

    it('honours 429 Retry-After over a shorter schedule delay', async () => {
      const endpoint = await webhookEndpoint('/busy');
      receiver.script('/busy', { status: 429, headers: { 'retry-after': '4' } });
      await paidPayment(server);
      await deliveryIn(server, endpoint.id, 'delivered');
      const [first, second] = receiver.at('/busy');
      expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(4000);
    });

    it('sends one payment’s events in order, holding the later one while the earlier one is retried', async () => {
      const endpoint = await webhookEndpoint('/ordered');
      receiver.script('/ordered', { status: 500 });
      const payment = await paidPayment(server, 'authorized');
      const captured = await server.request('POST', `/api/v1/payments/${payment.id}/capture`, {
        body: {},
      });
      expect(captured.status).toBe(200);
      await eventually(
        async () =>
          (await deliveriesOf(server, endpoint.id)).filter((d) => d.status === 'delivered')
            .length === 2,
        20_000,
      );
      const statuses = receiver.at('/ordered').map((c) => JSON.parse(c.body).data.payment.status);
      // authorized failed once, was retried, and only then did paid go out.
      expect(statuses).toEqual(['authorized', 'authorized', 'paid']);
      const previous = receiver.at('/ordered').map((c) => JSON.parse(c.body).data.previousStatus);
      expect(previous).toEqual(['pending', 'pending', 'authorized']);
    });

    it('sends refund.status_changed only to endpoints that asked for it, with the refund and the payment as at that change', async () => {
      const payments = await webhookEndpoint('/only-payments');
      const refunds = await webhookEndpoint('/only-refunds', { events: ['refund.status_changed'] });
      const payment = await paidPayment(server);
      const refund = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
        body: { amount: { value: 50, currency: 'EUR' } },
      });
      expect(refund.status).toBe(201);
      const delivered = await deliveryIn(server, refunds.id, 'delivered');
      const event = verify(refunds.secret, receiver.at('/only-refunds')[0]);
      expect(event.id).toBe(delivered.eventId);
      expect(event.type).toBe('refund.status_changed');
      expect(event.data.refund).toMatchObject({
        id: refund.body.id,
        status: 'succeeded',
        amount: { value: 50, currency: 'EUR' },
      });
      expect(event.data.payment).toMatchObject({ id: payment.id, amountRefunded: 50 });
      expect(receiver.at('/only-refunds')).toHaveLength(1);
      await eventually(
        async () =>
          (await deliveriesOf(server, payments.id)).filter((d) => d.status === 'delivered')
            .length === 2,
      );
      const types = receiver.at('/only-payments').map((c) => JSON.parse(c.body));
      expect(types.map((e) => e.type)).toEqual([
        'payment.status_changed',
        'payment.status_changed',
      ]);
      expect(types.map((e) => e.data.payment.status)).toEqual(['paid', 'partially_refunded']);
    });

    it('gives up on a target that does not answer within the timeout (a failed attempt)', async () => {
      const endpoint = await webhookEndpoint('/slow');
      receiver.script('/slow', { status: 200, delayMs: 10_000 });
      await paidPayment(server);
      const failing = await deliveryIn(server, endpoint.id, 'failing');
      expect(failing.lastError).toContain('no answer within 3000 ms');
      expect(failing.attempts[0]).toMatchObject({ outcome: 'failed', responseCode: null });
      expect(failing.attempts[0].durationMs).toBeGreaterThanOrEqual(3000);
    });

    it('keeps delivering to a healthy endpoint while a slow one holds its request open', async () => {
      const slow = await webhookEndpoint('/hanging');
      const healthy = await webhookEndpoint('/healthy');
      // Longer than the 3 s timeout: the slow send ends only by timing out.
      receiver.answer('/hanging', { status: 200, delayMs: 30_000 });
      await paidPayment(server);
      await eventually(async () => receiver.at('/hanging').length === 1);
      await paidPayment(server);
      await eventually(
        async () =>
          (await deliveriesOf(server, healthy.id)).filter((d) => d.status === 'delivered')
            .length === 2,
      );
      // The slow endpoint's first send is still open: nothing recorded for it yet.
      const [stuck] = await deliveriesOf(server, slow.id).then((ds) =>
        ds.filter((d) => d.attempts.length > 0),
      );
      expect(stuck).toBeUndefined();
      receiver.answer('/hanging', { status: 200 });
    });

    it('rotates the secret: during the grace period both the old and the new secret verify', async () => {
      const endpoint = await webhookEndpoint('/rotated');
      const rotated = await admin(server, 'POST', `${ENDPOINTS}/${endpoint.id}/rotate-secret`, {
        graceSeconds: 3600,
      });
      expect(rotated.status).toBe(201);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(endpoint.secret);
      expect(new Date(rotated.body.previousSecretExpiresAt).getTime()).toBeGreaterThan(Date.now());
      await paidPayment(server);
      await deliveryIn(server, endpoint.id, 'delivered');
      const [received] = receiver.at('/rotated');
      expect(received.headers['webhook-signature'].split(' ')).toHaveLength(2);
      expect(verify(rotated.body.secret, received).type).toBe('payment.status_changed');
      expect(verify(endpoint.secret, received).type).toBe('payment.status_changed');

      // With no grace period the old secret stops at once.
      const again = await admin(server, 'POST', `${ENDPOINTS}/${endpoint.id}/rotate-secret`, {
        graceSeconds: 0,
      });
      await paidPayment(server);
      await eventually(async () => receiver.at('/rotated').length === 2);
      const latest = receiver.at('/rotated')[1];
      expect(verify(again.body.secret, latest).type).toBe('payment.status_changed');
      expect(() => verify(rotated.body.secret, latest)).toThrow();
      expect(() =>
        new Webhook(endpoint.secret).verify(latest.body, latest.headers as never),
      ).toThrow();
    });
  });
});

describe('webhook targets on private addresses (PAYMENTSERVER_ALLOW_PRIVATE_WEBHOOK_TARGETS=false)', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let integrationId: string;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    server = await startTestServer({
      env: { ...FAST, PAYMENTSERVER_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'false' },
    });
    integrationId = await defaultIntegrationId(server);
  });

  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
  });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://10.0.0.7/hook',
    'http://[::1]/hook',
  ])('refuses %s when the endpoint is created', async (url) => {
    const response = await admin(server, 'POST', ENDPOINTS, {
      integrationId,
      type: 'webhook',
      url,
      events: ['payment.status_changed'],
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({
      field: 'url',
      message: expect.stringContaining('private or loopback'),
    });
  });

  it('checks again at delivery time: an endpoint whose target now resolves inward gets nothing', async () => {
    // As if the name had resolved outward at creation and points inward now.
    const now = new Date();
    await server.dataSource.getRepository(NotificationEndpoint).insert({
      id: 'ne_rebound',
      integrationId,
      type: 'webhook',
      url: `http://localhost:${receiver.port}/rebound`,
      exchange: null,
      routingKeyPrefix: null,
      events: ['payment.status_changed'],
      enabled: true,
      disabledReason: null,
      secretSealed: server.server.app
        .get(SecretBox)
        .seal('whsec_' + Buffer.alloc(32, 1).toString('base64')),
      previousSecretSealed: null,
      previousSecretExpiresAt: null,
      createdAt: now,
      updatedAt: now,
    });
    // Written past the admin API: tell the instances' subscription caches, as the API does.
    await server.dataSource.transaction((m) => bumpEndpointsVersion(m));
    await paidPayment(server);
    const failing = await deliveryIn(server, 'ne_rebound', 'failing');
    expect(failing.lastError).toMatch(/localhost resolves to a private or loopback address/);
    expect(failing.lastResponseCode).toBeNull();
    expect(receiver.at('/rebound')).toHaveLength(0);
  });
});

describe('a worker that polls rarely', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    server = await startTestServer({
      env: { PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: '60000' },
    });
  });

  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
  });

  it('is woken by the commit of a status change and delivers at once, long before its next poll', async () => {
    const endpoint = await statusEndpoint(server, {
      type: 'webhook',
      url: receiver.url('/prompt'),
    });
    const payment = await paidPayment(server);
    // eventually() gives up after 10 s; the next poll would only come after 60 s.
    await eventually(async () => receiver.at('/prompt').length === 1);
    expect(verify(endpoint.secret, receiver.at('/prompt')[0]).data.payment.id).toBe(payment.id);
  });
});

describe('a target slower than the lease', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    server = await startTestServer({
      env: {
        PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: '100',
        PAYMENTSERVER_NOTIFICATION_LEASE_SECONDS: '1',
        PAYMENTSERVER_NOTIFICATION_HTTP_TIMEOUT_SECONDS: '10',
      },
    });
  });

  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
  });

  it('keeps its lease renewed while the send is in flight: the event is sent once, not again every second', async () => {
    const endpoint = await statusEndpoint(server, { type: 'webhook', url: receiver.url('/slow') });
    receiver.answer('/slow', { status: 200, delayMs: 3500 });
    await paidPayment(server);
    const delivered = await deliveryIn(server, endpoint.id, 'delivered');
    // Without renewal the 1 s lease runs out three times during the 3.5 s answer, and each
    // time the worker takes the row again and sends it again.
    expect(receiver.at('/slow')).toHaveLength(1);
    expect(delivered.attemptCount).toBe(1);
  });
});

describe('webhook secrets and encryption key rotation', () => {
  it('re-seals endpoint secrets with the new key at start-up; the shop’s whsec_ secret keeps verifying', async () => {
    const receiver = await new WebhookReceiver().start();
    const database = await createTestDatabase('sqlite');
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const first = await startTestServer({
      database,
      env: { ...FAST, PAYMENTSERVER_ENCRYPTION_KEY: oldKey.toString('base64') },
    });
    let second: TestServer | undefined;
    try {
      const endpoint = await statusEndpoint(first, {
        type: 'webhook',
        url: receiver.url('/rekeyed'),
      });
      await first.stop();

      second = await startTestServer({
        database,
        env: {
          ...FAST,
          PAYMENTSERVER_BOOTSTRAP_API_KEY: first.apiKey,
          PAYMENTSERVER_ENCRYPTION_KEY: `${newKey.toString('base64')},${oldKey.toString('base64')}`,
        },
      });
      const repo = second.dataSource.getRepository(NotificationEndpoint);
      await eventually(async () =>
        (await repo.findOneByOrFail({ id: endpoint.id })).secretSealed!.startsWith(
          `v1.${SecretBox.keyId(newKey)}.`,
        ),
      );
      await paidPayment(second);
      await eventually(async () => receiver.at('/rekeyed').length === 1);
      expect(verify(endpoint.secret, receiver.at('/rekeyed')[0]).type).toBe(
        'payment.status_changed',
      );
    } finally {
      await first.stop();
      await second?.stop();
      await database.drop();
      await receiver.stop();
    }
  });
});
