import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort, paymentBody, startTestServer, TestServer } from '../support/test-server';
import {
  devIdpAdminToken,
  ServerProcess,
  spawnServer,
  waitForHttp,
} from '../support/server-process';
import { sharedTestIdp } from '../support/test-idp';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Fail closed: without NODE_ENV=development the server runs with production defaults. Only the
 * README's `npm start` (which loads .env.development) turns the development features on.
 */
describe('an unset NODE_ENV is production', () => {
  const dirs: string[] = [];
  const running: ServerProcess[] = [];
  const tempDb = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-env-'));
    dirs.push(dir);
    return path.join(dir, 'db.sqlite');
  };
  const startBare = (env: Record<string, string>) => {
    // `node dist/src/main.js` with nothing set, as an operator might start it.
    const server = spawnServer({ PAYMENTSERVER_DB_URL: tempDb(), ...env }, { npmStart: false });
    running.push(server);
    return server;
  };

  afterAll(async () => {
    for (const server of running) {
      if (server.child.exitCode === null) {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    }
    dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
  });

  it('refuses to start without an OIDC issuer (no development identity provider), with one line naming the key', async () => {
    const idpPort = await freePort();
    const server = startBare({
      PAYMENTSERVER_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PAYMENTSERVER_DEV_IDP_PORT: String(idpPort),
    });
    expect(await server.exited).toBe(1);
    const lines = server.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('PAYMENTSERVER_OIDC_ISSUER');
    await expect(
      fetch(`http://127.0.0.1:${idpPort}/.well-known/openid-configuration`),
    ).rejects.toThrow();
  });

  it('refuses the test provider at start-up, naming the key', async () => {
    const server = startBare({
      PAYMENTSERVER_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PAYMENTSERVER_OIDC_ISSUER: 'http://127.0.0.1:9/unused',
      PAYMENTSERVER_TEST_PROVIDER: 'true',
    });
    expect(await server.exited).toBe(1);
    const lines = server.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: PAYMENTSERVER_TEST_PROVIDER /);
  });

  it('lets the environment win over npm start: NODE_ENV=production with npm start is production', async () => {
    const server = spawnServer({
      NODE_ENV: 'production',
      PAYMENTSERVER_DB_URL: tempDb(),
      PAYMENTSERVER_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    running.push(server);
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('PAYMENTSERVER_OIDC_ISSUER');
  });

  it('starts as the Docker image runs it (NODE_ENV=production) with the documented encryption key and issuer', async () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/ENV NODE_ENV=production/);
    // Timestamps are stored without a zone: every instance of the image runs in UTC.
    expect(dockerfile).toMatch(/^\s+TZ=UTC/m);
    const port = await freePort();
    const server = startBare({
      NODE_ENV: 'production',
      PAYMENTSERVER_PORT: String(port),
      PAYMENTSERVER_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PAYMENTSERVER_OIDC_ISSUER: 'https://login.example.com/realms/shop',
    });
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`);
    expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/swagger/json`)).status).toBe(404);
    expect(server.output()).toContain('PaymentServer listening');
    expect(server.output()).not.toContain('DEVELOPMENT identity provider');
  });
});

