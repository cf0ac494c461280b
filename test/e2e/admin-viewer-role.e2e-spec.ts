import { randomBytes } from 'node:crypto';
import { paymentBody, startTestServer, submitCheckout, TestServer } from '../support/test-server';
import { READ_SCOPE } from '../support/test-idp';

interface Operation {
  method: string;
  path: string;
}

describe('read-only admin role (scope paymentserver:read or role viewer)', () => {
  let server: TestServer;
  let admin: string;
  const scopeClient = `viewer-scope-${randomBytes(3).toString('hex')}`;
  let viewers: [string, string][];
  let operations: Operation[];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer();
    admin = await server.adminToken();
    viewers = [
      ['scope paymentserver:read', await server.clientToken(scopeClient, { scope: READ_SCOPE })],
      ['role viewer', await server.adminToken({ roles: ['viewer'] })],
    ];
    const post = async (path: string, body: unknown) => {
      const response = await server.request('POST', path, { token: admin, body });
      expect(response.status).toBe(201);
      return response.body;
    };
    ids.integration = (await post('/api/v1/admin/integrations', { name: 'viewed shop' })).id;
    ids.key = (await post(`/api/v1/admin/integrations/${ids.integration}/api-keys`, {})).id;
    ids.account = (
      await post('/api/v1/admin/provider-accounts', {
        provider: 'test',
        name: 'viewed account',
        credentials: {},
      })
    ).id;
    ids.rule = (
      await post('/api/v1/admin/routing-rules', {
        name: 'viewed rule',
        priority: 10,
        targets: [{ providerAccountId: ids.account, weight: 100 }],
      })
    ).id;
    ids.endpoint = (
      await post('/api/v1/admin/notification-endpoints', {
        integrationId: ids.integration,
        type: 'webhook',
        url: 'http://127.0.0.1:9/hook',
        events: ['payment.status_changed'],
      })
    ).id;
    const payment = (await server.request('POST', '/api/v1/payments', { body: paymentBody() }))
      .body;
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    ids.payment = payment.id;

    const document = await fetch(`${server.baseUrl}/swagger/json`).then((r) => r.json());
    operations = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/api/v1/admin/'))
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
      );
  });

  afterAll(async () => {
    await server?.close();
  });

  /** The path with each parameter filled with an object that exists (or a well-formed unknown id). */
  const concrete = (path: string) => {
    const resource = /\/admin\/([^/]+)/.exec(path)![1];
    const idFor: Record<string, string> = {
      integrations: ids.integration,
      'provider-accounts': ids.account,
      'routing-rules': ids.rule,
      'notification-endpoints': ids.endpoint,
      payments: ids.payment,
    };
    return path
      .replace('{keyId}', ids.key)
      .replace('{deliveryId}', 'nd_unknown000000000000000000')
      .replace('{id}', idFor[resource] ?? `${resource.slice(0, 3)}_unknown0000000000000000000`);
  };

  /** Every route but a GET: a read-only token may call none of them (CONTRACT.md). */
  const writes = () => operations.filter((o) => o.method !== 'GET');

  it('finds every admin route in the OpenAPI document, the writes among them', () => {
    const names = writes().map((o) => `${o.method} ${o.path}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /api/v1/admin/provider-accounts',
        'PATCH /api/v1/admin/provider-accounts/{id}',
        'DELETE /api/v1/admin/provider-accounts/{id}',
        'POST /api/v1/admin/integrations/{id}/api-keys',
        'DELETE /api/v1/admin/integrations/{id}/api-keys/{keyId}',
        'POST /api/v1/admin/payments/{id}/refunds',
        'POST /api/v1/admin/payments/{id}/capture',
        'POST /api/v1/admin/payments/{id}/cancel',
        'POST /api/v1/admin/routing-rules',
        'POST /api/v1/admin/notification-endpoints/{id}/rotate-secret',
        'POST /api/v1/admin/provider-webhooks/{id}/replay',
        'POST /api/v1/admin/routing/simulate',
      ]),
    );
    expect(names.length).toBeGreaterThanOrEqual(20);
    expect(operations.filter((o) => o.method === 'GET').length).toBeGreaterThanOrEqual(15);
  });

  it.each([
    { which: 0, name: 'scope paymentserver:read' },
    { which: 1, name: 'role viewer' },
  ])('answers every admin GET to a token with $name as it answers an admin', async ({ which }) => {
    const [, token] = viewers[which];
    for (const operation of operations.filter((o) => o.method === 'GET')) {
      const path = concrete(operation.path);
      const asAdmin = await server.request('GET', path, { token: admin });
      const asViewer = await server.request('GET', path, { token });
      expect({ path, status: asViewer.status }).toEqual({ path, status: asAdmin.status });
      expect([401, 403]).not.toContain(asViewer.status);
      // The same data (only /me tells the callers apart).
      if (asAdmin.status === 200 && !path.endsWith('/me'))
        expect(asViewer.body).toEqual(asAdmin.body);
    }
    // The lists and the objects made above are all there for the viewer.
    for (const path of [
      '/api/v1/admin/integrations',
      '/api/v1/admin/provider-accounts',
      `/api/v1/admin/provider-accounts/${ids.account}`,
      `/api/v1/admin/payments/${ids.payment}`,
      '/api/v1/admin/routing-rules',
      `/api/v1/admin/notification-endpoints/${ids.endpoint}`,
      '/api/v1/admin/audit-events',
      '/api/v1/admin/me',
    ]) {
      expect({ path, status: (await server.request('GET', path, { token })).status }).toEqual({
        path,
        status: 200,
      });
    }
  });

  it.each([
    { which: 0, name: 'scope paymentserver:read' },
    { which: 1, name: 'role viewer' },
  ])(
    'refuses a token with $name every route but a GET with 403 problem+json, changes nothing, and audits each attempt',
    async ({ which }) => {
      const [, token] = viewers[which];
      const before = (
        await server.request('GET', '/api/v1/admin/audit-events?limit=100', {
          token: admin,
        })
      ).body.data.length;
      for (const operation of writes()) {
        const path = concrete(operation.path);
        const response = await server.request(operation.method, path, {
          token,
          body: { name: 'changed by a viewer', amount: { value: 100, currency: 'EUR' } },
        });
        expect({ route: `${operation.method} ${path}`, status: response.status }).toEqual({
          route: `${operation.method} ${path}`,
          status: 403,
        });
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        expect(response.body.code).toBe('forbidden');
        expect(response.body.detail).toContain('may only read');
      }
      // Nothing changed.
      const account = await server.request(
        'GET',
        `/api/v1/admin/provider-accounts/${ids.account}`,
        {
          token: admin,
        },
      );
      expect(account.body.name).toBe('viewed account');
      const integration = await server.request(
        'GET',
        `/api/v1/admin/integrations/${ids.integration}`,
        {
          token: admin,
        },
      );
      expect(integration.body.name).toBe('viewed shop');
      expect(integration.body.apiKeys.find((k: any) => k.id === ids.key).revokedAt).toBeNull();
      const payment = await server.request('GET', `/api/v1/admin/payments/${ids.payment}`, {
        token: admin,
      });
      expect(payment.body).toMatchObject({ status: 'paid', amountRefunded: 0 });
      // One failed audit event per attempt.
      const after = (
        await server.request('GET', '/api/v1/admin/audit-events?limit=100&outcome=failed', {
          token: admin,
        })
      ).body.data;
      const refused = after.filter((e: any) => e.failureCode === 'forbidden');
      expect(refused.length).toBeGreaterThanOrEqual(writes().length * (which + 1));
      expect(
        (await server.request('GET', '/api/v1/admin/audit-events?limit=100', { token: admin })).body
          .data.length,
      ).toBe(before + writes().length);
    },
  );

  it('tells each caller who it is and whether it may write (GET /api/v1/admin/me)', async () => {
    const asAdmin = await server.request('GET', '/api/v1/admin/me', { token: admin });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body).toMatchObject({
      clientId: 'test-admin',
      scopes: expect.arrayContaining(['paymentserver:admin']),
      canWrite: true,
    });
    const byScope = await server.request('GET', '/api/v1/admin/me', { token: viewers[0][1] });
    expect(byScope.body).toMatchObject({
      clientId: scopeClient,
      scopes: ['paymentserver:read'],
      roles: [],
      canWrite: false,
    });
    const byRole = await server.request('GET', '/api/v1/admin/me', { token: viewers[1][1] });
    expect(byRole.body).toMatchObject({ roles: ['viewer'], canWrite: false });
    expect(byRole.body.scopes).not.toContain('paymentserver:admin');
    // A token with neither gets no answer.
    const stranger = await server.clientToken(`stranger-${randomBytes(3).toString('hex')}`, {
      scope: 'paymentserver:payments',
    });
    expect((await server.request('GET', '/api/v1/admin/me', { token: stranger })).status).toBe(403);
  });

  it('still lets a token with both the admin scope and the viewer role write', async () => {
    const both = await server.adminToken({ scope: 'paymentserver:admin', roles: ['viewer'] });
    const response = await server.request('PATCH', `/api/v1/admin/routing-rules/${ids.rule}`, {
      token: both,
      body: { name: 'renamed by an admin' },
    });
    expect(response.status).toBe(200);
    expect((await server.request('GET', '/api/v1/admin/me', { token: both })).body.canWrite).toBe(
      true,
    );
  });
});
