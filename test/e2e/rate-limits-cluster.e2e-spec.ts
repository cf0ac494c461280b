import { createTestDatabase, TestDatabase } from '../support/databases';
import { Dialect, serviceUrl } from '../support/services';
import { eventually, startPeer, startTestServer, TestServer } from '../support/test-server';
import { awayFromWindowEdge, unsignedWebhook } from '../support/cluster-scenarios';

/**
 * Two server instances on one server database enforce one rate limit between them (fixed
 * one-minute windows in rate_limit_windows), as three behind a load balancer would.
 */
const dialects = (['mysql', 'postgres'] as Dialect[]).filter((d) =>
  serviceUrl(d as 'mysql' | 'postgres'),
);
const describeEach =
  dialects.length > 0 ? describe.each(dialects) : describe.skip.each([['none' as Dialect]]);

const LIMIT = 4;

describeEach('rate limits shared by two instances on %s', (dialect) => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const env = {
      PAYMENTSERVER_WEBHOOK_RATE_LIMIT: String(LIMIT),
      PAYMENTSERVER_AUTH_FAILURE_RATE_LIMIT: String(LIMIT),
    };
    a = await startTestServer({ database, env });
    b = await startPeer(a, database, env);
  }, 120_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await database?.drop();
  });

  // Both instances trust X-Forwarded-For from a loopback peer, as behind a local proxy.
  const webhook = unsignedWebhook;

  it('lets one address send the limit in webhooks across both instances, not the limit on each', async () => {
    await awayFromWindowEdge();
    const ip = '203.0.113.40';
    const statuses: number[] = [];
    // Alternating, as a round-robin balancer would; concurrently, so both count at once.
    const first = await Promise.all(
      Array.from({ length: LIMIT }, (_, i) => webhook(i % 2 ? b : a, ip)),
    );
    statuses.push(...first);
    statuses.push(await webhook(a, ip), await webhook(b, ip));
    expect(first.every((s) => s !== 429)).toBe(true);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    expect(await webhook(b, '203.0.113.41')).not.toBe(429);

    const q = a.dataSource.driver.escape.bind(a.dataSource.driver);
    const rows = await a.dataSource.query(
      `SELECT ${q('hits')} AS hits FROM ${q('rate_limit_windows')} WHERE ${q('key')} LIKE 'webhooks:203.0.113.40:%'`,
    );
    expect(rows.map((r: { hits: unknown }) => Number(r.hits))).toEqual([LIMIT]);
  });

  it('blocks an address on both instances once its failed authentications on either add up to the limit', async () => {
    await awayFromWindowEdge();
    const ip = '198.51.100.77';
    const attempt = (via: TestServer, apiKey?: string) =>
      via.request('GET', '/api/v1/payments', {
        ...(apiKey ? { apiKey } : {}),
        headers: { 'x-forwarded-for': ip },
      });
    for (let i = 0; i < LIMIT; i++) {
      expect((await attempt(i < LIMIT - 1 ? a : b, `psk_wrong_${i}`)).status).toBe(401);
    }
    // B counted the last failure, so B refuses at once; A learns it within its reload interval.
    const onB = await attempt(b);
    expect(onB.status).toBe(429);
    expect(Number(onB.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await eventually(async () => (await attempt(a)).status === 429);
    // Another address with the valid key is unaffected on either.
    expect(
      (
        await a.request('GET', '/api/v1/payments', {
          headers: { 'x-forwarded-for': '198.51.100.78' },
        })
      ).status,
    ).toBe(200);
  });
});
