import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { freePort, paymentBody, startTestServer, TestServer } from '../support/test-server';
import {
  devIdpAdminToken,
  ServerProcess,
  spawnServer,
  useServerWithDevIdp,
  waitForHttp,
} from '../support/server-process';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { enabledDialects } from '../support/services';
import { SecretBox } from '../../src/common/crypto/secret-box';

const marker = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;

describe('secrets never leave in clear: logs, error bodies, Swagger, the database file', () => {
  let dir: string;
  let dbFile: string;
  let server: ServerProcess;
  let base: string;
  let issuer: string;
  const encryptionKey = randomBytes(32).toString('base64');
  const bootstrapKey = marker('psk_boot');
  const credentialApiKey = marker('test_');
  const credentialSecret = marker('whsec_');
  const credentialPlain = marker('plain-');
  const wrongKey = marker('psk_wrong');
  const secrets: Record<string, string> = {
    encryptionKey,
    bootstrapKey,
    credentialApiKey,
    credentialSecret,
    credentialPlain,
    wrongKey,
  };
  const bodies: string[] = [];

  /** Calls the server and keeps every answer body for the final check. */
  const call = async (
    method: string,
    route: string,
    headers: Record<string, string>,
    body?: unknown,
  ) => {
    const response = await fetch(`${base}${route}`, {
      method,
      headers: {
        ...headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    bodies.push(text);
    return {
      status: response.status,
      text,
      json: text.startsWith('{') ? JSON.parse(text) : undefined,
    };
  };

  const devIdp = useServerWithDevIdp('secrets', {
    PAYMENTSERVER_ENCRYPTION_KEY: encryptionKey,
    PAYMENTSERVER_BOOTSTRAP_API_KEY: bootstrapKey,
  });

  beforeAll(async () => {
    ({ process: server, dir, dbFile, base, issuer } = devIdp);

    // An admin token from the development identity provider (the README's curl).
    secrets.adminToken = await devIdpAdminToken(issuer, 'paymentserver:admin');
    const admin = { authorization: `Bearer ${secrets.adminToken}` };

    // A provider account with credentials; using it; a failed create that carries credentials.
    const account = await call('POST', '/api/v1/admin/provider-accounts', admin, {
      provider: 'test',
      name: 'with credentials',
      credentials: {
        apiKey: credentialApiKey,
        webhookSecret: credentialSecret,
        password: credentialPlain,
      },
      testMode: true,
      enabled: true,
    });
    expect(account.status).toBe(201);
    expect(
      await call('GET', `/api/v1/admin/provider-accounts/${account.json.id}`, admin),
    ).toMatchObject({ status: 200 });
    expect(
      await call('PATCH', `/api/v1/admin/provider-accounts/${account.json.id}`, admin, {
        credentials: { apiKey: credentialApiKey, note: credentialPlain },
      }),
    ).toMatchObject({ status: 200 });
    expect(
      await call('POST', '/api/v1/admin/provider-accounts', admin, {
        provider: 'test',
        name: 'x',
        credentials: { apiKey: credentialApiKey },
        unknownField: credentialPlain,
      }),
    ).toMatchObject({ status: 400 });

    // An integration, an API key shown once, used, and a wrong key.
    const integration = await call('POST', '/api/v1/admin/integrations', admin, {
      name: 'secret-test',
    });
    const key = await call(
      'POST',
      `/api/v1/admin/integrations/${integration.json.id}/api-keys`,
      admin,
      {},
    );
    expect(key.status).toBe(201);
    secrets.newApiKey = key.json.key;
    bodies.pop(); // the one answer that shows the key, by design
    const payment = await call(
      'POST',
      '/api/v1/payments',
      { 'x-api-key': secrets.newApiKey },
      paymentBody({ providerAccountId: account.json.id }),
    );
    expect(payment.status).toBe(201);
    expect(await call('GET', '/api/v1/payments', { 'x-api-key': wrongKey })).toMatchObject({
      status: 401,
    });
    expect(
      await call('GET', '/api/v1/admin/integrations', {
        authorization: `Bearer ${secrets.adminToken}x`,
      }),
    ).toMatchObject({ status: 401 });
    expect(
      await call('GET', '/api/v1/payments', { authorization: `Bearer ${secrets.adminToken}` }),
    ).toMatchObject({ status: 403 });

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('wrote none of them to stdout or stderr', () => {
    const output = server.output();
    expect(output).toContain('PaymentServer listening'); // the capture works
    for (const [name, value] of Object.entries(secrets)) {
      expect({ name, leaked: output.includes(value) }).toEqual({ name, leaked: false });
    }
  });

  it('put none of them in any response body', () => {
    expect(bodies.length).toBeGreaterThan(5);
    const all = bodies.join('\n');
    for (const [name, value] of Object.entries(secrets)) {
      expect({ name, leaked: all.includes(value) }).toEqual({ name, leaked: false });
    }
  });

  it('stored none of them in clear: not in any table, not anywhere in the database files', () => {
    const db = new Database(dbFile, { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
        name: string;
      }[];
      const dump = tables
        .map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all()))
        .join('\n');
      expect(dump).toContain('secret-test'); // the dump is real
      for (const [name, value] of Object.entries(secrets)) {
        expect({ name, stored: dump.includes(value) }).toEqual({ name, stored: false });
      }
      const sealed = db
        .prepare(
          "SELECT credentialsSealed AS c FROM provider_accounts WHERE name = 'with credentials'",
        )
        .get() as { c: string };
      expect(sealed.c).toMatch(
        new RegExp(`^v1\\.${SecretBox.keyId(Buffer.from(encryptionKey, 'base64'))}\\.`),
      );
    } finally {
      db.close();
    }
    const raw = fs
      .readdirSync(dir)
      .filter((file) => file.startsWith('db.sqlite'))
      .map((file) => fs.readFileSync(path.join(dir, file)).toString('latin1'))
      .join('');
    for (const name of [
      'credentialApiKey',
      'credentialSecret',
      'credentialPlain',
      'newApiKey',
      'bootstrapKey',
    ]) {
      expect({ name, stored: raw.includes(secrets[name]) }).toEqual({ name, stored: false });
    }
  });

  it('shows no real-looking secret as a Swagger example', async () => {
    const port = await freePort();
    const docServer = spawnServer({
      PAYMENTSERVER_PORT: String(port),
      PAYMENTSERVER_DB_URL: path.join(dir, 'swagger.sqlite'),
      PAYMENTSERVER_OIDC_ISSUER: 'http://127.0.0.1:9/unused',
      PAYMENTSERVER_BOOTSTRAP_API_KEY: bootstrapKey,
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/health/live`);
      const doc = await (await fetch(`http://127.0.0.1:${port}/swagger/json`)).text();
      expect(doc).toContain('"openapi"');
      const examples: string[] = [];
      JSON.parse(doc, (key, value) => {
        if ((key === 'example' || key === 'examples') && value !== undefined)
          examples.push(JSON.stringify(value));
        return value;
      });
      expect(examples.length).toBeGreaterThan(10);
      // Placeholders like "psk_…" are fine; anything shaped like a usable key is not.
      const keyLike = /\b(sk|rk|pk|whsec|test|live|psk)_[A-Za-z0-9_]{8,}/;
      expect(examples.filter((example) => keyLike.test(example))).toEqual([]);
      expect(doc).not.toContain(bootstrapKey);
      expect(doc).not.toContain('paymentserver-dev-secret');
    } finally {
      docServer.child.kill('SIGTERM');
      await docServer.exited;
    }
  });
});

describe.each(enabledDialects())(
  'encryption key rotation (PAYMENTSERVER_ENCRYPTION_KEY=new,old) on %s',
  (dialect) => {
    let database: TestDatabase;
    let server: TestServer | undefined;
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const bootstrap = marker('psk_rot');
    const keyId = (key: string) => SecretBox.keyId(Buffer.from(key, 'base64'));

    const start = async (encryptionKey: string) => {
      server = await startTestServer({
        database,
        env: {
          PAYMENTSERVER_ENCRYPTION_KEY: encryptionKey,
          PAYMENTSERVER_BOOTSTRAP_API_KEY: bootstrap,
        },
      });
      return server;
    };
    const sealedValues = async (s: TestServer) => {
      const q = (name: string) => s.dataSource.driver.escape(name);
      return (await s.dataSource.query(
        `SELECT ${q('id')} AS id, ${q('credentialsSealed')} AS c FROM provider_accounts ORDER BY ${q('id')}`,
      )) as { id: string; c: string }[];
    };

    beforeAll(async () => {
      database = await createTestDatabase(dialect);
    });

    afterAll(async () => {
      await server?.stop();
      await database.drop();
    });

    it('re-seals every secret with the new key at start-up, after which the old key can go', async () => {
      // 1. Only the old key: two accounts with credentials.
      let s = await start(oldKey);
      const admin = await s.adminToken();
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        const created = await s.request('POST', '/api/v1/admin/provider-accounts', {
          token: admin,
          body: {
            provider: 'test',
            name: `rotating ${i}`,
            credentials: { apiKey: `test_rotation_${i}` },
          },
        });
        expect(created.status).toBe(201);
        ids.push(created.body.id);
      }
      const before = await sealedValues(s);
      expect(
        before
          .filter((row) => ids.includes(row.id))
          .every((row) => row.c.startsWith(`v1.${keyId(oldKey)}.`)),
      ).toBe(true);
      await s.stop();

      // 2. New key first, old key kept: everything is readable and re-sealed with the new key.
      s = await start(`${newKey},${oldKey}`);
      const during = await sealedValues(s);
      expect(during.length).toBe(before.length);
      for (const row of during) expect(row.c.startsWith(`v1.${keyId(newKey)}.`)).toBe(true);
      for (const id of ids) {
        expect(
          (
            await s.request('POST', '/api/v1/payments', {
              body: paymentBody({ providerAccountId: id }),
            })
          ).status,
        ).toBe(201);
      }
      await s.stop();

      // 3. Only the new key: the accounts still work.
      s = await start(newKey);
      for (const id of ids) {
        expect(
          (
            await s.request('POST', '/api/v1/payments', {
              body: paymentBody({ providerAccountId: id }),
            })
          ).status,
        ).toBe(201);
      }
      const opened = s.server.app
        .get(SecretBox)
        .open((await sealedValues(s)).find((row) => row.id === ids[1])!.c);
      expect(JSON.parse(opened)).toEqual({ apiKey: 'test_rotation_1' });
    });
  },
);
