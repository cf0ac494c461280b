import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from '../support/test-server';
import { spawnServer, waitForHttp } from '../support/server-process';

describe('the server process', () => {
  const dirs: string[] = [];
  const tempDb = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-proc-'));
    dirs.push(dir);
    return path.join(dir, 'db.sqlite');
  };

  afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it.each([
    [{ PAYMENTSERVER_PORT: 'eighty' }, 'PAYMENTSERVER_PORT'],
    [
      { PAYMENTSERVER_DB: 'postgres', PAYMENTSERVER_DB_URL: 'postgres://localhost/x' },
      'PAYMENTSERVER_DB',
    ],
    [
      { PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE: 'soon' },
      'PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE',
    ],
  ])('stops at start-up on a bad value with one line naming the key (%p)', async (env, key) => {
    const server = spawnServer({ PAYMENTSERVER_DB_URL: tempDb(), ...env });
    expect(await server.exited).toBe(1);
    const lines = server.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(key);
  });

  it('names the edition when a driver is outside it', async () => {
    const server = spawnServer({
      PAYMENTSERVER_DB: 'mysql',
      PAYMENTSERVER_DB_URL: 'mysql://root@127.0.0.1/x',
    });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('community edition');
  });

  it('prints a generated API key once on first start, works with it, and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const env = {
      PAYMENTSERVER_PORT: String(port),
      PAYMENTSERVER_DB_URL: tempDb(),
      PAYMENTSERVER_OIDC_ISSUER: 'http://127.0.0.1:9/unused',
    };
    const first = spawnServer({ ...env, PAYMENTSERVER_TESTPROVIDER: 'false' });
    await waitForHttp(`http://127.0.0.1:${port}/health/live`);
    const key = /psk_[A-Za-z0-9_-]{20,}/.exec(first.output())?.[0];
    expect(key).toBeDefined();
    const created = await fetch(`http://127.0.0.1:${port}/api/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key! },
      body: JSON.stringify({
        amount: { value: 100, currency: 'EUR' },
        description: 'd',
        reference: 'r',
        returnUrl: 'https://shop.example/',
      }),
    });
    expect(created.status).toBe(201);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    // A misspelt key is named at start-up, not silently ignored.
    expect(first.output()).toMatch(/no such configuration key[\s\S]*PAYMENTSERVER_TESTPROVIDER/);

    // Second start on the same database: no new key is printed, the old one still works.
    const second = spawnServer(env);
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`);
    expect(second.output()).not.toMatch(/psk_/);
    const listed = await fetch(`http://127.0.0.1:${port}/api/v1/payments`, {
      headers: { 'x-api-key': key! },
    });
    expect(((await listed.json()) as { data: unknown[] }).data).toHaveLength(1);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('uses exactly PAYMENTSERVER_BOOTSTRAP_API_KEY when set, and serves Swagger with the API-key scheme', async () => {
    const port = await freePort();
    const key = `boot_${randomBytes(12).toString('hex')}`;
    const server = spawnServer({
      PAYMENTSERVER_PORT: String(port),
      PAYMENTSERVER_DB_URL: tempDb(),
      PAYMENTSERVER_BOOTSTRAP_API_KEY: key,
      PAYMENTSERVER_OIDC_ISSUER: 'http://127.0.0.1:9/unused',
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/health/live`);
      expect(server.output()).not.toContain(key);
      const list = await fetch(`http://127.0.0.1:${port}/api/v1/payments`, {
        headers: { 'x-api-key': key },
      });
      expect(list.status).toBe(200);
      const doc = (await (await fetch(`http://127.0.0.1:${port}/swagger/json`)).json()) as any;
      expect(doc.components.securitySchemes['api-key']).toMatchObject({
        type: 'apiKey',
        in: 'header',
        name: 'X-Api-Key',
      });
      for (const route of [
        '/api/v1/payments',
        '/api/v1/payments/{id}',
        '/api/v1/payments/{id}/capture',
        '/api/v1/payments/{id}/cancel',
        '/api/v1/payments/{id}/refunds',
        '/api/v1/payments/{id}/events',
        '/webhooks/{provider}/{providerAccountId}',
        '/health/ready',
      ]) {
        expect(Object.keys(doc.paths)).toContain(route);
      }
      expect((await fetch(`http://127.0.0.1:${port}/swagger`)).status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
