import type { RedisConnection } from '../../src/common/redis/redis-connection';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { dropTestRedis, testRedisConnection, testRedisUrl } from '../support/redis';
import { eventually, startPeer, startTestServer, TestServer } from '../support/test-server';
import {
  accountHealth,
  awayFromWindowEdge,
  shopRoutedTo,
  testAccount,
  unsignedWebhook,
} from '../support/cluster-scenarios';

/**
 * Two server instances on one SQLite database (as the other cluster suites start them) with the
 * same PAYMENTSERVER_REDIS_URL: the rate-limit windows and the circuit breaker are shared
 * through Redis, so a limit used up across A and B holds on both and a PSP outage seen by A is
 * seen by B. On SQLite without Redis the limits stay per instance, so this also shows Redis in
 * use. The URL carries a key prefix of its own per run (test/support/redis.ts).
 */
const redisUrl = testRedisUrl();
const describeRedis = redisUrl ? describe : describe.skip;

const LIMIT = 4;
const CIRCUIT_THRESHOLD = 3;

describeRedis('rate limits and circuits shared through Redis by two instances', () => {
  let database: TestDatabase;
  let redis: RedisConnection;
  let a: TestServer;
  let b: TestServer;
  let admin: string;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    redis = await testRedisConnection(redisUrl!);
    const env = {
      PAYMENTSERVER_REDIS_URL: redisUrl!,
      PAYMENTSERVER_WEBHOOK_RATE_LIMIT: String(LIMIT),
      PAYMENTSERVER_AUTH_FAILURE_RATE_LIMIT: String(LIMIT),
      PAYMENTSERVER_CIRCUIT_FAILURE_THRESHOLD: String(CIRCUIT_THRESHOLD),
      // Long enough that the circuit stays open (not half-open) for the whole test.
      PAYMENTSERVER_CIRCUIT_COOLDOWN_MS: '600000',
    };
    a = await startTestServer({ database, env });
    b = await startPeer(a, database, env);
    admin = await a.adminToken();
  }, 120_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await dropTestRedis(redis);
    await database?.drop();
  });

  const webhook = unsignedWebhook;

  it('counts one address’s webhooks on A and B against one limit, in Redis', async () => {
    await awayFromWindowEdge();
    const ip = '203.0.113.60';
    const first = await Promise.all(
      Array.from({ length: LIMIT }, (_, i) => webhook(i % 2 ? b : a, ip)),
    );
    expect(first.every((s) => s !== 429)).toBe(true);
    expect([await webhook(a, ip), await webhook(b, ip)]).toEqual([429, 429]);
    expect(await webhook(b, '203.0.113.61')).not.toBe(429);
    const windows = await redis.client.keys(redis.key('rate', `webhooks:${ip}:*`));
    expect(windows).toHaveLength(1);
    expect(await redis.client.get(windows[0])).toBe(String(LIMIT));
  });

  it('blocks an address on B once its failed authentications on A reach the limit', async () => {
    await awayFromWindowEdge();
    const ip = '198.51.100.90';
    const attempt = (via: TestServer, apiKey?: string) =>
      via.request('GET', '/api/v1/payments', {
        ...(apiKey ? { apiKey } : {}),
        headers: { 'x-forwarded-for': ip },
      });
    for (let i = 0; i < LIMIT; i++) {
      expect((await attempt(a, `psk_wrong_${i}`)).status).toBe(401);
    }
    expect((await attempt(a)).status).toBe(429);
    // B never saw this address fail; it learns of the full window within its reload interval.
    await eventually(async () => (await attempt(b)).status === 429);
  });

  it('opens the circuit on B after failures on A, and a reset on B closes it for A', async () => {
    const flaky = await testAccount(a, admin, 'flaky', { failureMode: 'unavailable' });
    const spare = await testAccount(a, admin, 'spare');
    const pay = await shopRoutedTo(a, admin, flaky, spare);
    const health = (via: TestServer) => accountHealth(via, admin, flaky);

    for (let i = 0; i < CIRCUIT_THRESHOLD; i++) {
      expect((await pay(a)).body.provider.accountId).toBe(spare);
    }
    expect(await health(a)).toMatchObject({ state: 'open', scope: 'shared' });
    await eventually(async () => (await health(b)).state === 'open');
    expect(await health(b)).toMatchObject({
      consecutiveFailures: CIRCUIT_THRESHOLD,
      lastFailure: expect.stringMatching(/^provider_unavailable/),
    });
    const routedAround = (await pay(b)).body;
    expect(routedAround.routing.attempts[0]).toEqual({
      providerAccountId: flaky,
      outcome: 'skipped',
      error: expect.stringContaining('circuit open'),
    });
    // The state is in Redis, not in table provider_circuits.
    expect(await redis.client.hexists(redis.key('circuits'), flaky)).toBe(1);
    expect(await a.dataSource.query('SELECT * FROM provider_circuits')).toEqual([]);

    await a.request('PATCH', `/api/v1/admin/provider-accounts/${flaky}`, {
      token: admin,
      body: { settings: { failureMode: 'none' } },
    });
    const reset = await b.request('POST', `/api/v1/admin/provider-accounts/${flaky}/health/reset`, {
      token: admin,
    });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    await eventually(async () => (await health(a)).state === 'closed');
    expect((await pay(a)).body.provider.accountId).toBe(flaky);
    const audit = await a.request(
      'GET',
      `/api/v1/admin/audit-events?action=provider_account.health_reset&targetId=${flaky}`,
      { token: admin },
    );
    expect(audit.body.data).toEqual([
      expect.objectContaining({ targetId: flaky, outcome: 'succeeded' }),
    ]);
  });
});
