import { enabledDialects } from '../support/services';
import { eventually, startTestServer, TestServer } from '../support/test-server';
import { WebhookReceiver } from '../support/webhook-receiver';
import {
  admin,
  deliveryIn,
  paidPayment,
  statusEndpoint,
  ENDPOINTS,
} from '../support/notifications';
import { signedTestWebhook } from '../support/perimeter';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(
      /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g,
    )) {
      labels[key] = value.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the sample with exactly these labels; 0 when it is not there (yet). */
function valueOf(samples: Sample[], name: string, labels: Record<string, string>): number {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const found = samples.find(
    (s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted,
  );
  return found?.value ?? 0;
}

const METRICS = [
  'paymentserver_http_request_duration_seconds',
  'paymentserver_payment_status_changes_total',
  'paymentserver_payments_created_total',
  'paymentserver_provider_request_duration_seconds',
  'paymentserver_webhooks_received_total',
  'paymentserver_notification_deliveries',
  'paymentserver_notification_attempts_total',
  'paymentserver_provider_circuit_open',
  'paymentserver_process_cpu_seconds_total',
];

describe.each(enabledDialects())('GET /metrics on %s', (dialect) => {
  let server: TestServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    server = await startTestServer({
      dialect,
      env: {
        PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: '100',
        PAYMENTSERVER_CIRCUIT_FAILURE_THRESHOLD: '1',
      },
    });
  });

  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
  });

  async function scrape(): Promise<{ text: string; samples: Sample[] }> {
    const response = await fetch(`${server.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    return { text, samples: parse(text) };
  }

  it('answers the Prometheus text format without credentials, with every metric described', async () => {
    const response = await fetch(`${server.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    for (const name of METRICS) expect(text).toContain(`# HELP ${name} `);
    expect(() => parse(text)).not.toThrow();
  });

  it('counts a payment created and paid on the test provider by exactly one each', async () => {
    const before = (await scrape()).samples;
    const payment = await paidPayment(server);
    await eventually(
      async () =>
        (await server.request('GET', `/api/v1/payments/${payment.id}`)).body.status === 'paid',
    );
    const change = { provider: 'test', from: 'pending', to: 'paid', source: 'webhook' };
    const after = await eventually(async () => {
      const { samples } = await scrape();
      return (
        valueOf(samples, 'paymentserver_payment_status_changes_total', change) >
          valueOf(before, 'paymentserver_payment_status_changes_total', change) && samples
      );
    });
    const delta = (name: string, labels: Record<string, string>) =>
      valueOf(after, name, labels) - valueOf(before, name, labels);

    expect(delta('paymentserver_payment_status_changes_total', change)).toBe(1);
    expect(
      delta('paymentserver_payments_created_total', { provider: 'test', outcome: 'created' }),
    ).toBe(1);
    expect(
      delta('paymentserver_webhooks_received_total', { provider: 'test', outcome: 'accepted' }),
    ).toBe(1);
    expect(
      delta('paymentserver_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/v1/payments',
        status_code: '201',
      }),
    ).toBe(1);
    expect(
      delta('paymentserver_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/webhooks/:provider/:providerAccountId',
        status_code: '200',
      }),
    ).toBe(1);
  });

  it('labels requests by route pattern, never by the path with its ids', async () => {
    const payment = await paidPayment(server);
    expect((await server.request('GET', `/api/v1/payments/${payment.id}`)).status).toBe(200);
    expect((await server.request('GET', '/api/v1/payments/pay_doesnotexist')).status).toBe(404);
    expect((await server.request('GET', '/no/such/route')).status).toBe(404);
    const { text, samples } = await scrape();
    const count = (labels: Record<string, string>) =>
      valueOf(samples, 'paymentserver_http_request_duration_seconds_count', labels);
    expect(
      count({ method: 'GET', route: '/api/v1/payments/:id', status_code: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(count({ method: 'GET', route: '/api/v1/payments/:id', status_code: '404' })).toBe(1);
    expect(count({ method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
    // No payment id, provider payment id or API key in any label (or anywhere else).
    expect(text).not.toMatch(/pay_[A-Za-z0-9]/);
    expect(text).not.toContain(payment.provider.paymentId);
    expect(text).not.toContain(server.apiKey);
    for (const sample of samples) {
      for (const value of Object.values(sample.labels)) {
        expect(value).not.toMatch(/pay_|tp_|test_bootstrap_/);
      }
    }
  });

  it('counts a duplicate and a forged webhook under their own outcomes, without a status change', async () => {
    const before = (await scrape()).samples;
    const webhook = await signedTestWebhook(server);
    const post = (body: string) =>
      fetch(`${server.baseUrl}/webhooks/test/test`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'test-signature': webhook.signature },
        body,
      });
    expect((await post(webhook.body)).status).toBe(200);
    expect((await post(webhook.body)).status).toBe(200);
    expect((await post(webhook.body.replace('"paid"', '"failed"'))).status).toBe(401);
    const after = (await scrape()).samples;
    const delta = (name: string, labels: Record<string, string>) =>
      valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(
      delta('paymentserver_webhooks_received_total', { provider: 'test', outcome: 'accepted' }),
    ).toBe(1);
    expect(
      delta('paymentserver_webhooks_received_total', { provider: 'test', outcome: 'duplicate' }),
    ).toBe(1);
    expect(
      delta('paymentserver_webhooks_received_total', {
        provider: 'test',
        outcome: 'rejected_signature',
      }),
    ).toBe(1);
    expect(
      delta('paymentserver_payment_status_changes_total', {
        provider: 'test',
        from: 'pending',
        to: 'paid',
        source: 'webhook',
      }),
    ).toBe(1);
  });

  it('reads notification deliveries from the database at scrape time and counts attempts', async () => {
    const endpoint = await statusEndpoint(server, {
      type: 'webhook',
      url: receiver.url('/metrics-delivery'),
    });
    try {
      const before = (await scrape()).samples;
      await paidPayment(server);
      await deliveryIn(server, endpoint.id, 'delivered');
      const after = await eventually(async () => {
        const { samples } = await scrape();
        const attempts = { channel: 'webhook', outcome: 'succeeded' };
        return (
          valueOf(samples, 'paymentserver_notification_attempts_total', attempts) >
            valueOf(before, 'paymentserver_notification_attempts_total', attempts) && samples
        );
      });
      expect(
        valueOf(after, 'paymentserver_notification_attempts_total', {
          channel: 'webhook',
          outcome: 'succeeded',
        }) -
          valueOf(before, 'paymentserver_notification_attempts_total', {
            channel: 'webhook',
            outcome: 'succeeded',
          }),
      ).toBe(1);
      // Only this endpoint exists: its one delivery is the only row.
      expect(
        valueOf(after, 'paymentserver_notification_deliveries', {
          channel: 'webhook',
          status: 'delivered',
        }),
      ).toBe(1);
      for (const status of ['pending', 'failing', 'dead']) {
        expect(
          valueOf(after, 'paymentserver_notification_deliveries', { channel: 'webhook', status }),
        ).toBe(0);
        expect(
          after.some(
            (s) =>
              s.name === 'paymentserver_notification_deliveries' &&
              s.labels.channel === 'rabbitmq' &&
              s.labels.status === status,
          ),
        ).toBe(true);
      }
    } finally {
      await admin(server, 'DELETE', `${ENDPOINTS}/${endpoint.id}`);
    }
  });

  it('shows an account whose circuit opened, and a payment no provider took', async () => {
    const token = await server.adminToken();
    const account = await server.request('POST', '/api/v1/admin/provider-accounts', {
      token,
      body: {
        provider: 'test',
        name: 'down',
        credentials: {},
        settings: { failureMode: 'unavailable' },
        testMode: true,
        enabled: true,
      },
    });
    expect(account.status).toBe(201);
    const before = (await scrape()).samples;
    const created = await server.request('POST', '/api/v1/payments', {
      body: {
        amount: { value: 100, currency: 'EUR' },
        description: 'x',
        reference: 'metrics-down',
        returnUrl: 'https://shop.example/r',
        providerAccountId: account.body.id,
      },
    });
    expect(created.body.status).toBe('failed');
    const after = (await scrape()).samples;
    expect(
      valueOf(after, 'paymentserver_provider_circuit_open', {
        provider_account_id: account.body.id,
      }),
    ).toBe(1);
    expect(
      valueOf(after, 'paymentserver_payments_created_total', {
        provider: 'none',
        outcome: 'failed',
      }) -
        valueOf(before, 'paymentserver_payments_created_total', {
          provider: 'none',
          outcome: 'failed',
        }),
    ).toBe(1);
    expect(
      valueOf(after, 'paymentserver_payment_status_changes_total', {
        provider: 'none',
        from: 'pending',
        to: 'failed',
        source: 'api',
      }) -
        valueOf(before, 'paymentserver_payment_status_changes_total', {
          provider: 'none',
          from: 'pending',
          to: 'failed',
          source: 'api',
        }),
    ).toBe(1);
  });

  it('is described in the Swagger document as text/plain', async () => {
    const document = (await (await fetch(`${server.baseUrl}/swagger/json`)).json()) as {
      paths: Record<string, any>;
    };
    expect(Object.keys(document.paths['/metrics'].get.responses['200'].content)).toEqual([
      'text/plain',
    ]);
  });
});

describe('GET /metrics with PAYMENTSERVER_METRICS=false', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ env: { PAYMENTSERVER_METRICS: 'false' } });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('answers 404, and Swagger does not list it', async () => {
    const response = await fetch(`${server.baseUrl}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('paymentserver_');
    const document = (await (await fetch(`${server.baseUrl}/swagger/json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(document.paths['/metrics']).toBeUndefined();
  });
});
