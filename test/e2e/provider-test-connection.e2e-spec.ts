import { randomBytes } from 'node:crypto';
import { freePort, startTestServer, TestServer } from '../support/test-server';
import { MollieSimulator } from '../simulators/mollie/mollie.simulator';
import { MultisafepaySimulator } from '../simulators/multisafepay/multisafepay.simulator';
import { StripeSimulator } from '../simulators/stripe/stripe.simulator';
import { AdyenSimulator, adyenTestCredentials } from '../simulators/adyen/adyen-simulator';
import { PayPalSimulator } from '../simulators/paypal/paypal-simulator';

describe('POST /api/v1/admin/provider-accounts/{id}/test-connection', () => {
  let server: TestServer;
  let admin: string;
  const adyenCredentials = adyenTestCredentials();
  const paypalCredentials = {
    clientId: `AYS${randomBytes(10).toString('hex')}`,
    clientSecret: `EGn${randomBytes(16).toString('hex')}`,
    webhookId: '8PT597110X687430LKGECATA',
  };
  const mollie = new MollieSimulator();
  const msp = new MultisafepaySimulator();
  const stripe = new StripeSimulator();
  const adyen = new AdyenSimulator(adyenCredentials);
  const paypal = new PayPalSimulator(paypalCredentials);
  /** Per provider: good credentials and base URL, and credentials the PSP refuses. */
  let cases: { provider: string; good: any; wrong: any; baseUrl: string }[];

  beforeAll(async () => {
    await Promise.all([mollie, msp, stripe, adyen, paypal].map((sim) => sim.start()));
    server = await startTestServer();
    admin = await server.adminToken();
    const webhookSecret = 'whsec_simulatorsecret0123456789';
    cases = [
      {
        provider: 'mollie',
        good: { apiKey: mollie.apiKey },
        wrong: { apiKey: 'test_wrongwrongwrongwrong' },
        baseUrl: mollie.url,
      },
      {
        provider: 'multisafepay',
        good: { apiKey: msp.apiKey },
        wrong: { apiKey: 'A'.repeat(32) },
        baseUrl: msp.url,
      },
      {
        provider: 'stripe',
        good: { secretKey: stripe.secretKey, webhookSecret },
        wrong: { secretKey: 'sk_test_wrongwrongwrong', webhookSecret },
        baseUrl: stripe.url,
      },
      {
        provider: 'adyen',
        good: adyenCredentials,
        wrong: { ...adyenCredentials, apiKey: 'AQE_wrong' },
        baseUrl: adyen.baseUrl,
      },
      {
        provider: 'paypal',
        good: paypalCredentials,
        wrong: { ...paypalCredentials, clientSecret: 'EGnwrong' },
        baseUrl: paypal.baseUrl,
      },
    ];
  });
  afterAll(async () => {
    await Promise.all([mollie, msp, stripe, adyen, paypal].map((sim) => sim.stop()));
    await server?.close();
  });

  const account = async (provider: string, credentials: unknown, baseUrl: string | null) => {
    const response = await server.request('POST', '/api/v1/admin/provider-accounts', {
      token: admin,
      body: { provider, name: `${provider} check`, credentials, baseUrl, testMode: true },
    });
    expect(response.status).toBe(201);
    return response.body.id as string;
  };
  const check = (id: string, token = admin) =>
    server.request('POST', `/api/v1/admin/provider-accounts/${id}/test-connection`, { token });

  it('answers ok for good credentials at every PSP, echoing none of them', async () => {
    for (const c of cases) {
      const response = await check(await account(c.provider, c.good, c.baseUrl));
      expect({ provider: c.provider, status: response.status, body: response.body }).toEqual({
        provider: c.provider,
        status: 200,
        body: {
          ok: true,
          outcome: 'ok',
          httpStatus: 200,
          message: expect.any(String),
          durationMs: expect.any(Number),
        },
      });
      const text = JSON.stringify(response.body);
      for (const value of Object.values(c.good)) expect(text).not.toContain(value);
    }
  });

  it('answers unauthorized when the PSP refuses the credentials', async () => {
    for (const c of cases) {
      const response = await check(await account(c.provider, c.wrong, c.baseUrl));
      expect({ provider: c.provider, status: response.status, body: response.body }).toEqual({
        provider: c.provider,
        status: 200,
        body: expect.objectContaining({ ok: false, outcome: 'unauthorized', httpStatus: 401 }),
      });
    }
  });

  it('answers unreachable for a base URL nobody listens on', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const response = await check(await account('mollie', cases[0].good, closed));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ok: false, outcome: 'unreachable', httpStatus: null });
  });

  it('answers ok for the built-in test provider without any call, and is audited', async () => {
    const id = await account('test', {}, null);
    const response = await check(id);
    expect(response.body).toMatchObject({ ok: true, outcome: 'ok' });
    const requestId = response.headers.get('x-request-id');
    const log = await server.request('GET', '/api/v1/admin/audit-events?limit=100', {
      token: admin,
    });
    expect(log.body.data.filter((e: any) => e.correlationId === requestId)).toEqual([
      expect.objectContaining({
        action: 'provider_account.test_connection',
        targetId: id,
        outcome: 'succeeded',
      }),
    ]);
  });

  it('answers 404 for an unknown account', async () => {
    const response = await check('pa_doesnotexist');
    expect(response.status).toBe(404);
  });

  it('is a write: a viewer gets 403', async () => {
    const viewer = await server.adminToken({ roles: ['viewer'] });
    const id = await account('test', {}, null);
    const response = await check(id, viewer);
    expect(response.status).toBe(403);
  });
});
