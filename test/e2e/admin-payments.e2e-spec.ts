import { randomBytes } from 'node:crypto';
import { enabledDialects } from '../support/services';
import { paymentBody, startTestServer, submitCheckout, TestServer } from '../support/test-server';

describe.each(enabledDialects())('admin API: provider accounts and payments (%s)', (dialect) => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    admin = await server.adminToken();
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('provider accounts', () => {
    const base = '/api/v1/admin/provider-accounts';

    it('creates an account, never returns its credentials, and gives the webhook URL', async () => {
      const created = await server.request('POST', base, {
        token: admin,
        body: {
          provider: 'test',
          name: 'Second test account',
          credentials: { note: 'secret-value' },
          settings: { failureMode: 'none' },
          testMode: true,
          enabled: true,
        },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        id: expect.stringMatching(/^pa_/),
        provider: 'test',
        name: 'Second test account',
        enabled: true,
        testMode: true,
      });
      expect(created.body.webhookUrl).toBe(
        `http://localhost:${server.port}/webhooks/test/${created.body.id}`,
      );
      expect(JSON.stringify(created.body)).not.toContain('secret-value');
      expect(created.body.credentials).toBeUndefined();

      const got = await server.request('GET', `${base}/${created.body.id}`, { token: admin });
      expect(JSON.stringify(got.body)).not.toContain('secret-value');
      const listed = await server.request('GET', base, { token: admin });
      expect(listed.body.data.map((a: any) => a.id)).toContain(created.body.id);
      expect(JSON.stringify(listed.body)).not.toContain('secret-value');

      // At rest the credentials are sealed, not readable.
      const q = server.dataSource.driver.escape.bind(server.dataSource.driver);
      const rows = await server.dataSource.query(
        `SELECT ${q('credentialsSealed')} AS c FROM provider_accounts WHERE ${q('id')} = '${created.body.id}'`,
      );
      expect(rows[0].c).toMatch(/^v1\./);
      expect(rows[0].c).not.toContain('secret-value');
    });

    it('refuses an unknown provider and unknown fields with 400 naming the field', async () => {
      const unknown = await server.request('POST', base, {
        token: admin,
        body: { provider: 'bogus', name: 'x', credentials: {} },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors[0].field).toBe('provider');
      const extra = await server.request('POST', base, {
        token: admin,
        body: { provider: 'test', name: 'x', credentials: {}, colour: 'red' },
      });
      expect(extra.status).toBe(400);
      expect(extra.body.errors[0].field).toBe('colour');
    });

    it('disables an account (PATCH) so new payments cannot use it, and refuses to delete one with payments', async () => {
      const created = (
        await server.request('POST', base, {
          token: admin,
          body: { provider: 'test', name: 'to disable', credentials: {} },
        })
      ).body;
      const payment = await server.request('POST', '/api/v1/payments', {
        body: paymentBody({ providerAccountId: created.id }),
      });
      expect(payment.status).toBe(201);
      const patched = await server.request('PATCH', `${base}/${created.id}`, {
        token: admin,
        body: { enabled: false },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.enabled).toBe(false);
      const refused = await server.request('POST', '/api/v1/payments', {
        body: paymentBody({ providerAccountId: created.id }),
      });
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('no_route');
      const deletion = await server.request('DELETE', `${base}/${created.id}`, { token: admin });
      expect(deletion.status).toBe(409);
      expect(deletion.body.code).toBe('provider_account_in_use');
    });

    it('deletes an unused account', async () => {
      const created = (
        await server.request('POST', base, {
          token: admin,
          body: { provider: 'test', name: 'unused', credentials: {} },
        })
      ).body;
      expect(
        (await server.request('DELETE', `${base}/${created.id}`, { token: admin })).status,
      ).toBe(204);
      expect((await server.request('GET', `${base}/${created.id}`, { token: admin })).status).toBe(
        404,
      );
    });

    it('refuses null for a field that cannot be empty on PATCH (400 naming it), and still clears baseUrl and integrationIds with null', async () => {
      const created = (
        await server.request('POST', base, {
          token: admin,
          body: { provider: 'test', name: 'nulls', credentials: {} },
        })
      ).body;
      for (const field of ['name', 'credentials', 'settings', 'testMode', 'enabled']) {
        const response = await server.request('PATCH', `${base}/${created.id}`, {
          token: admin,
          body: { [field]: null },
        });
        expect({ field, status: response.status }).toEqual({ field, status: 400 });
        expect(new Set(response.body.errors.map((e: { field: string }) => e.field))).toEqual(
          new Set([field]),
        );
      }
      const cleared = await server.request('PATCH', `${base}/${created.id}`, {
        token: admin,
        body: { integrationIds: null },
      });
      expect(cleared.status).toBe(200);
      expect(cleared.body).toMatchObject({ name: 'nulls', integrationIds: null, baseUrl: null });
    });

    it("validates the test provider's settings: failureMode and operationFault by their values, no unknown key", async () => {
      const create = (settings: Record<string, unknown>) =>
        server.request('POST', base, {
          token: admin,
          body: { provider: 'test', name: 'settings', credentials: {}, settings },
        });
      const bogus = await create({ failureMode: 'bogus' });
      expect(bogus.status).toBe(400);
      expect(bogus.body.errors).toEqual([
        { field: 'settings.failureMode', message: 'must be one of none, unavailable, decline' },
      ]);
      const fault = await create({ operationFault: 'sometimes' });
      expect(fault.status).toBe(400);
      expect(fault.body.errors[0].field).toBe('settings.operationFault');
      const unknown = await create({ failureMode: 'decline', colour: 'red' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors).toEqual([
        {
          field: 'settings.colour',
          message: 'is not a known setting (failureMode, operationFault, requestTimeoutMs)',
        },
      ]);
      const good = await create({
        failureMode: 'unavailable',
        operationFault: 'lost_answer',
        requestTimeoutMs: 5000,
      });
      expect(good.status).toBe(201);
      const patched = await server.request('PATCH', `${base}/${good.body.id}`, {
        token: admin,
        body: { settings: { failureMode: 'sometimes' } },
      });
      expect(patched.status).toBe(400);
      expect(patched.body.errors[0].field).toBe('settings.failureMode');
      const kept = await server.request('GET', `${base}/${good.body.id}`, { token: admin });
      expect(kept.body.settings).toEqual({
        failureMode: 'unavailable',
        operationFault: 'lost_answer',
        requestTimeoutMs: 5000,
      });
    });

    it('is closed to API keys and to tokens without the admin scope', async () => {
      expect((await server.request('GET', base)).status).toBe(401);
      const weak = await server.adminToken({ scope: '' });
      expect((await server.request('GET', base, { token: weak })).status).toBe(403);
    });
  });

  describe('payments across integrations', () => {
    it('lists with integration and provider filters, and refunds through the admin routes', async () => {
      const reference = `admin-${randomBytes(4).toString('hex')}`;
      const created = (
        await server.request('POST', '/api/v1/payments', {
          body: paymentBody({ reference, amount: { value: 2000, currency: 'EUR' } }),
        })
      ).body;
      await submitCheckout(created.checkoutUrl, { outcome: 'paid' });

      const all = await server.request('GET', `/api/v1/admin/payments?reference=${reference}`, {
        token: admin,
      });
      expect(all.status).toBe(200);
      expect(all.body.data.map((p: any) => p.id)).toEqual([created.id]);
      const integrationId = (
        await server.request('GET', '/api/v1/admin/integrations', { token: admin })
      ).body.data.find((i: any) => i.name === 'default').id;
      expect(
        (
          await server.request(
            'GET',
            `/api/v1/admin/payments?reference=${reference}&integrationId=${integrationId}&provider=test`,
            { token: admin },
          )
        ).body.data,
      ).toHaveLength(1);
      expect(
        (
          await server.request(
            'GET',
            `/api/v1/admin/payments?reference=${reference}&provider=mollie`,
            { token: admin },
          )
        ).body.data,
      ).toHaveLength(0);
      expect(
        (
          await server.request(
            'GET',
            `/api/v1/admin/payments?reference=${reference}&integrationId=int_other`,
            { token: admin },
          )
        ).body.data,
      ).toHaveLength(0);

      const refund = await server.request('POST', `/api/v1/admin/payments/${created.id}/refunds`, {
        token: admin,
        body: { amount: { value: 500, currency: 'EUR' }, reason: 'goodwill' },
      });
      expect(refund.status).toBe(201);
      expect(refund.body.status).toBe('succeeded');
      const refunds = await server.request('GET', `/api/v1/admin/payments/${created.id}/refunds`, {
        token: admin,
      });
      expect(refunds.body.data).toHaveLength(1);
      // The shop sees the operator's refund too.
      expect((await server.request('GET', `/api/v1/payments/${created.id}`)).body).toMatchObject({
        status: 'partially_refunded',
        amountRefunded: 500,
      });
      const events = await server.request('GET', `/api/v1/admin/payments/${created.id}/events`, {
        token: admin,
      });
      expect(events.body.data.map((e: any) => e.type)).toContain('refund.status_changed');
    });

    it('answers capture and cancel as documented: 404 for an unknown payment, 409 in a final state', async () => {
      for (const operation of ['capture', 'cancel']) {
        const unknown = await server.request(
          'POST',
          `/api/v1/admin/payments/pay_unknown/${operation}`,
          { token: admin, body: {} },
        );
        expect(unknown.status).toBe(404);
        expect(unknown.body.code).toBe('not_found');
      }
      const created = (await server.request('POST', '/api/v1/payments', { body: paymentBody() }))
        .body;
      await submitCheckout(created.checkoutUrl, { outcome: 'failed' });
      expect((await server.request('GET', `/api/v1/payments/${created.id}`)).body.status).toBe(
        'failed',
      );
      for (const operation of ['capture', 'cancel']) {
        const refused = await server.request(
          'POST',
          `/api/v1/admin/payments/${created.id}/${operation}`,
          { token: admin, body: {} },
        );
        expect(refused.status).toBe(409);
        expect(refused.body.code).toBe('invalid_payment_state');
        expect(refused.body.detail).toMatch(/^A failed payment cannot be/);
      }
    });

    it('answers 404 for a payment id we never issue on every operation, with an Idempotency-Key too', async () => {
      const id = `pay_${'x'.repeat(120)}`;
      for (const operation of ['refunds', 'capture', 'cancel']) {
        const response = await server.request('POST', `/api/v1/admin/payments/${id}/${operation}`, {
          token: admin,
          body: {},
          headers: { 'idempotency-key': `impossible-${operation}` },
        });
        expect({ operation, status: response.status, code: response.body.code }).toEqual({
          operation,
          status: 404,
          code: 'not_found',
        });
      }
      expect(
        (await server.request('GET', `/api/v1/admin/payments/${id}`, { token: admin })).status,
      ).toBe(404);
    });
  });
});
