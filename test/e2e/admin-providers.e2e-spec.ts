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
    expect(mollie.capabilities.defaults.manualCapture).toBe(true);
    expect(byName.get('adyen').credentials.map((f: any) => [f.name, f.required])).toEqual([
      ['apiKey', true],
      ['merchantAccount', true],
      ['hmacKey', true],
      ['liveUrlPrefix', false],
    ]);
    expect(byName.get('test').credentials).toEqual([]);
    expect(byName.get('adyen').capabilities.currencies).toEqual(['any']);
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

  it('describes the credentials object in the OpenAPI document from the declarations', async () => {
    const document = await fetch(`${server.baseUrl}/swagger/json`).then((r) => r.json());
    const description: string =
      document.components.schemas.CreateProviderAccountDto.properties.credentials.description;
    expect(description).toContain('mollie: `apiKey`, secret');
    expect(description).toContain('adyen: `apiKey`, secret, `merchantAccount`');
    expect(description).toContain('`liveUrlPrefix` (optional)');
  });
});
