import * as http from 'node:http';
import { paymentBody, startTestServer, TestServer } from '../support/test-server';

/**
 * The full set of response headers of representative routes, as a client receives them: what the
 * HTTP stack in front of the handlers (security headers, request id, `no-store`, CORS) adds must
 * not change when that stack is rearranged. Values that differ per request or per build are
 * compared by presence only.
 */
const VARIES = new Set(['date', 'x-request-id', 'etag', 'last-modified', 'content-length']);

type HeaderSet = Record<string, string>;

/** One request over plain node:http, so every header (and each repeat of one) is seen as sent. */
function headersOf(
  server: TestServer,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: HeaderSet; requestId: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: 'localhost', port: server.port, method, path, headers, agent: false },
      (response) => {
        const set: HeaderSet = {};
        const raw = response.rawHeaders;
        for (let i = 0; i < raw.length; i += 2) {
          const name = raw[i].toLowerCase();
          if (name in set) throw new Error(`header ${name} sent twice`);
          set[name] = VARIES.has(name) ? '<varies>' : raw[i + 1];
        }
        response.resume();
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            headers: set,
            requestId: response.headers['x-request-id'] as string | undefined,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Helmet's defaults, as the server has always sent them. */
const SECURITY: HeaderSet = {
  'content-security-policy':
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

/** What Node adds to every answer on a connection that is not kept alive. */
const TRANSPORT: HeaderSet = { connection: 'close', date: '<varies>', 'x-request-id': '<varies>' };

const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

describe('HTTP response headers of representative routes', () => {
  let server: TestServer;
  let checkoutPath: string;

  beforeAll(async () => {
    server = await startTestServer();
    const created = await server.request('POST', '/api/v1/payments', { body: paymentBody() });
    expect(created.status).toBe(201);
    checkoutPath = new URL(created.body.checkoutUrl as string).pathname;
  });

  afterAll(async () => {
    await server?.close();
  });

  const withKey = (): Record<string, string> => ({ 'x-api-key': server.apiKey });

  it('API JSON: list, create, refusal, and a path in other letter case', async () => {
    const list = await headersOf(server, 'GET', '/api/v1/payments', withKey());
    expect(list.status).toBe(200);
    expect(list.headers).toEqual({
      ...SECURITY,
      ...TRANSPORT,
      'cache-control': 'no-store',
      'content-type': JSON_TYPE,
      'content-length': '<varies>',
    });

    const create = await headersOf(
      server,
      'POST',
      '/api/v1/payments',
      { ...withKey(), 'content-type': 'application/json' },
      JSON.stringify(paymentBody()),
    );
    expect(create.status).toBe(201);
    expect(create.headers).toEqual({
      ...SECURITY,
      ...TRANSPORT,
      'cache-control': 'no-store',
      'content-type': JSON_TYPE,
      'content-length': '<varies>',
    });

    const refused = await headersOf(server, 'POST', '/api/v1/payments');
    expect(refused.status).toBe(401);
    expect(refused.headers).toEqual({
      ...SECURITY,
      ...TRANSPORT,
      'cache-control': 'no-store',
      'content-type': PROBLEM_TYPE,
      'content-length': '<varies>',
    });

    // Express matches mount paths regardless of letter case: so does `no-store`.
    const upper = await headersOf(server, 'GET', '/API/v1/payments', withKey());
    expect(upper.headers['cache-control']).toBe('no-store');
  });

  it('echoes a sane X-Request-Id and mints a fresh one otherwise', async () => {
    const echoed = await headersOf(server, 'GET', '/health/live', {
      'x-request-id': 'shop-42.a:b',
    });
    expect(echoed.requestId).toBe('shop-42.a:b');
    const minted = await headersOf(server, 'GET', '/health/live', { 'x-request-id': 'bad id' });
    expect(minted.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('dashboard: the page with its own policy, the callback, settings and assets', async () => {
    const settings = await headersOf(server, 'GET', '/dashboard/config.json');
    expect(settings.headers).toEqual({
      ...SECURITY,
      ...TRANSPORT,
      'cache-control': 'no-store',
      'content-type': JSON_TYPE,
      'content-length': '<varies>',
    });
    const missing = await headersOf(server, 'GET', '/dashboard/assets/none.js');
    expect(missing.status).toBe(404);
    expect(missing.headers).toEqual({
      ...SECURITY,
      ...TRANSPORT,
      'content-type': 'text/plain; charset=utf-8',
      'content-length': '<varies>',
    });

    const page = await headersOf(server, 'GET', '/dashboard');
    if (page.status === 503) {
      // Not built (`npm run build` builds it): the page says so, with the API's headers.
      expect(page.headers).toEqual({
        ...SECURITY,
        ...TRANSPORT,
        'cache-control': 'no-store',
        'content-type': 'text/plain; charset=utf-8',
        'content-length': '<varies>',
      });
      return;
    }
    const issuer = new URL(server.idp.issuer).origin;
    const pageHeaders = {
      ...SECURITY,
      ...TRANSPORT,
      'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ${issuer}; img-src 'self' data:; font-src 'self'; frame-src ${issuer}; frame-ancestors 'self'; base-uri 'none'; object-src 'none'; form-action 'self' ${issuer}`,
      'cross-origin-opener-policy': 'same-origin-allow-popups',
      'cache-control': 'no-store',
      'content-type': 'text/html; charset=utf-8',
      'accept-ranges': 'bytes',
      'last-modified': '<varies>',
      'content-length': '<varies>',
    };
    expect(page.status).toBe(200);
    expect(page.headers).toEqual(pageHeaders);
    const callback = await headersOf(server, 'GET', '/dashboard/callback');
    expect(callback.headers).toEqual({
      ...pageHeaders,
      'cross-origin-opener-policy': 'unsafe-none',
    });
  });

  it('swagger: the page and the document', async () => {
    const page = await headersOf(server, 'GET', '/swagger');
    expect(page.status).toBe(200);
    expect(page.headers).toEqual({
      ...SECURITY,
      ...TRANSPORT,
      'content-type': 'text/html; charset=utf-8',
      'content-length': '<varies>',
    });
    const document = await headersOf(server, 'GET', '/swagger/json');
    expect(document.status).toBe(200);
    expect(document.headers).toEqual({
      ...SECURITY,
      ...TRANSPORT,
      'content-type': JSON_TYPE,
      'content-length': '<varies>',
    });
  });

  it('webhooks: a delivery to an unknown account, a PayPal return', async () => {
    const delivery = await headersOf(
      server,
      'POST',
      '/webhooks/test/nope',
      { 'content-type': 'application/json' },
      '{}',
    );
    const paypal = await headersOf(server, 'GET', '/webhooks/paypal/nope?return=x');
    for (const answer of [delivery, paypal]) {
      expect(answer.status).toBe(404);
      expect(answer.headers).toEqual({
        ...SECURITY,
        ...TRANSPORT,
        'content-type': PROBLEM_TYPE,
        'content-length': '<varies>',
      });
    }
  });

  it('health, metrics, the test checkout page, an unknown path, a CORS preflight', async () => {
    for (const path of ['/health/live', '/health/ready']) {
      const health = await headersOf(server, 'GET', path);
      expect(health.status).toBe(200);
      expect(health.headers).toEqual({
        ...SECURITY,
        ...TRANSPORT,
        'content-type': JSON_TYPE,
        'content-length': '<varies>',
      });
    }
    const metrics = await headersOf(server, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers).toEqual({
      ...SECURITY,
      ...TRANSPORT,
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': '<varies>',
    });
    const checkout = await headersOf(server, 'GET', checkoutPath);
    expect(checkout.status).toBe(200);
    expect(checkout.headers).toEqual({
      ...SECURITY,
      ...TRANSPORT,
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action *",
      'content-type': 'text/html; charset=utf-8',
      'content-length': '<varies>',
    });
    const unknown = await headersOf(server, 'GET', '/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.headers).toEqual({
      ...SECURITY,
      ...TRANSPORT,
      'content-type': PROBLEM_TYPE,
      'content-length': '<varies>',
    });
    // CORS is closed by default: a preflight is just an unknown route under /api.
    const preflight = await headersOf(server, 'OPTIONS', '/api/v1/payments', {
      origin: 'https://shop.example',
      'access-control-request-method': 'POST',
    });
    expect(preflight.status).toBe(404);
    expect(preflight.headers).toEqual({
      ...SECURITY,
      ...TRANSPORT,
      'cache-control': 'no-store',
      'content-type': PROBLEM_TYPE,
      'content-length': '<varies>',
    });
  });
});
