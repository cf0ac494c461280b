import { startTestServer, TestServer } from '../support/test-server';

describe('GET /api/v1/admin/providers (declared credential schema and capabilities)', () => {
  let server: TestServer;
  let viewer: string;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer();
    admin = await server.adminToken();
    viewer = await server.adminToken({ roles: ['viewer'] });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers a viewer with each provider's label, help, credential fields and capabilities per method", async () => {
    const response = await server.request('GET', '/api/v1/admin/providers', { token: viewer });
    expect(response.status).toBe(200);
    const byName = new Map<string, any>(response.body.data.map((p: any) => [p.name, p]));
    expect([...byName.keys()].sort()).toEqual(
      ['adyen', 'mollie', 'multisafepay', 'paypal', 'stripe', 'test'].sort(),
    );
    const mollie = byName.get('mollie');
    expect(mollie).toMatchObject({ label: 'Mollie', help: expect.stringContaining('API keys') });
    expect(mollie.credentials).toEqual([
      expect.objectContaining({
        name: 'apiKey',
        label: 'API key',
        secret: true,
        required: true,
        pattern: '^(test|live)_[A-Za-z0-9]{10,}$',
      }),
    ]);
    const methods = new Map<string, any>(
      mollie.capabilities.methods.map((m: any) => [m.method, m]),
    );
    expect(methods.get('card')).toMatchObject({ manualCapture: true, refunds: true });
    expect(methods.get('ideal')).toMatchObject({ manualCapture: false, refunds: true });
    // iDEAL takes euros only at Mollie; cards every currency the connector has.
    expect(methods.get('ideal').currencies).toEqual(['EUR']);
    expect(methods.get('card').currencies).toEqual(mollie.capabilities.currencies);
    expect(mollie.capabilities.currencies).toContain('GBP');
    expect(mollie.capabilities.defaults.manualCapture).toBe(true);
    expect(byName.get('adyen').credentials.map((f: any) => [f.name, f.required])).toEqual([
      ['apiKey', true],
      ['merchantAccount', true],
      ['hmacKey', true],
      ['liveUrlPrefix', false],
    ]);
    expect(byName.get('test').credentials).toEqual([]);
    expect(byName.get('adyen').capabilities.currencies).toEqual(['any']);
    // Euro schemes take euros everywhere; MultiSafepay's Klarna five currencies.
    const currenciesOf = (provider: string, method: string) =>
      byName.get(provider).capabilities.methods.find((m: any) => m.method === method).currencies;
    for (const provider of ['adyen', 'stripe', 'multisafepay', 'mollie'])
      expect(currenciesOf(provider, 'bancontact')).toEqual(['EUR']);
    expect(currenciesOf('adyen', 'card')).toEqual(['any']);
    expect(currenciesOf('multisafepay', 'klarna')).toEqual(['DKK', 'EUR', 'GBP', 'NOK', 'SEK']);
    // Stripe's smallest charge per currency, in minor units; the test provider has none.
    expect(byName.get('stripe').capabilities.minimumAmounts).toMatchObject({
      EUR: 50,
      GBP: 30,
      JPY: 50,
    });
    expect(byName.get('test').capabilities.minimumAmounts).toEqual({});
  });

  it('validates credentials by the same declaration (field names and messages)', async () => {
    const response = await server.request('POST', '/api/v1/admin/provider-accounts', {
      token: admin,
      body: { provider: 'mollie', name: 'bad key', credentials: { apiKey: 'nope' } },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      {
        field: 'credentials.apiKey',
        message: 'must be a Mollie API key starting with test_ or live_',
      },
    ]);
  });

  describe('where the key decides test or live (Mollie, Stripe)', () => {
    const ACCOUNTS = '/api/v1/admin/provider-accounts';
    const mollieKey = (mode: 'test' | 'live') => ({ apiKey: `${mode}_${'k'.repeat(30)}` });
    const create = (body: Record<string, unknown>) =>
      server.request('POST', ACCOUNTS, { token: admin, body: { name: 'mode', ...body } });
    const patch = (id: string, body: Record<string, unknown>) =>
      server.request('PATCH', `${ACCOUNTS}/${id}`, { token: admin, body });

    it('takes the mode from the key when testMode is left out', async () => {
      const live = await create({ provider: 'mollie', credentials: mollieKey('live') });
      expect(live.status).toBe(201);
      expect(live.body.testMode).toBe(false);
      const test = await create({
        provider: 'stripe',
        credentials: { secretKey: `rk_test_${'s'.repeat(24)}`, webhookSecret: 'whsec_modetest0' },
      });
      expect(test.status).toBe(201);
      expect(test.body.testMode).toBe(true);
    });

    it('refuses a testMode the key contradicts: a live key is never a test account', async () => {
      const response = await create({
        provider: 'stripe',
        credentials: { secretKey: `sk_live_${'s'.repeat(24)}`, webhookSecret: 'whsec_modetest0' },
        testMode: true,
      });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        {
          field: 'testMode',
          message: 'must be false: the Stripe key is a live key and moves real money',
        },
      ]);
    });

    it('on update: a new key brings its mode, a contradicting testMode is refused, also against the stored key', async () => {
      const account = await create({ provider: 'mollie', credentials: mollieKey('test') });
      expect(account.body.testMode).toBe(true);
      const toLive = await patch(account.body.id, { credentials: mollieKey('live') });
      expect(toLive.status).toBe(200);
      expect(toLive.body.testMode).toBe(false);
      const flip = await patch(account.body.id, { testMode: true });
      expect(flip.status).toBe(400);
      expect(flip.body.errors.map((e: any) => e.field)).toEqual(['testMode']);
      const both = await patch(account.body.id, { credentials: mollieKey('test'), testMode: true });
      expect(both.status).toBe(200);
      expect(both.body.testMode).toBe(true);
      const read = await server.request('GET', `${ACCOUNTS}/${account.body.id}`, { token: admin });
      expect(read.body.testMode).toBe(true);
    });

    it('leaves testMode to the operator where the host decides (Adyen, PayPal, MultiSafepay)', async () => {
      const response = await create({
        provider: 'multisafepay',
        credentials: { apiKey: 'a'.repeat(40) },
        testMode: false,
      });
      expect(response.status).toBe(201);
      expect(response.body.testMode).toBe(false);
    });
  });

  it('describes the credentials object in the OpenAPI document from the declarations', async () => {
    const document = await fetch(`${server.baseUrl}/swagger/json`).then((r) => r.json());
    const description: string =
      document.components.schemas.CreateProviderAccountDto.properties.credentials.description;
    expect(description).toContain('mollie: `apiKey`, secret');
    expect(description).toContain('adyen: `apiKey`, secret, `merchantAccount`');
    expect(description).toContain('`liveUrlPrefix` (optional)');
  });
});
