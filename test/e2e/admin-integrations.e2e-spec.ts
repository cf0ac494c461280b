import { randomBytes } from 'node:crypto';
import { enabledDialects } from '../support/services';
import { paymentBody, startTestServer, TestServer } from '../support/test-server';
import { PAYMENTS_SCOPE } from '../support/test-idp';

describe.each(enabledDialects())('admin API: integrations and API keys (%s)', (dialect) => {
  let server: TestServer;
  let admin: string;
  const base = '/api/v1/admin/integrations';

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    admin = await server.adminToken();
  });

  afterAll(async () => {
    await server?.close();
  });

  const createIntegration = async (body: Record<string, unknown>) => {
    const response = await server.request('POST', base, { token: admin, body });
    expect(response.status).toBe(201);
    return response.body;
  };
  const createKey = async (integrationId: string) => {
    const response = await server.request('POST', `${base}/${integrationId}/api-keys`, {
      token: admin,
    });
    expect(response.status).toBe(201);
    return response.body as { id: string; key: string };
  };

  it('creates, gets, lists, updates and deletes an integration', async () => {
    const created = await createIntegration({ name: 'shop-a', defaultProviderAccountId: 'test' });
    expect(created).toMatchObject({
      name: 'shop-a',
      defaultProviderAccountId: 'test',
      oidcClientId: null,
      apiKeys: [],
    });
    expect(created.id).toMatch(/^int_/);

    const got = await server.request('GET', `${base}/${created.id}`, { token: admin });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created);

    const patched = await server.request('PATCH', `${base}/${created.id}`, {
      token: admin,
      body: {
        name: 'shop-a2',
        oidcClientId: `client-${created.id}`,
        defaultProviderAccountId: null,
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'shop-a2',
      oidcClientId: `client-${created.id}`,
      defaultProviderAccountId: null,
    });

    const list = await server.request('GET', `${base}?limit=100`, { token: admin });
    expect(list.body.data.find((i: { id: string }) => i.id === created.id)).toMatchObject({
      name: 'shop-a2',
    });

    expect((await server.request('DELETE', `${base}/${created.id}`, { token: admin })).status).toBe(
      204,
    );
    expect((await server.request('GET', `${base}/${created.id}`, { token: admin })).status).toBe(
      404,
    );
  });

  it('pages the list with nextCursor, newest first', async () => {
    const names = ['page-1', 'page-2', 'page-3'];
    for (const name of names) await createIntegration({ name });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = await server.request('GET', `${base}${query}`, { token: admin });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((i: { id: string }) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const all = await server.request('GET', `${base}?limit=100`, { token: admin });
    expect(seen).toEqual(all.body.data.map((i: { id: string }) => i.id));
  });

  it('refuses unknown fields, a missing name and an unknown provider account with 400 naming the field', async () => {
    const unknown = await server.request('POST', base, {
      token: admin,
      body: { name: 'x', colour: 'red' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'colour', message: 'is not a known field' }]);
    const missing = await server.request('POST', base, { token: admin, body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toContain('name');
    const account = await server.request('POST', base, {
      token: admin,
      body: { name: 'x', defaultProviderAccountId: 'pa_nope' },
    });
    expect(account.status).toBe(400);
    expect(account.body.errors[0].field).toBe('defaultProviderAccountId');
  });

  it('refuses an OIDC client id already linked to another integration (409)', async () => {
    const clientId = `dup-${randomBytes(4).toString('hex')}`;
    await createIntegration({ name: 'first', oidcClientId: clientId });
    const second = await server.request('POST', base, {
      token: admin,
      body: { name: 'second', oidcClientId: clientId },
    });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('oidc_client_id_in_use');
  });

  it('refuses a name another integration has (409 integration_name_in_use), on create and on rename', async () => {
    const name = `dupe-${randomBytes(4).toString('hex')}`;
    await createIntegration({ name });
    const second = await server.request('POST', base, { token: admin, body: { name } });
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toContain('application/problem+json');
    expect(second.body).toMatchObject({ code: 'integration_name_in_use', status: 409 });
    expect(second.body.detail).toContain(name);

    const other = await createIntegration({ name: `${name}-other` });
    const renamed = await server.request('PATCH', `${base}/${other.id}`, {
      token: admin,
      body: { name },
    });
    expect(renamed.status).toBe(409);
    expect(renamed.body.code).toBe('integration_name_in_use');
    const kept = await server.request('GET', `${base}/${other.id}`, { token: admin });
    expect(kept.body.name).toBe(`${name}-other`);
    // Its own name again is no conflict.
    const same = await server.request('PATCH', `${base}/${other.id}`, {
      token: admin,
      body: { name: `${name}-other` },
    });
    expect(same.status).toBe(200);
  });

  it('answers concurrent creates with one name with one 201 and 409 for the rest', async () => {
    const name = `race-${randomBytes(4).toString('hex')}`;
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        server.request('POST', base, { token: admin, body: { name } }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const answer of answers.filter((a) => a.status === 409))
      expect(answer.body.code).toBe('integration_name_in_use');
  });

  it('refuses null for the name on PATCH with 400 naming it, and still takes null for the optional links', async () => {
    const integration = await createIntegration({
      name: `nullable-${randomBytes(4).toString('hex')}`,
    });
    const response = await server.request('PATCH', `${base}/${integration.id}`, {
      token: admin,
      body: { name: null },
    });
    expect(response.status).toBe(400);
    expect(new Set(response.body.errors.map((e: { field: string }) => e.field))).toEqual(
      new Set(['name']),
    );
    const cleared = await server.request('PATCH', `${base}/${integration.id}`, {
      token: admin,
      body: { defaultProviderAccountId: null, oidcClientId: null },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ name: integration.name, oidcClientId: null });
  });

  it('shows a new API key once, stores only its hash, and lists only its prefix', async () => {
    const integration = await createIntegration({ name: 'keys', defaultProviderAccountId: 'test' });
    const { id, key } = await createKey(integration.id);
    expect(key).toMatch(/^psk_[A-Za-z0-9_-]{40,}$/);
    const payment = await server.request('POST', '/api/v1/payments', {
      apiKey: key,
      body: paymentBody(),
    });
    expect(payment.status).toBe(201);

    const got = await server.request('GET', `${base}/${integration.id}`, { token: admin });
    expect(got.body.apiKeys).toEqual([
      { id, prefix: key.slice(0, 8), createdAt: expect.any(String), revokedAt: null },
    ]);
    expect(JSON.stringify(got.body)).not.toContain(key);
    const rows = await server.dataSource.query(`SELECT * FROM api_keys WHERE id = '${id}'`);
    expect(JSON.stringify(rows)).not.toContain(key);
  });

  it('revokes an API key at once: the next request with it is 401', async () => {
    const integration = await createIntegration({
      name: 'revoke',
      defaultProviderAccountId: 'test',
    });
    const { id, key } = await createKey(integration.id);
    expect((await server.request('GET', '/api/v1/payments', { apiKey: key })).status).toBe(200);
    expect(
      (await server.request('DELETE', `${base}/${integration.id}/api-keys/${id}`, { token: admin }))
        .status,
    ).toBe(204);
    expect((await server.request('GET', '/api/v1/payments', { apiKey: key })).status).toBe(401);
    // Revoking again, or another integration's key, is 404.
    expect(
      (await server.request('DELETE', `${base}/${integration.id}/api-keys/${id}`, { token: admin }))
        .status,
    ).toBe(404);
    const got = await server.request('GET', `${base}/${integration.id}`, { token: admin });
    expect(got.body.apiKeys[0].revokedAt).toEqual(expect.any(String));
  });

  it("keeps integrations apart: A's key or token cannot read B's payment (404)", async () => {
    const clientA = `a-${randomBytes(4).toString('hex')}`;
    const clientB = `b-${randomBytes(4).toString('hex')}`;
    const a = await createIntegration({
      name: 'A',
      defaultProviderAccountId: 'test',
      oidcClientId: clientA,
    });
    const b = await createIntegration({
      name: 'B',
      defaultProviderAccountId: 'test',
      oidcClientId: clientB,
    });
    const keyA = (await createKey(a.id)).key;
    const keyB = (await createKey(b.id)).key;
    const tokenA = await server.clientToken(clientA, { scope: PAYMENTS_SCOPE });
    const tokenB = await server.clientToken(clientB, { scope: PAYMENTS_SCOPE });

    const paymentB = await server.request('POST', '/api/v1/payments', {
      apiKey: keyB,
      body: paymentBody(),
    });
    expect(paymentB.status).toBe(201);
    const path = `/api/v1/payments/${paymentB.body.id}`;
    expect((await server.request('GET', path, { apiKey: keyB })).status).toBe(200);
    expect((await server.request('GET', path, { token: tokenB })).status).toBe(200);
    expect((await server.request('GET', path, { apiKey: keyA })).status).toBe(404);
    expect((await server.request('GET', path, { token: tokenA })).status).toBe(404);
    expect((await server.request('GET', `${path}/events`, { token: tokenA })).status).toBe(404);
    expect((await server.request('POST', `${path}/cancel`, { token: tokenA })).status).toBe(404);
    const listA = await server.request('GET', '/api/v1/payments', { token: tokenA });
    expect(listA.body.data.map((p: { id: string }) => p.id)).not.toContain(paymentB.body.id);
  });

  it('refuses to delete an integration that has payments (409) and deletes one without', async () => {
    const used = await createIntegration({ name: 'used', defaultProviderAccountId: 'test' });
    const { key } = await createKey(used.id);
    expect(
      (await server.request('POST', '/api/v1/payments', { apiKey: key, body: paymentBody() }))
        .status,
    ).toBe(201);
    const refused = await server.request('DELETE', `${base}/${used.id}`, { token: admin });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('integration_has_payments');

    const unused = await createIntegration({ name: 'unused' });
    const unusedKey = (await createKey(unused.id)).key;
    const rule = await server.request('POST', '/api/v1/admin/routing-rules', {
      token: admin,
      body: {
        integrationId: unused.id,
        name: 'its own',
        priority: 1,
        targets: [{ providerAccountId: 'test', weight: 1 }],
      },
    });
    expect(rule.body).toMatchObject({ integrationId: unused.id });
    const endpoint = await server.request('POST', '/api/v1/admin/notification-endpoints', {
      token: admin,
      body: {
        integrationId: unused.id,
        type: 'webhook',
        url: 'https://93.184.215.14/hooks',
        events: ['payment.status_changed'],
      },
    });
    expect(endpoint.body).toMatchObject({ integrationId: unused.id });
    expect((await server.request('DELETE', `${base}/${unused.id}`, { token: admin })).status).toBe(
      204,
    );
    expect((await server.request('GET', '/api/v1/payments', { apiKey: unusedKey })).status).toBe(
      401,
    );
    // Its routing rules and notification endpoints went with it.
    expect(
      (await server.request('GET', `/api/v1/admin/routing-rules/${rule.body.id}`, { token: admin }))
        .status,
    ).toBe(404);
    expect(
      (
        await server.request('GET', `/api/v1/admin/notification-endpoints/${endpoint.body.id}`, {
          token: admin,
        })
      ).status,
    ).toBe(404);
  });

  it('answers 404 for an unknown integration', async () => {
    for (const [method, path] of [
      ['GET', `${base}/int_nope`],
      ['PATCH', `${base}/int_nope`],
      ['DELETE', `${base}/int_nope`],
      ['POST', `${base}/int_nope/api-keys`],
    ]) {
      const response = await server.request(method, path, {
        token: admin,
        body: method === 'PATCH' ? { name: 'x' } : undefined,
      });
      expect(response.status).toBe(404);
    }
  });

  it('refuses every admin route to a token without the admin scope (403) and to an API key (401)', async () => {
    const weak = await server.adminToken({ scope: PAYMENTS_SCOPE });
    for (const [method, path] of [
      ['GET', base],
      ['POST', base],
      ['GET', `${base}/int_x`],
      ['PATCH', `${base}/int_x`],
      ['DELETE', `${base}/int_x`],
      ['POST', `${base}/int_x/api-keys`],
      ['DELETE', `${base}/int_x/api-keys/key_x`],
    ]) {
      const body = ['POST', 'PATCH'].includes(method) ? { name: 'x' } : undefined;
      expect((await server.request(method, path, { token: weak, body })).status).toBe(403);
      expect((await server.request(method, path, { body })).status).toBe(401);
    }
  });
});
