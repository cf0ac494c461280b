import { paymentBody, startTestServer, TestServer } from '../support/test-server';
import { INTERNAL_ROUTES, rawHttp, rawRequest, signedTestWebhook } from '../support/perimeter';

describe('the public listener (PAYMENTSERVER_PUBLIC_PORT) serves only /webhooks/*', () => {
  let server: TestServer;
  let publicPort: number;

  beforeAll(async () => {
    server = await startTestServer({ env: { PAYMENTSERVER_PUBLIC_PORT: '0' } });
    publicPort = server.server.publicPort!;
  });

  afterAll(async () => {
    await server?.close();
  });

  const publicFetch = (path: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${publicPort}${path}`, { redirect: 'manual', ...init });

  it('accepts a correctly signed provider webhook and applies it', async () => {
    const webhook = await signedTestWebhook(server);
    const response = await publicFetch('/webhooks/test/test', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'test-signature': webhook.signature },
      body: webhook.body,
    });
    expect(response.status).toBe(200);
    expect((await server.request('GET', `/api/v1/payments/${webhook.paymentId}`)).body.status).toBe(
      'paid',
    );
  });

  it('answers 401 to a webhook whose signature does not verify, and changes nothing', async () => {
    const webhook = await signedTestWebhook(server);
    const response = await publicFetch('/webhooks/test/test', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'test-signature': webhook.signature },
      body: webhook.body.replace('"paid"', '"failed"'),
    });
    expect(response.status).toBe(401);
    expect((await server.request('GET', `/api/v1/payments/${webhook.paymentId}`)).body.status).toBe(
      'pending',
    );
  });

  it('keeps serving webhooks on the internal listener too', async () => {
    const webhook = await signedTestWebhook(server);
    const response = await fetch(`${server.baseUrl}/webhooks/test/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'test-signature': webhook.signature },
      body: webhook.body,
    });
    expect(response.status).toBe(200);
  });

  it.each([
    ...INTERNAL_ROUTES,
    '/webhooks',
    '/webhooks/',
    '/webhooks/test',
    '/webhooks/test/test/',
    '/WEBHOOKS/test/test',
  ])('answers 404 problem+json to GET %s, even with valid credentials', async (path) => {
    const response = await publicFetch(path, { headers: { 'x-api-key': server.apiKey } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(((await response.json()) as { code: string }).code).toBe('not_found');
  });

  it('answers 404 to an admin route with a valid admin token', async () => {
    const response = await publicFetch('/api/v1/admin/integrations', {
      headers: { authorization: `Bearer ${await server.adminToken()}` },
    });
    expect(response.status).toBe(404);
  });

  it('answers 404 to creating a payment with a valid API key, and creates nothing', async () => {
    const reference = `public-${Date.now()}`;
    const response = await publicFetch('/api/v1/payments', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': server.apiKey },
      body: JSON.stringify(paymentBody({ reference })),
    });
    expect(response.status).toBe(404);
    const list = await server.request('GET', `/api/v1/payments?reference=${reference}`);
    expect(list.body.data).toEqual([]);
  });

  // Request targets that some parser or router might read as an internal route.
  it.each([
    ['GET', '/webhooks/../api/v1/payments'],
    ['GET', '/webhooks/test/../../api/v1/payments'],
    ['GET', '/webhooks/%2e%2e/api/v1/payments'],
    ['GET', '/webhooks/test/%2e%2e%2f%2e%2e%2fapi%2fv1%2fpayments'],
    ['GET', '/%2e%2e/api/v1/payments'],
    ['GET', '/%2fapi/v1/payments'],
    ['GET', '/webhooks%2f..%2fapi/v1/payments'],
    ['GET', '/webhooks/test/test%2f..%2f..%2fhealth%2flive'],
    ['GET', '/webhooks/test/test/..;/..;/api/v1/payments'],
    ['GET', '/webhooks\\..\\api\\v1\\payments'],
    ['GET', '//api/v1/payments'],
    ['GET', '//webhooks/../api/v1/payments'],
    ['GET', '/./api/v1/payments'],
    ['GET', 'http://localhost/api/v1/payments'],
    ['GET', 'http://localhost:28888/webhooks/../api/v1/payments'],
    ['GET', 'http://localhost/webhooks/test/test'],
    ['GET', '*'],
    ['OPTIONS', '*'],
    ['OPTIONS', '/api/v1/payments'],
    ['HEAD', '/api/v1/payments'],
    ['HEAD', '/health/live'],
    ['GET', '/swagger/json'],
    ['GET', '/api/v1/payments?next=/webhooks/test/test'],
    ['GET', '/api/v1/payments#/webhooks/test/test'],
    ['PUT', '/webhooks/test/test'],
    ['DELETE', '/webhooks/test/test'],
  ])('answers 404 to the raw request target %s %s', async (method, target) => {
    const response = await rawRequest(publicPort, method, target, { 'X-Api-Key': server.apiKey });
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).not.toContain('"data"');
  });

  it('never serves a malformed request target (Node refuses it with 400)', async () => {
    const response = await rawRequest(publicPort, 'GET', 'localhost/api/v1/payments', {
      'X-Api-Key': server.apiKey,
    });
    expect(response.status).toBe(400);
    expect(response.body).not.toContain('"data"');
  });

  it('answers 404 to an absolute-form POST that would create a payment', async () => {
    const body = JSON.stringify(paymentBody());
    const response = await rawHttp(
      publicPort,
      `POST http://localhost/api/v1/payments HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n` +
        `Content-Type: application/json\r\nX-Api-Key: ${server.apiKey}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    expect(response.status).toBe(404);
  });

  it('answers the same raw request on the internal listener (so the refusals above are about the listener)', async () => {
    const response = await rawRequest(server.port, 'GET', '/api/v1/payments', {
      'X-Api-Key': server.apiKey,
    });
    expect(response.status).toBe(200);
  });

  it('filters every request of a pipelined connection, not only the first', async () => {
    const response = await rawHttp(
      publicPort,
      'POST /webhooks/test/test HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}' +
        `GET /api/v1/payments HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: ${server.apiKey}\r\nConnection: close\r\n\r\n`,
    );
    expect(response.status).toBe(401); // the webhook, unsigned
    expect(response.body).toMatch(/HTTP\/1\.1 404 /); // the API request behind it
    expect(response.body).not.toContain('"data"');
  });

  it('does not let a request hide in a webhook body (Content-Length and Transfer-Encoding together)', async () => {
    const smuggled = `GET /api/v1/payments HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: ${server.apiKey}\r\n\r\n`;
    const response = await rawHttp(
      publicPort,
      'POST /webhooks/test/test HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${5 + smuggled.length}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n${smuggled}`,
    );
    expect(response.status).toBe(400); // Node's parser refuses the ambiguous framing outright
    expect(response.body).not.toContain('"data"');
  });
});
