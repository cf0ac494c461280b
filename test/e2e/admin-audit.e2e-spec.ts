import { randomBytes } from 'node:crypto';
import { enabledDialects } from '../support/services';
import { paymentBody, startTestServer, submitCheckout, TestServer } from '../support/test-server';
import { READ_SCOPE } from '../support/test-idp';
import { AuditService } from '../../src/audit/audit.service';
import { RetentionService } from '../../src/retention/retention.service';
import { TestProvider } from '../../src/providers/test/test.provider';
import { ProviderError } from '../../src/providers/provider-error';

const AUDIT = '/api/v1/admin/audit-events';
const ACCOUNTS = '/api/v1/admin/provider-accounts';
const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(enabledDialects())('admin audit log (%s)', (dialect) => {
  let server: TestServer;
  let admin: string;
  let viewer: string;
  const viewerClient = `audit-viewer-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    admin = await server.adminToken();
    viewer = await server.clientToken(viewerClient, { scope: READ_SCOPE });
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await server?.close();
  });

  /** The audit events of one request, found by the X-Request-Id it was answered with. */
  const eventsOf = async (response: { headers: Headers }) => {
    const requestId = response.headers.get('x-request-id')!;
    const all = await server.request('GET', `${AUDIT}?limit=100`, { token: admin });
    expect(all.status).toBe(200);
    return all.body.data.filter((e: any) => e.correlationId === requestId);
  };
  const onlyEventOf = async (response: { headers: Headers }) => {
    const events = await eventsOf(response);
    expect(events).toHaveLength(1);
    return events[0];
  };
  const createAccount = (name: string, secret = 'top-secret-1') =>
    server.request('POST', ACCOUNTS, {
      token: admin,
      body: { provider: 'test', name, credentials: { note: secret }, settings: {} },
    });

  it('records a provider account create, update and delete with field names, never values', async () => {
    const created = await createAccount('audited', 'secret-at-create');
    expect(created.status).toBe(201);
    const id = created.body.id;
    const createEvent = await onlyEventOf(created);
    expect(createEvent).toEqual({
      id: expect.stringMatching(/^aud_/),
      at: expect.any(String),
      actor: { sub: expect.any(String), clientId: 'test-admin', ip: expect.any(String) },
      action: 'provider_account.create',
      targetType: 'provider_account',
      targetId: id,
      outcome: 'succeeded',
      failureCode: null,
      changedFields: ['credentials', 'name', 'provider', 'settings'],
      correlationId: created.headers.get('x-request-id'),
    });

    const updated = await server.request('PATCH', `${ACCOUNTS}/${id}`, {
      token: admin,
      body: { credentials: { note: 'secret-at-update' }, enabled: false },
    });
    expect(updated.status).toBe(200);
    const updateEvent = await onlyEventOf(updated);
    expect(updateEvent).toMatchObject({
      action: 'provider_account.update',
      targetId: id,
      outcome: 'succeeded',
      changedFields: ['credentials', 'enabled'],
    });

    const deleted = await server.request('DELETE', `${ACCOUNTS}/${id}`, { token: admin });
    expect(deleted.status).toBe(204);
    expect(await onlyEventOf(deleted)).toMatchObject({
      action: 'provider_account.delete',
      targetId: id,
      outcome: 'succeeded',
    });

    // Nowhere in the log, nor in its table.
    const everything = await server.request('GET', `${AUDIT}?limit=100`, { token: admin });
    const rows = await server.dataSource.query('SELECT * FROM audit_events');
    for (const text of [JSON.stringify(everything.body), JSON.stringify(rows)]) {
      expect(text).not.toContain('secret-at-create');
      expect(text).not.toContain('secret-at-update');
    }
  });

  it('records an API key created and revoked, with the key as target and never the key', async () => {
    const integration = (
      await server.request('POST', '/api/v1/admin/integrations', {
        token: admin,
        body: { name: `audited shop ${randomBytes(3).toString('hex')}` },
      })
    ).body;
    const created = await server.request(
      'POST',
      `/api/v1/admin/integrations/${integration.id}/api-keys`,
      { token: admin },
    );
    expect(created.status).toBe(201);
    const keyId = created.body.id;
    const createEvent = await onlyEventOf(created);
    expect(createEvent).toMatchObject({
      action: 'api_key.create',
      targetType: 'api_key',
      targetId: keyId,
      outcome: 'succeeded',
    });
    expect(JSON.stringify(createEvent)).not.toContain(created.body.key);

    const revoked = await server.request(
      'DELETE',
      `/api/v1/admin/integrations/${integration.id}/api-keys/${keyId}`,
      { token: admin },
    );
    expect(revoked.status).toBe(204);
    expect(await onlyEventOf(revoked)).toMatchObject({
      action: 'api_key.revoke',
      targetId: keyId,
      outcome: 'succeeded',
    });
    // Revoking it again is a 404, recorded as a failed attempt.
    const again = await server.request(
      'DELETE',
      `/api/v1/admin/integrations/${integration.id}/api-keys/${keyId}`,
      { token: admin },
    );
    expect(again.status).toBe(404);
    expect(await onlyEventOf(again)).toMatchObject({
      action: 'api_key.revoke',
      targetId: keyId,
      outcome: 'failed',
      failureCode: 'not_found',
    });
    const keys = await server.dataSource.query('SELECT * FROM audit_events');
    expect(JSON.stringify(keys)).not.toContain(created.body.key);
  });

  it('records a refund made through the admin API against the payment', async () => {
    const payment = (await server.request('POST', '/api/v1/payments', { body: paymentBody() }))
      .body;
    await submitCheckout(payment.checkoutUrl, { outcome: 'paid' });
    const refund = await server.request('POST', `/api/v1/admin/payments/${payment.id}/refunds`, {
      token: admin,
      body: { amount: { value: 300, currency: 'EUR' }, reason: 'goodwill' },
    });
    expect(refund.status).toBe(201);
    expect(await onlyEventOf(refund)).toMatchObject({
      action: 'payment.refund',
      targetType: 'payment',
      targetId: payment.id,
      outcome: 'succeeded',
      changedFields: ['amount', 'reason'],
    });
    // The shop's own refunds are not admin actions.
    const shopRefund = await server.request('POST', `/api/v1/payments/${payment.id}/refunds`, {
      body: { amount: { value: 100, currency: 'EUR' } },
    });
    expect(shopRefund.status).toBe(201);
    expect(await eventsOf(shopRefund)).toEqual([]);
    // More than is left: refused with 422, recorded as failed.
    const tooMuch = await server.request('POST', `/api/v1/admin/payments/${payment.id}/refunds`, {
      token: admin,
      body: { amount: { value: 5000, currency: 'EUR' } },
    });
    expect(tooMuch.status).toBe(422);
    expect(await onlyEventOf(tooMuch)).toMatchObject({
      action: 'payment.refund',
      targetId: payment.id,
      outcome: 'failed',
      failureCode: 'refund_exceeds_available',
    });

    // Refused by the provider after the refund was recorded: the one event turns failed.
    const provider = server.server.app.get(TestProvider);
    jest
      .spyOn(provider, 'refund')
      .mockRejectedValueOnce(new ProviderError('declined', 'refund declined by the bank', 422));
    const declined = await server.request('POST', `/api/v1/admin/payments/${payment.id}/refunds`, {
      token: admin,
      body: { amount: { value: 200, currency: 'EUR' } },
    });
    expect(declined.status).toBe(422);
    expect(declined.body.code).toBe('provider_declined');
    expect(await onlyEventOf(declined)).toMatchObject({
      action: 'payment.refund',
      outcome: 'failed',
      failureCode: 'provider_declined',
    });
    const refunds = await server.request('GET', `/api/v1/admin/payments/${payment.id}/refunds`, {
      token: admin,
    });
    expect(refunds.body.data.map((r: any) => r.status)).toContain('failed');
  });

  it('records a cancel made through the admin API', async () => {
    const payment = (await server.request('POST', '/api/v1/payments', { body: paymentBody() }))
      .body;
    const canceled = await server.request('POST', `/api/v1/admin/payments/${payment.id}/cancel`, {
      token: admin,
    });
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('canceled');
    expect(await onlyEventOf(canceled)).toMatchObject({
      action: 'payment.cancel',
      targetType: 'payment',
      targetId: payment.id,
      outcome: 'succeeded',
      changedFields: [],
    });
  });

  it('records a validation failure and a read-only token refused a write, as failed', async () => {
    const invalid = await server.request('POST', ACCOUNTS, {
      token: admin,
      body: { provider: 'bogus', name: 'x', credentials: { note: 'secret-in-bad-request' } },
    });
    expect(invalid.status).toBe(400);
    expect(await onlyEventOf(invalid)).toMatchObject({
      action: 'provider_account.create',
      targetId: null,
      outcome: 'failed',
      failureCode: 'validation_failed',
      changedFields: ['credentials', 'name', 'provider'],
    });

    const refused = await server.request('POST', ACCOUNTS, {
      token: viewer,
      body: { provider: 'test', name: 'viewer try', credentials: { note: 'secret-of-viewer' } },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await onlyEventOf(refused)).toMatchObject({
      actor: { clientId: viewerClient },
      action: 'provider_account.create',
      outcome: 'failed',
      failureCode: 'forbidden',
    });
    const rows = await server.dataSource.query('SELECT * FROM audit_events');
    expect(JSON.stringify(rows)).not.toContain('secret-in-bad-request');
    expect(JSON.stringify(rows)).not.toContain('secret-of-viewer');
    // Reads are not audited.
    const read = await server.request('GET', ACCOUNTS, { token: viewer });
    expect(read.status).toBe(200);
    expect(await eventsOf(read)).toEqual([]);
  });

  it('filters by action, target, actor, outcome and time, and pages newest first with a cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createAccount(`paged ${i}`)).body.id);
    const since = new Date(Date.now() - 60_000).toISOString();

    const byTarget = await server.request('GET', `${AUDIT}?targetId=${ids[1]}`, { token: admin });
    expect(byTarget.body.data.map((e: any) => [e.action, e.targetId])).toEqual([
      ['provider_account.create', ids[1]],
    ]);
    const byAction = await server.request(
      'GET',
      `${AUDIT}?action=provider_account.create&targetType=provider_account&limit=100`,
      { token: admin },
    );
    expect(byAction.body.data.every((e: any) => e.action === 'provider_account.create')).toBe(true);
    expect(byAction.body.data.map((e: any) => e.targetId)).toEqual(expect.arrayContaining(ids));
    const prefix = await server.request('GET', `${AUDIT}?action=api_key&limit=100`, {
      token: admin,
    });
    expect(prefix.body.data.length).toBeGreaterThan(0);
    expect(prefix.body.data.every((e: any) => e.action.startsWith('api_key.'))).toBe(true);
    const byViewer = await server.request('GET', `${AUDIT}?actor=${viewerClient}`, {
      token: admin,
    });
    expect(byViewer.body.data.length).toBeGreaterThan(0);
    expect(byViewer.body.data.every((e: any) => e.actor.clientId === viewerClient)).toBe(true);
    const failed = await server.request('GET', `${AUDIT}?outcome=failed&limit=100`, {
      token: admin,
    });
    expect(failed.body.data.every((e: any) => e.outcome === 'failed')).toBe(true);
    const future = new Date(Date.now() + DAY_MS).toISOString();
    expect(
      (await server.request('GET', `${AUDIT}?from=${future}`, { token: admin })).body.data,
    ).toEqual([]);
    expect(
      (await server.request('GET', `${AUDIT}?to=${since}`, { token: admin })).body.data,
    ).toEqual([]);
    // The widest window there is holds them all.
    const widest = await server.request(
      'GET',
      `${AUDIT}?from=0100-01-01&to=${encodeURIComponent('9999-12-31T23:59:59.999Z')}&targetId=${ids[1]}`,
      { token: admin },
    );
    expect(widest.status).toBe(200);
    expect(widest.body.data.map((e: any) => e.targetId)).toEqual([ids[1]]);

    // Walk every page two at a time: all events once each, newest first.
    const all = (await server.request('GET', `${AUDIT}?limit=100`, { token: admin })).body.data;
    const walked: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await server.request(
        'GET',
        `${AUDIT}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: admin },
      );
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      walked.push(...page.body.data);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(walked.map((e) => e.id)).toEqual(all.map((e: any) => e.id));
    const times = walked.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    // The newest three creates come in reverse order of creation.
    const creates = walked
      .filter((e) => ids.includes(e.targetId) && e.action === 'provider_account.create')
      .map((e) => e.targetId);
    expect(creates).toEqual([...ids].reverse());
  });

  it('answers 400 naming the field for a bad filter or cursor', async () => {
    for (const [query, field] of [
      ['from=yesterday', 'from'],
      ['from=2026-W05', 'from'],
      ['to=20261130', 'to'],
      [`to=${encodeURIComponent('9999-12-31T23:00:00-05:00')}`, 'to'],
      ['outcome=maybe', 'outcome'],
      ['action=DROP%20TABLE', 'action'],
      ['cursor=not-a-cursor', 'cursor'],
      ['limit=0', 'limit'],
    ]) {
      const response = await server.request('GET', `${AUDIT}?${query}`, { token: admin });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: any) => e.field)).toContain(field);
    }
  });

  it('has no route that writes, changes or deletes an event', async () => {
    const someId = (await server.request('GET', `${AUDIT}?limit=1`, { token: admin })).body.data[0]
      .id;
    for (const [method, path] of [
      ['POST', AUDIT],
      ['PATCH', `${AUDIT}/${someId}`],
      ['PUT', `${AUDIT}/${someId}`],
      ['DELETE', `${AUDIT}/${someId}`],
      ['DELETE', AUDIT],
    ]) {
      const response = await server.request(method, path, { token: admin, body: {} });
      expect(response.status).toBe(404);
    }
    const still = await server.request('GET', `${AUDIT}?limit=100`, { token: admin });
    expect(still.body.data.map((e: any) => e.id)).toContain(someId);
  });

  it('writes the event in the transaction of the change: neither is kept without the other', async () => {
    const id = (await createAccount('atomic')).body.id;
    const audit = server.server.app.get(AuditService);
    const record = audit.record.bind(audit);

    // The audit row cannot be written: the change is rolled back with it.
    jest.spyOn(audit, 'record').mockImplementationOnce(async () => {
      throw new Error('audit store unavailable');
    });
    const lost = await server.request('PATCH', `${ACCOUNTS}/${id}`, {
      token: admin,
      body: { name: 'renamed without audit' },
    });
    expect(lost.status).toBe(500);
    const afterLost = await server.request('GET', `${ACCOUNTS}/${id}`, { token: admin });
    expect(afterLost.body.name).toBe('atomic');

    // The row is written, then the transaction fails: the row goes with the change; the
    // attempt is recorded as failed, never as succeeded.
    jest.spyOn(audit, 'record').mockImplementationOnce(async (m, details) => {
      await record(m, details);
      throw new Error('failure after the audit row');
    });
    const failed = await server.request('PATCH', `${ACCOUNTS}/${id}`, {
      token: admin,
      body: { name: 'renamed then rolled back' },
    });
    expect(failed.status).toBe(500);
    expect((await server.request('GET', `${ACCOUNTS}/${id}`, { token: admin })).body.name).toBe(
      'atomic',
    );
    expect(await onlyEventOf(failed)).toMatchObject({
      action: 'provider_account.update',
      targetId: id,
      outcome: 'failed',
    });

    // And when it succeeds, both are there.
    const renamed = await server.request('PATCH', `${ACCOUNTS}/${id}`, {
      token: admin,
      body: { name: 'renamed' },
    });
    expect(renamed.status).toBe(200);
    expect((await server.request('GET', `${ACCOUNTS}/${id}`, { token: admin })).body.name).toBe(
      'renamed',
    );
    expect(await onlyEventOf(renamed)).toMatchObject({ outcome: 'succeeded', targetId: id });
  });

  it('is purged by retention after PAYMENTSERVER_AUDIT_RETENTION_DAYS (400 by default)', async () => {
    const retention = server.server.app.get(RetentionService);
    const count = async () =>
      Number((await server.dataSource.query('SELECT COUNT(*) AS n FROM audit_events'))[0].n);
    const before = await count();
    expect(before).toBeGreaterThan(0);
    expect((await retention.purge(new Date(Date.now() + 399 * DAY_MS))).auditEvents).toBe(0);
    expect(await count()).toBe(before);
    expect((await retention.purge(new Date(Date.now() + 401 * DAY_MS))).auditEvents).toBe(before);
    expect(await count()).toBe(0);
  });
});
