import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { Dialect, enabledDialects } from '../support/services';
import {
  eventually,
  freePort,
  paymentBody,
  startTestServer,
  submitCheckout,
  TestServer,
} from '../support/test-server';
import { ServerProcess, spawnServer, waitForHttp } from '../support/server-process';
import { sharedTestIdp } from '../support/test-idp';
import { MollieSimulator } from '../simulators/mollie/mollie.simulator';
import { IdempotencyRecord } from '../../src/idempotency/idempotency-record.entity';
import { IdempotencyService } from '../../src/idempotency/idempotency.service';

/** A request to the server, as a shop's HTTP client sends it. */
type Call = { status: number; body: any; headers: Headers };

/**
 * In front of the Mollie simulator: passes every call through, except that it holds refunds
 * until released and then refuses them the way Mollie does (422, its error format).
 */
class RefundHoldingProxy {
  readonly refunds: string[] = [];
  private readonly held: (() => void)[] = [];
  private server?: http.Server;
  url = '';

  constructor(private readonly upstream: string) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        if (req.method === 'POST' && /^\/v2\/payments\/[^/]+\/refunds$/.test(path)) {
          this.refunds.push(path);
          this.held.push(() =>
            res.writeHead(422, { 'content-type': 'application/hal+json' }).end(
              JSON.stringify({
                status: 422,
                title: 'Unprocessable Entity',
                detail: 'The amount is higher than the amount that remains refundable',
                field: 'amount',
              }),
            ),
          );
          return;
        }
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(
            ([k]) => !['host', 'content-length', 'connection'].includes(k),
          ),
        ) as Record<string, string>;
        void fetch(`${this.upstream}${path}`, {
          method: req.method,
          headers,
          body: chunks.length ? Buffer.concat(chunks) : undefined,
        }).then(async (answer) => {
          res
            .writeHead(answer.status, {
              'content-type': answer.headers.get('content-type') ?? 'application/json',
            })
            .end(await answer.text());
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  release(): void {
    this.held.splice(0).forEach((answer) => answer());
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

/** Plays a slow PSP for the test provider (POST <baseUrl>/payments): holds calls while `hold`. */
class Upstream {
  readonly announced: string[] = [];
  hold = true;
  private server?: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        this.announced.push(req.url ?? '/');
        if (!this.hold) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
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

/** A second instance on the same database where the dialect allows several (not SQLite). */
async function secondInstance(
  dialect: Dialect,
  first: TestServer,
  database: TestDatabase,
): Promise<TestServer> {
  if (dialect === 'sqlite') return first;
  return startTestServer({
    database,
    env: { ...sharedEnv(first), PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0' },
  });
}

function sharedEnv(server: TestServer): Record<string, string> {
  return {
    PAYMENTSERVER_BOOTSTRAP_API_KEY: server.apiKey,
    PAYMENTSERVER_ENCRYPTION_KEY: server.env.PAYMENTSERVER_ENCRYPTION_KEY,
  };
}

describe.each(enabledDialects())(
  'idempotency: responses stored after the handler started (%s)',
  (dialect) => {
    let database: TestDatabase;
    let a: TestServer;
    let b: TestServer;
    let mollie: MollieSimulator;
    let proxy: RefundHoldingProxy;

    beforeAll(async () => {
      mollie = await new MollieSimulator().start();
      proxy = await new RefundHoldingProxy(mollie.url).start();
      database = await createTestDatabase(dialect);
      a = await startTestServer({
        database,
        env: { PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0' },
      });
      b = await secondInstance(dialect, a, database);
    });

    afterAll(async () => {
      await proxy?.stop();
      await mollie?.stop();
      if (b !== a) await b?.stop();
      await a?.stop();
      await database?.drop();
    });

    it('gives two concurrent requests with one key the same stored error when the first fails after it started', async () => {
      const token = await a.adminToken();
      const account = await a.request('POST', '/api/v1/admin/provider-accounts', {
        token,
        body: {
          provider: 'mollie',
          name: 'mollie',
          credentials: { apiKey: mollie.apiKey },
          baseUrl: proxy.url,
        },
      });
      const created = await a.request('POST', '/api/v1/payments', {
        body: paymentBody({
          providerAccountId: account.body.id,
          amount: { value: 1000, currency: 'EUR' },
        }),
      });
      expect(
        (await submitCheckout(created.body.checkoutUrl, { outcome: 'paid' })).status,
      ).toBeLessThan(400);
      await eventually(
        async () =>
          (await a.request('GET', `/api/v1/payments/${created.body.id}`)).body.status === 'paid',
      );

      const path = `/api/v1/payments/${created.body.id}/refunds`;
      const request = {
        body: { amount: { value: 400, currency: 'EUR' } },
        headers: { 'idempotency-key': `refund-${randomBytes(4).toString('hex')}` },
      };
      const first = a.request('POST', path, request);
      await eventually(async () => proxy.refunds.length === 1);
      // The first is inside its handler, held at the PSP: the second is told so.
      const second = await b.request('POST', path, request);
      expect([second.status, second.body.code]).toEqual([409, 'idempotency_key_in_use']);

      proxy.release();
      const failed = await first;
      expect(failed.status).toBe(422);
      expect(failed.body.code).toBe('provider_invalid_request');
      // The shop's client retries its 409 and gets the stored error: same status, same body.
      const retried = await b.request('POST', path, request);
      expect(retried.status).toBe(failed.status);
      expect(retried.body).toEqual(failed.body);
      expect(retried.headers.get('content-type')).toContain('application/problem+json');
      expect(retried.headers.get('idempotent-replayed')).toBe('true');
      expect(failed.headers.get('idempotent-replayed')).toBeNull();
      expect(proxy.refunds).toHaveLength(1);
    });

    it('replays a stored error even after its cause is gone, and calls nothing again', async () => {
      const token = await a.adminToken();
      const account = await a.request('POST', '/api/v1/admin/provider-accounts', {
        token,
        body: { provider: 'test', name: 'reserved', credentials: {}, integrationIds: [] },
      });
      const body = paymentBody({ providerAccountId: account.body.id });
      const headers = { 'idempotency-key': `create-${randomBytes(4).toString('hex')}` };
      const refused = await a.request('POST', '/api/v1/payments', { body, headers });
      expect([refused.status, refused.body.code]).toEqual([422, 'provider_account_not_allowed']);
      expect(
        (
          await a.request('PATCH', `/api/v1/admin/provider-accounts/${account.body.id}`, {
            token,
            body: { integrationIds: null },
          })
        ).status,
      ).toBe(200);

      const replayed = await b.request('POST', '/api/v1/payments', { body, headers });
      expect(replayed.status).toBe(422);
      expect(replayed.body).toEqual(refused.body);
      expect(
        (await a.request('GET', `/api/v1/payments?reference=${body.reference}`)).body.data,
      ).toEqual([]);
      // The same request under a new key goes through.
      const fresh = await b.request('POST', '/api/v1/payments', {
        body,
        headers: { 'idempotency-key': `create-${randomBytes(4).toString('hex')}` },
      });
      expect(fresh.status).toBe(201);
    });

    it('does not store validation errors (400): the key stays usable', async () => {
      const key = `v-${randomBytes(4).toString('hex')}`;
      const invalid = await a.request('POST', '/api/v1/payments', {
        body: paymentBody({ amount: { value: -5, currency: 'EUR' } }),
        headers: { 'idempotency-key': key },
      });
      expect(invalid.status).toBe(400);
      // A 400 found inside the handler (an unknown account) releases the key as well.
      const unknown = await a.request('POST', '/api/v1/payments', {
        body: paymentBody({ providerAccountId: 'pa_nope' }),
        headers: { 'idempotency-key': key },
      });
      expect(unknown.status).toBe(400);
      const body = paymentBody();
      const ok = await b.request('POST', '/api/v1/payments', {
        body,
        headers: { 'idempotency-key': key },
      });
      expect(ok.status).toBe(201);
      expect(ok.headers.get('idempotent-replayed')).toBeNull();
    });
  },
);

describe.each(enabledDialects())('idempotency: a key whose request died (%s)', (dialect) => {
  const LEASE_SECONDS = 20;
  let database: TestDatabase;
  let upstream: Upstream;
  let crashed: ServerProcess | undefined;
  const instances: TestServer[] = [];

  beforeAll(async () => {
    upstream = await new Upstream().start();
    database = await createTestDatabase(dialect);
  });

  afterAll(async () => {
    if (crashed && crashed.child.exitCode === null && crashed.child.signalCode === null) {
      crashed.child.kill('SIGKILL');
      await crashed.exited;
    }
    for (const server of instances) await server.stop();
    await upstream?.stop();
    await database?.drop();
  });

  it('is refused (409) until its lease runs out, then taken over by exactly one request', async () => {
    const idp = await sharedTestIdp();
    const port = await freePort();
    const apiKey = `test_bootstrap_${randomBytes(12).toString('hex')}`;
    const shared = {
      PAYMENTSERVER_BOOTSTRAP_API_KEY: apiKey,
      PAYMENTSERVER_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    crashed = spawnServer({
      ...database.env,
      ...shared,
      PAYMENTSERVER_PORT: String(port),
      PAYMENTSERVER_OIDC_ISSUER: idp.issuer,
      PAYMENTSERVER_OIDC_AUDIENCE: idp.audience,
      PAYMENTSERVER_IDEMPOTENCY_LEASE_SECONDS: String(LEASE_SECONDS),
      PAYMENTSERVER_PROVIDER_TIMEOUT_MS: '300000',
      PAYMENTSERVER_ROUTING_TIME_BUDGET_MS: '600000',
      PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0',
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/health/ready`);
    const account = await fetch(`${base}/api/v1/admin/provider-accounts`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await idp.adminToken()}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        provider: 'test',
        name: 'slow',
        credentials: {},
        baseUrl: upstream.url,
        settings: { requestTimeoutMs: 60000 },
      }),
    });
    const accountId = ((await account.json()) as { id: string }).id;

    const body = paymentBody({ providerAccountId: accountId });
    const headers = {
      'content-type': 'application/json',
      'x-api-key': apiKey,
      'idempotency-key': `died-${randomBytes(4).toString('hex')}`,
    };
    const dying = fetch(`${base}/api/v1/payments`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    }).catch((error: Error) => error);
    await eventually(async () => upstream.announced.length === 1, 30_000);
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    expect(await dying).toMatchObject({ message: 'fetch failed' }); // no answer: the process died mid-request
    upstream.hold = false;

    const a = await startTestServer({ database, env: shared });
    instances.push(a);
    const b = await secondInstance(dialect, a, database);
    if (b !== a) instances.push(b);
    const send = (server: TestServer): Promise<Call> =>
      server.request('POST', '/api/v1/payments', {
        body,
        headers: { 'idempotency-key': headers['idempotency-key'] },
      });

    const record = await a.dataSource
      .getRepository(IdempotencyRecord)
      .findOneByOrFail({ keyDigest: IdempotencyService.keyDigest(headers['idempotency-key']) });
    expect(record.state).toBe('in_progress');
    const leaseEnds = record.leaseExpiresAt!.getTime();

    // Not before: the key is still held by the dead request.
    expect(Date.now()).toBeLessThan(leaseEnds); // the precondition (a restart within the lease)
    const early = await send(a);
    expect([early.status, early.body.code]).toEqual([409, 'idempotency_key_in_use']);
    expect(upstream.announced).toHaveLength(1);

    // After: many retries at once, over both instances; exactly one takes the key over.
    await eventually(async () => Date.now() > leaseEnds + 100, (LEASE_SECONDS + 5) * 1000);
    const retries = await Promise.all(
      Array.from({ length: 10 }, (_, i) => send(i % 2 === 0 ? a : b)),
    );
    const winners = retries.filter(
      (r) => r.status === 201 && r.headers.get('idempotent-replayed') === null,
    );
    expect(winners).toHaveLength(1);
    for (const other of retries.filter((r) => r !== winners[0])) {
      if (other.status === 201) expect(other.body.id).toBe(winners[0].body.id);
      else expect([other.status, other.body.code]).toEqual([409, 'idempotency_key_in_use']);
    }
    expect(upstream.announced).toHaveLength(2);
    const replay = await send(b);
    expect([replay.status, replay.body.id, replay.headers.get('idempotent-replayed')]).toEqual([
      201,
      winners[0].body.id,
      'true',
    ]);
  });
});

/**
 * Keys are opaque and compared byte for byte. MariaDB's default collation (and SQL Server's)
 * would take `order-1a` for `ORDER-1A` and `café` for `cafe` in an index on the key itself, and
 * answer the second request with the first one's payment.
 */
describe.each(enabledDialects())('idempotency: keys compare exactly (%s)', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({
      database,
      env: { PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0' },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const create = (key: string, body: object): Promise<Call> =>
    server.request('POST', '/api/v1/payments', { body, headers: { 'idempotency-key': key } });

  /** Two creates under `first` and `second` are two payments; each key then replays its own. */
  async function expectApart(first: string, second: string): Promise<void> {
    const bodies = [paymentBody(), paymentBody()];
    const made = [await create(first, bodies[0]), await create(second, bodies[1])];
    expect(made.map((r) => [r.status, r.headers.get('idempotent-replayed')])).toEqual([
      [201, null],
      [201, null],
    ]);
    expect(made[1].body.id).not.toBe(made[0].body.id);

    const again = [await create(first, bodies[0]), await create(second, bodies[1])];
    expect(again.map((r) => [r.status, r.body.id, r.headers.get('idempotent-replayed')])).toEqual([
      [201, made[0].body.id, 'true'],
      [201, made[1].body.id, 'true'],
    ]);
  }

  it('makes two payments for two keys that differ only in case', async () => {
    const key = `order-1a-${randomBytes(4).toString('hex')}`;
    await expectApart(key, key.toUpperCase());
  });

  it('makes two payments for two keys that differ only by an accent', async () => {
    // Sent as the Latin-1 byte 0xE9, which is how HTTP carries it (and Node reads it).
    const suffix = randomBytes(4).toString('hex');
    await expectApart(`café-${suffix}`, `cafe-${suffix}`);
  });

  it('makes two refunds of one payment for two keys that differ only in case', async () => {
    const created = await server.request('POST', '/api/v1/payments', { body: paymentBody() });
    expect((await submitCheckout(created.body.checkoutUrl, { outcome: 'paid' })).status).toBe(303);
    await eventually(
      async () =>
        (await server.request('GET', `/api/v1/payments/${created.body.id}`)).body.status === 'paid',
    );
    const path = `/api/v1/payments/${created.body.id}/refunds`;
    const key = `refund-1a-${randomBytes(4).toString('hex')}`;
    const refund = (k: string) =>
      server.request('POST', path, {
        body: { amount: { value: 100, currency: 'EUR' } },
        headers: { 'idempotency-key': k },
      });

    const made = [await refund(key), await refund(key.toUpperCase())];
    expect(made.map((r) => r.status)).toEqual([201, 201]);
    expect(made[1].body.id).not.toBe(made[0].body.id);
    const replayed = await refund(key.toUpperCase());
    expect([replayed.body.id, replayed.headers.get('idempotent-replayed')]).toEqual([
      made[1].body.id,
      'true',
    ]);
    const listed = await server.request('GET', path);
    expect(listed.body.data).toHaveLength(2);
  });
});
