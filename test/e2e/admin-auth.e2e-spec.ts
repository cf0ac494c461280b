import { randomBytes } from 'node:crypto';
import { paymentBody, startTestServer, TestServer } from '../support/test-server';
import { PAYMENTS_SCOPE } from '../support/test-idp';

describe('admin authentication with OIDC access tokens (real oidc-provider)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('lets a client_credentials token with scope paymentserver:admin list integrations', async () => {
    const response = await server.request('GET', '/api/v1/admin/integrations', {
      token: await server.adminToken(),
    });
    expect(response.status).toBe(200);
    expect(response.body.data.map((i: { name: string }) => i.name)).toContain('default');
    expect(response.body.nextCursor).toBeNull();
  });

  it('lets a token with role admin in the roles claim in', async () => {
    const response = await server.request('GET', '/api/v1/admin/integrations', {
      token: await server.adminToken({ roles: ['admin'] }),
    });
    expect(response.status).toBe(200);
  });

  it('is 401 problem+json without a token, even with a valid API key', async () => {
    const response = await server.request('GET', '/api/v1/admin/integrations');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.code).toBe('unauthorized');
  });

  it('is 403 for a valid token without the admin scope or role', async () => {
    const token = await server.adminToken({ scope: PAYMENTS_SCOPE });
    const response = await server.request('GET', '/api/v1/admin/integrations', { token });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('forbidden');
    const roleOnly = await server.adminToken({ roles: ['guest'] });
    expect(
      (await server.request('GET', '/api/v1/admin/integrations', { token: roleOnly })).status,
    ).toBe(403);
  });

  it('is 401 for a token that is not a JWT', async () => {
    const response = await server.request('GET', '/api/v1/admin/integrations', {
      token: 'not-a-token',
    });
    expect(response.status).toBe(401);
  });

  it('accepts on the payment API a token whose client is linked to an integration, acting as it', async () => {
    const clientId = `shop-${randomBytes(4).toString('hex')}`;
    const admin = await server.adminToken();
    const created = await server.request('POST', '/api/v1/admin/integrations', {
      token: admin,
      body: { name: 'token shop', defaultProviderAccountId: 'test', oidcClientId: clientId },
    });
    expect(created.status).toBe(201);
    const token = await server.clientToken(clientId, { scope: PAYMENTS_SCOPE });
    const payment = await server.request('POST', '/api/v1/payments', {
      token,
      body: paymentBody(),
    });
    expect(payment.status).toBe(201);
    expect(
      (await server.request('GET', `/api/v1/payments/${payment.body.id}`, { token })).status,
    ).toBe(200);
    // The bootstrap integration does not see it.
    expect((await server.request('GET', `/api/v1/payments/${payment.body.id}`)).status).toBe(404);
  });

  it('is 403 on the payment API for a valid token whose client is linked to no integration', async () => {
    const token = await server.clientToken(`stranger-${randomBytes(4).toString('hex')}`);
    const response = await server.request('GET', '/api/v1/payments', { token });
    expect(response.status).toBe(403);
  });
});
