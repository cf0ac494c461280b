import { startTestServer, TestServer } from '../support/test-server';
import { signedTestWebhook } from '../support/perimeter';

describe('hardening: headers, body limit, CORS', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('sends the security headers and no X-Powered-By', async () => {
    const response = await server.request('GET', '/api/v1/payments');
    expect(response.status).toBe(200);
    const h = response.headers;
    expect(h.get('x-content-type-options')).toBe('nosniff');
    expect(h.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(h.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(h.get('content-security-policy')).toContain("default-src 'self'");
    expect(h.get('referrer-policy')).toBe('no-referrer');
    expect(h.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(h.get('cache-control')).toBe('no-store');
    expect(h.get('x-powered-by')).toBeNull();
  });

  it('sends them on errors too', async () => {
    const response = await server.request('GET', '/api/v1/payments', { apiKey: null });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('answers 413 problem+json to a JSON body over the limit', async () => {
    const big = JSON.stringify({ description: 'x'.repeat(1024 * 1024 + 10) });
    const response = await server.request('POST', '/api/v1/payments', { body: big });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('answers 413 problem+json to a webhook body over the limit, and stores nothing', async () => {
    const before = await server.dataSource.query('SELECT COUNT(*) AS n FROM webhook_deliveries');
    const response = await fetch(`${server.baseUrl}/webhooks/test/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(1024 * 1024 + 10),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(((await response.json()) as { code: string }).code).toBe('payload_too_large');
    const after = await server.dataSource.query('SELECT COUNT(*) AS n FROM webhook_deliveries');
    expect(Number(after[0].n)).toBe(Number(before[0].n));
  });

  it('takes JSON only on the API: a form-encoded body is 415, not read', async () => {
    const response = await fetch(`${server.baseUrl}/api/v1/admin/integrations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await server.adminToken()}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'name=form-shop',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('keeps CORS closed by default: no Access-Control-Allow-Origin, preflight not granted', async () => {
    const simple = await fetch(`${server.baseUrl}/api/v1/payments`, {
      headers: { origin: 'https://evil.example', 'x-api-key': server.apiKey },
    });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server.baseUrl}/api/v1/payments`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-api-key',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
  });
});

describe('hardening: configured CORS origins and rate limits', () => {
  let server: TestServer;
  const dashboard = 'https://dashboard.example.com';

  beforeAll(async () => {
    server = await startTestServer({
      env: {
        PAYMENTSERVER_CORS_ORIGINS: dashboard,
        PAYMENTSERVER_WEBHOOK_RATE_LIMIT: '3',
        PAYMENTSERVER_AUTH_FAILURE_RATE_LIMIT: '3',
      },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('allows exactly the configured origin', async () => {
    const preflight = await fetch(`${server.baseUrl}/api/v1/admin/integrations`, {
      method: 'OPTIONS',
      headers: {
        origin: dashboard,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(dashboard);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'authorization',
    );
    const other = await fetch(`${server.baseUrl}/api/v1/payments`, {
      headers: { origin: 'https://evil.example', 'x-api-key': server.apiKey },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  // The server trusts X-Forwarded-For only from a loopback peer (a local reverse proxy), which
  // is how these tests present several client addresses.
  const fromIp = (ip: string, headers: Record<string, string> = {}) => ({
    ...headers,
    'x-forwarded-for': ip,
  });

  it('limits webhook requests per source IP: 429 problem+json with Retry-After, other addresses unaffected', async () => {
    const webhook = await signedTestWebhook(server);
    const post = (ip: string, signature = 'v1=bad') =>
      fetch(`${server.baseUrl}/webhooks/test/test`, {
        method: 'POST',
        headers: fromIp(ip, { 'content-type': 'application/json', 'test-signature': signature }),
        body: webhook.body,
      });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post('203.0.113.7')).status);
    expect(statuses).toEqual([401, 401, 401]);
    const limited = await post('203.0.113.7', webhook.signature);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(((await limited.json()) as { code: string }).code).toBe('rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // The limited delivery was not applied; the same delivery from another address is.
    expect((await server.request('GET', `/api/v1/payments/${webhook.paymentId}`)).body.status).toBe(
      'pending',
    );
    expect((await post('203.0.113.8', webhook.signature)).status).toBe(200);
    expect((await server.request('GET', `/api/v1/payments/${webhook.paymentId}`)).body.status).toBe(
      'paid',
    );
  });

  it('answers 429 with Retry-After after repeated failed authentication from one address, even to valid credentials', async () => {
    const ip = '198.51.100.23';
    for (let i = 0; i < 3; i++) {
      const response = await server.request('GET', '/api/v1/payments', {
        apiKey: `psk_wrong_${i}`,
        headers: fromIp(ip),
      });
      expect(response.status).toBe(401);
    }
    const blocked = await server.request('GET', '/api/v1/payments', { headers: fromIp(ip) });
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const adminBlocked = await server.request('GET', '/api/v1/admin/integrations', {
      token: 'not.a.token',
      headers: fromIp(ip),
    });
    expect(adminBlocked.status).toBe(429);
    // Another address with the valid key is unaffected.
    expect(
      (await server.request('GET', '/api/v1/payments', { headers: fromIp('198.51.100.24') }))
        .status,
    ).toBe(200);
  });

  it('counts only failures: successful requests never use up the allowance', async () => {
    const ip = '198.51.100.50';
    for (let i = 0; i < 6; i++) {
      expect(
        (await server.request('GET', '/api/v1/payments', { headers: fromIp(ip) })).status,
      ).toBe(200);
    }
  });

  it('does not count a valid token without the admin scope (403) as a failed authentication', async () => {
    const ip = '198.51.100.60';
    const token = await server.adminToken({ scope: 'paymentserver:payments' });
    for (let i = 0; i < 5; i++) {
      const response = await server.request('GET', '/api/v1/admin/integrations', {
        token,
        headers: fromIp(ip),
      });
      expect(response.status).toBe(403);
    }
  });

  it('does not limit the public health routes', async () => {
    const ip = '198.51.100.23'; // blocked above for authentication
    expect((await fetch(`${server.baseUrl}/health/live`, { headers: fromIp(ip) })).status).toBe(
      200,
    );
  });
});