describe('npm start (the README: npm install && npm start)', () => {
  let dir: string;
  let server: ServerProcess;
  let base: string;
  let issuer: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-npmstart-'));
    const port = await freePort();
    const idpPort = await freePort();
    base = `http://127.0.0.1:${port}`;
    issuer = `http://localhost:${idpPort}`;
    // Only what a developer's machine differs in: ports and the data folder. No NODE_ENV.
    server = spawnServer({
      PAYMENTSERVER_PORT: String(port),
      PAYMENTSERVER_DB_URL: path.join(dir, 'db.sqlite'),
      PAYMENTSERVER_DEV_IDP_PORT: String(idpPort),
    });
    await waitForHttp(`${base}/health/ready`);
  });

  afterAll(async () => {
    if (server?.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads a committed file that sets NODE_ENV=development', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
      .scripts as Record<string, string>;
    const envFile = /--env-file=(\S+)/.exec(scripts.start)?.[1];
    expect(envFile).toBeDefined();
    expect(fs.readFileSync(path.join(ROOT, envFile!), 'utf8')).toMatch(/^NODE_ENV=development$/m);
    expect(scripts['start:dev']).toContain(envFile!);
  });

  it('gives the development identity provider, the test provider, its manual webhook route and Swagger', async () => {
    const token = await devIdpAdminToken(issuer, 'paymentserver:admin');
    const accounts = await fetch(`${base}/api/v1/admin/provider-accounts`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await accounts.json()) as { data: { id: string }[] }).data.map((a) => a.id)).toContain(
      'test',
    );
    const key = /psk_[A-Za-z0-9_-]{20,}/.exec(server.output())![0];
    const created = await fetch(`${base}/api/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify(paymentBody()),
    });
    const payment = (await created.json()) as { provider: { name: string; paymentId: string } };
    expect(payment.provider.name).toBe('test');
    const hook = await fetch(
      `${base}/test-provider/payments/${payment.provider.paymentId}/webhooks`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'pending' }),
      },
    );
    expect(hook.status).toBe(200);
    expect((await fetch(`${base}/swagger/json`)).status).toBe(200);
  });
});

describe('the development-only features with production defaults (NODE_ENV unset, in process)', () => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer({ developmentFeatures: false, idp: await sharedTestIdp() });
    admin = await server.adminToken();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('has no test provider: no account, no checkout, no route for payments, and the provider is unknown', async () => {
    const accounts = await server.request('GET', '/api/v1/admin/provider-accounts', {
      token: admin,
    });
    expect(accounts.body.data).toEqual([]);
    const integrations = await server.request('GET', '/api/v1/admin/integrations', {
      token: admin,
    });
    expect(integrations.body.data[0].defaultProviderAccountId).toBeNull();
    const created = await server.request('POST', '/api/v1/payments', { body: paymentBody() });
    expect([created.status, created.body.code]).toEqual([422, 'no_route']);
    const account = await server.request('POST', '/api/v1/admin/provider-accounts', {
      token: admin,
      body: { provider: 'test', name: 't', credentials: {} },
    });
    expect(account.status).toBe(400);
    expect(account.body.errors[0].field).toBe('provider');
    expect((await fetch(`${server.baseUrl}/test-provider/checkout/tp_x`)).status).toBe(404);
    expect(
      (await fetch(`${server.baseUrl}/test-provider/payments/tp_x/webhooks`, { method: 'POST' }))
        .status,
    ).toBe(404);
  });

  it('refuses private notification targets', async () => {
    const integrationId = (
      await server.request('GET', '/api/v1/admin/integrations', { token: admin })
    ).body.data[0].id;
    const response = await server.request('POST', '/api/v1/admin/notification-endpoints', {
      token: admin,
      body: {
        integrationId,
        type: 'webhook',
        url: 'http://127.0.0.1:9/hooks',
        events: ['payment.status_changed'],
      },
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('private or loopback');
  });

  it('serves no Swagger', async () => {
    expect((await fetch(`${server.baseUrl}/swagger`)).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/swagger/json`)).status).toBe(404);
  });
});

describe('NODE_ENV=test with the test provider but without its manual webhook route', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      env: { PAYMENTSERVER_TEST_PROVIDER_MANUAL_WEBHOOKS: 'false' },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('answers 404 on POST /test-provider/payments/{id}/webhooks and changes nothing', async () => {
    const created = await server.request('POST', '/api/v1/payments', { body: paymentBody() });
    expect(created.status).toBe(201);
    const hook = await fetch(
      `${server.baseUrl}/test-provider/payments/${created.body.provider.paymentId}/webhooks`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'paid' }),
      },
    );
    expect(hook.status).toBe(404);
    expect((await server.request('GET', `/api/v1/payments/${created.body.id}`)).body.status).toBe(
      'pending',
    );
  });
});
