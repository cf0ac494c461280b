import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort, paymentBody } from '../support/test-server';
import {
  devIdpAdminToken,
  ServerProcess,
  spawnServer,
  waitForHttp,
} from '../support/server-process';

const marker = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;

interface LogLine {
  level: string;
  time: string;
  msg: string;
  requestId?: string;
  context?: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
  [field: string]: unknown;
}

/** The server as its own process, with its stdout kept apart from stderr. */
function startServer(env: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-logging-'));
  const state = { stdout: '', dir, server: undefined as unknown as ServerProcess };
  return {
    state,
    async start(): Promise<{ base: string; issuer: string }> {
      const port = await freePort();
      const idpPort = await freePort();
      state.server = spawnServer({
        PAYMENTSERVER_PORT: String(port),
        PAYMENTSERVER_DB_URL: path.join(dir, 'db.sqlite'),
        PAYMENTSERVER_DEV_IDP_PORT: String(idpPort),
        ...env,
      });
      state.server.child.stdout!.on('data', (chunk) => (state.stdout += chunk));
      const base = `http://127.0.0.1:${port}`;
      await waitForHttp(`${base}/health/ready`);
      return { base, issuer: `http://localhost:${idpPort}` };
    },
    async stop(): Promise<void> {
      if (state.server && state.server.child.exitCode === null) {
        state.server.child.kill('SIGTERM');
        await state.server.exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('structured logs (JSON, the default outside development)', () => {
  const apiKey = marker('psk_log');
  const wrongKey = marker('psk_wrong');
  const card = '4111111111111111';
  const spacedCard = '5555 5555 5555 4444';
  const run = marker('log-');
  const id = (n: number) => `${run}-${n}`;
  // Outside development (NODE_ENV=test has production's defaults), with the development
  // identity provider and the test provider turned on by their own variables.
  const logged = startServer({
    NODE_ENV: 'test',
    PAYMENTSERVER_DEV_IDP: 'true',
    PAYMENTSERVER_TEST_PROVIDER: 'true',
    PAYMENTSERVER_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    PAYMENTSERVER_BOOTSTRAP_API_KEY: apiKey,
  });
  let adminToken: string;
  let lines: LogLine[];

  beforeAll(async () => {
    const { base, issuer } = await logged.start();
    adminToken = await devIdpAdminToken(issuer, 'paymentserver:admin');
    const call = (
      n: number,
      method: string,
      route: string,
      headers: Record<string, string>,
      body?: unknown,
    ) =>
      fetch(`${base}${route}`, {
        method,
        headers: {
          'x-request-id': id(n),
          ...headers,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const shop = { 'x-api-key': apiKey };
    const admin = { authorization: `Bearer ${adminToken}` };

    expect((await call(1, 'GET', '/api/v1/payments', shop)).status).toBe(200);
    expect((await call(2, 'GET', `/api/v1/payments/${card}`, shop)).status).toBe(404);
    await call(
      3,
      'GET',
      `/api/v1/payments?reference=${encodeURIComponent(spacedCard)}&token=${apiKey}`,
      shop,
    );
    expect((await call(4, 'GET', '/api/v1/payments', { 'x-api-key': wrongKey })).status).toBe(401);
    expect((await call(5, 'GET', '/api/v1/admin/integrations', admin)).status).toBe(200);
    expect(
      (
        await call(6, 'GET', '/api/v1/admin/integrations', {
          authorization: `Bearer ${adminToken}x`,
        })
      ).status,
    ).toBe(401);
    // A provider that fails: the server logs a warning while handling the request.
    const account = await call(7, 'POST', '/api/v1/admin/provider-accounts', admin, {
      provider: 'test',
      name: 'always down',
      credentials: {},
      settings: { failureMode: 'unavailable' },
      testMode: true,
      enabled: true,
    });
    expect(account.status).toBe(201);
    const accountId = ((await account.json()) as { id: string }).id;
    const failed = await call(8, 'POST', '/api/v1/payments', shop, {
      ...paymentBody({ providerAccountId: accountId }),
      description: `card ${spacedCard}`,
    });
    expect(((await failed.json()) as { status: string }).status).toBe('failed');
    // Refused by the body parser, before any controller: still one line with its id.
    const malformed = await fetch(`${base}/api/v1/payments`, {
      method: 'POST',
      headers: { 'x-request-id': id(9), 'content-type': 'application/json', ...shop },
      body: `{"description": "${card}"`,
    });
    expect(malformed.status).toBe(400);

    await logged.stop();
    expect(await logged.state.server.exited).toBe(0);
    lines = logged.state.stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LogLine);
  });

  afterAll(async () => {
    await logged.stop();
  });

  it('writes one JSON object per line on stdout, with level, time and message', () => {
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      expect(typeof line.level).toBe('string');
      expect({ line, invalid: new Date(line.time).toString() === 'Invalid Date' }).toMatchObject({
        invalid: false,
      });
      expect(typeof line.msg).toBe('string');
    }
    expect(lines.some((line) => line.msg === 'PaymentServer listening')).toBe(true);
  });

  it('logs each request once with its request id, method, path and status', () => {
    const expected: [number, string, number][] = [
      [1, 'GET', 200],
      [2, 'GET', 404],
      [4, 'GET', 401],
      [5, 'GET', 200],
      [6, 'GET', 401],
      [7, 'POST', 201],
      [9, 'POST', 400],
    ];
    for (const [n, method, status] of expected) {
      const requestLines = lines.filter((line) => line.requestId === id(n) && line.req);
      expect(requestLines).toHaveLength(1);
      expect(requestLines[0]).toMatchObject({ req: { method }, res: { statusCode: status } });
    }
    // Every request line carries a request id.
    for (const line of lines.filter((l) => l.req))
      expect(line.requestId).toEqual(expect.any(String));
  });

  it('gives lines logged while handling a request that request’s id', () => {
    const warning = lines.find((line) => line.msg === 'provider create failed');
    expect(warning).toMatchObject({ level: 'warn', context: 'Payments', requestId: id(8) });
  });

  it('contains no API key, bearer token or card-like number, and says where it scrubbed them', () => {
    const output = logged.state.server.output();
    for (const [name, value] of Object.entries({
      apiKey,
      wrongKey,
      adminToken,
      card,
      spacedCard,
      compactCard: spacedCard.replace(/ /g, ''),
    })) {
      expect({ name, leaked: output.includes(value) }).toEqual({ name, leaked: false });
    }
    const byId = (n: number) => lines.find((line) => line.requestId === id(n) && line.req)!;
    expect(byId(2).req!.url).toBe('/api/v1/payments/[REDACTED_NUMBER]');
    expect(byId(3).req!.url).toBe('/api/v1/payments?reference=[REDACTED_NUMBER]&token=[REDACTED]');
  });
});

describe('pretty logs (PAYMENTSERVER_LOG_FORMAT=pretty, the default in development)', () => {
  const logged = startServer({ PAYMENTSERVER_LOG_FORMAT: 'pretty' });

  afterAll(async () => {
    await logged.stop();
  });

  it('prints lines for a person, not JSON', async () => {
    const { base } = await logged.start();
    await fetch(`${base}/api/v1/payments`, { headers: { 'x-request-id': 'pretty-1' } });
    await logged.stop();
    const listening = logged.state.stdout
      .split('\n')
      .find((line) => line.includes('PaymentServer listening'));
    expect(listening).toMatch(
      /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: \[PaymentServer\] PaymentServer listening/,
    );
    expect(logged.state.stdout).toMatch(/GET \/api\/v1\/payments 401 \d+ ms \(pretty-1\)/);
  });
});
