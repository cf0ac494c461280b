import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { paymentBody, startTestServer, submitCheckout, TestServer } from '../support/test-server';
import { MollieSimulator } from '../simulators/mollie/mollie.simulator';
import { sharedTestIdp } from '../support/test-idp';

const ACCOUNTS = '/api/v1/admin/provider-accounts';

/** Any host a baseUrl can point at: it answers every request 400 with a page of its own. */
class ForeignHost {
  readonly marker = `internal-${randomBytes(6).toString('hex')}`;
  readonly requests: { path: string; authorization?: string }[] = [];
  private server?: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.requests.push({ path: req.url ?? '/', authorization: req.headers.authorization });
      req.resume();
      res
        .writeHead(400, { 'content-type': 'text/html' })
        .end(
          `<html><body>${this.marker}: db-01.corp.example refused; trace 4111 1111 1111 1111</body></html>`,
        );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

describe('credentials follow the host (sqlite)', () => {
  let server: TestServer;
  let admin: string;
  let foreign: ForeignHost;
  let mollie: MollieSimulator;

  const call = (method: string, path: string, body?: unknown) =>
    server.request(method, path, { token: admin, body });
  const fields = (body: any) => (body.errors ?? []).map((e: any) => e.field);

  beforeAll(async () => {
    foreign = await new ForeignHost().start();
    mollie = await new MollieSimulator().start();
    server = await startTestServer({ env: { PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0' } });
    admin = await server.adminToken();
  });

  afterAll(async () => {
    await server?.close();
    await mollie?.stop();
    await foreign?.stop();
  });

  it('refuses a new baseUrl without credentials in the same request, and takes it with them', async () => {
    const account = (
      await call('POST', ACCOUNTS, {
        provider: 'mollie',
        name: 'moves',
        credentials: { apiKey: mollie.apiKey },
        baseUrl: mollie.url,
      })
    ).body;
    const moved = await call('PATCH', `${ACCOUNTS}/${account.id}`, { baseUrl: foreign.url });
    expect(moved.status).toBe(400);
    expect(fields(moved.body)).toEqual(['credentials']);
    expect((await call('GET', `${ACCOUNTS}/${account.id}`)).body.baseUrl).toBe(mollie.url);
    // Back to the PSP's own URL (null) is a new host too.
    expect(
      fields((await call('PATCH', `${ACCOUNTS}/${account.id}`, { baseUrl: null })).body),
    ).toEqual(['credentials']);

    // The same host (trailing slash aside) is no change; other fields need no credentials.
    const same = await call('PATCH', `${ACCOUNTS}/${account.id}`, {
      baseUrl: `${mollie.url}/`,
      name: 'renamed',
    });
    expect([same.status, same.body.baseUrl, same.body.name]).toEqual([200, mollie.url, 'renamed']);

    const withKey = await call('PATCH', `${ACCOUNTS}/${account.id}`, {
      baseUrl: foreign.url,
      credentials: { apiKey: `test_${randomBytes(12).toString('hex')}` },
    });
    expect([withKey.status, withKey.body.baseUrl]).toEqual([200, foreign.url]);
    const reset = await call('PATCH', `${ACCOUNTS}/${account.id}`, {
      baseUrl: null,
      credentials: { apiKey: mollie.apiKey },
    });
    expect([reset.status, reset.body.baseUrl]).toEqual([200, null]);
    // The old key never went to the new host.
    expect(foreign.requests.filter((r) => r.authorization?.includes(mollie.apiKey))).toEqual([]);
  });

  it.each([
    ['mollie', { apiKey: `test_${'a'.repeat(20)}` }, 'Mollie 400'],
    ['multisafepay', { apiKey: 'b'.repeat(40) }, 'MultiSafepay 400'],
    [
      'stripe',
      { secretKey: 'sk_test_abcdefghij', webhookSecret: 'whsec_abcdefghij' },
      'Stripe 400',
    ],
    [
      'adyen',
      { apiKey: 'k'.repeat(20), merchantAccount: 'ShopNL', hmacKey: 'ab'.repeat(32) },
      'Adyen',
    ],
    ['paypal', { clientId: 'client', clientSecret: 'secret', webhookId: 'WH1234' }, 'PayPal'],
  ])(
    "never shows the shop the body of another host's error (%s): only the PSP's own error fields, else the status",
    async (provider, credentials, prefix) => {
      const account = (
        await call('POST', ACCOUNTS, {
          provider,
          name: `${provider} at a foreign host`,
          credentials,
          baseUrl: foreign.url,
        })
      ).body;
      const created = await server.request('POST', '/api/v1/payments', {
        body: paymentBody({ providerAccountId: account.id }),
      });
      expect(created.status).toBe(201);
      expect(created.body.status).toBe('failed');
      expect(created.body.failure.message).toContain(prefix);
      expect(created.body.failure.message).toContain('HTTP 400');
      const shown = JSON.stringify(created.body);
      expect(shown).not.toContain(foreign.marker);
      expect(shown).not.toContain('db-01');
    },
  );

  it('keeps the body of another host out of problem+json detail on a refund', async () => {
    const account = (
      await call('POST', ACCOUNTS, {
        provider: 'mollie',
        name: 'refund host',
        credentials: { apiKey: mollie.apiKey },
        baseUrl: mollie.url,
      })
    ).body;
    const created = await server.request('POST', '/api/v1/payments', {
      body: paymentBody({ providerAccountId: account.id }),
    });
    expect(
      (await submitCheckout(created.body.checkoutUrl, { outcome: 'paid' })).status,
    ).toBeLessThan(400);
    await mollie.settled();
    expect((await server.request('GET', `/api/v1/payments/${created.body.id}`)).body.status).toBe(
      'paid',
    );
    expect(
      (
        await call('PATCH', `${ACCOUNTS}/${account.id}`, {
          baseUrl: foreign.url,
          credentials: { apiKey: mollie.apiKey },
        })
      ).status,
    ).toBe(200);

    const refund = await server.request('POST', `/api/v1/payments/${created.body.id}/refunds`, {
      body: { amount: { value: 100, currency: 'EUR' } },
    });
    expect(refund.status).toBe(422);
    expect(refund.body.detail).toContain('HTTP 400');
    expect(refund.body.detail).not.toContain(foreign.marker);
  });
});

describe('baseUrl in production', () => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    const idp = await sharedTestIdp();
    // NODE_ENV unset: production.
    server = await startTestServer({ developmentFeatures: false, idp });
    admin = await server.adminToken();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('must be https', async () => {
    const body = {
      provider: 'mollie',
      name: 'prod',
      credentials: { apiKey: `live_${'c'.repeat(20)}` },
    };
    const plain = await server.request('POST', ACCOUNTS, {
      token: admin,
      body: { ...body, baseUrl: 'http://mollie-proxy.internal' },
    });
    expect(plain.status).toBe(400);
    expect(plain.body.errors.map((e: any) => e.field)).toEqual(['baseUrl']);
    const tls = await server.request('POST', ACCOUNTS, {
      token: admin,
      body: { ...body, baseUrl: 'https://mollie-proxy.internal' },
    });
    expect(tls.status).toBe(201);
    const downgrade = await server.request('PATCH', `${ACCOUNTS}/${tls.body.id}`, {
      token: admin,
      body: { baseUrl: 'http://mollie-proxy.internal', credentials: body.credentials },
    });
    expect(downgrade.status).toBe(400);
    expect(downgrade.body.errors.map((e: any) => e.field)).toEqual(['baseUrl']);
  });
});
