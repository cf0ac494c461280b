import type { RedisConnection } from '../redis/redis-connection';
import { dropTestRedis, testRedisConnection, testRedisUrl } from '../../../test/support/redis';
import { RedisRateCounter } from './redis-rate-counter';
import { SHARED_WINDOW_MS } from './shared-rate-counter';

const url = testRedisUrl();
const describeRedis = url ? describe : describe.skip;

/** Against the real Redis (PAYMENTSERVER_TEST_REDIS_URL), under a key prefix of its own. */
describeRedis('RedisRateCounter', () => {
  let redis: RedisConnection;
  let a: RedisRateCounter;
  let b: RedisRateCounter;
  /** Well inside a window: 10 s after its start. */
  const start = Math.floor(Date.now() / SHARED_WINDOW_MS) * SHARED_WINDOW_MS;
  const now = start + 10_000;

  beforeAll(async () => {
    redis = await testRedisConnection(url!);
    // Two instances sharing the Redis.
    a = new RedisRateCounter(redis);
    b = new RedisRateCounter(redis);
  });

  afterAll(() => dropTestRedis(redis));

  it('counts hits up to the limit across instances, then refuses without counting', async () => {
    const bucket = 'webhooks:203.0.113.1';
    expect(await a.hit(bucket, 3, now)).toEqual({
      allowed: true,
      retryAfterSeconds: 50,
      full: false,
    });
    expect(await b.hit(bucket, 3, now)).toMatchObject({ allowed: true, full: false });
    expect(await a.hit(bucket, 3, now)).toMatchObject({ allowed: true, full: true });
    expect(await b.hit(bucket, 3, now + 5_000)).toEqual({
      allowed: false,
      retryAfterSeconds: 45,
      full: true,
    });
    expect(await redis.client.get(redis.key('rate', `${bucket}:${start}`))).toBe('3');
    // The next window starts empty.
    expect(await a.hit(bucket, 3, start + SHARED_WINDOW_MS)).toMatchObject({
      allowed: true,
      full: false,
    });
  });

  it('expires a window shortly after it ends', async () => {
    const bucket = 'webhooks:203.0.113.2';
    await a.hit(bucket, 5, Date.now());
    const window = Math.floor(Date.now() / SHARED_WINDOW_MS) * SHARED_WINDOW_MS;
    const ttl = await redis.client.pttl(redis.key('rate', `${bucket}:${window}`));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(SHARED_WINDOW_MS + 5_000);
  });

  it('counts concurrent hits exactly: the limit allowed, the rest refused', async () => {
    const bucket = 'auth-failures:203.0.113.3';
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).hit(bucket, 7, now)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(7);
    expect(decisions.filter((d) => d.full && d.allowed)).toHaveLength(1);
    expect(await redis.client.get(redis.key('rate', `${bucket}:${start}`))).toBe('7');
  });

  it('lists the full windows still running, and purges those that ended', async () => {
    const live = Date.now();
    const bucket = 'webhooks:203.0.113.4';
    await a.hit(bucket, 1, live);
    await a.hit('webhooks:203.0.113.5', 2, live); // not full
    const windows = await b.fullWindows(1, new Date(live));
    const window = Math.floor(live / SHARED_WINDOW_MS) * SHARED_WINDOW_MS;
    expect(windows).toContainEqual({
      key: `${bucket}:${window}`,
      hits: 1,
      expiresAt: new Date(window + SHARED_WINDOW_MS),
    });
    expect(windows.map((w) => w.key)).not.toContain(`webhooks:203.0.113.5:${window}`);
    expect(await b.fullWindows(2, new Date(live))).toEqual(windows.filter((w) => w.hits >= 2));
    // Once the window ended it is no longer listed, and purge forgets it.
    const after = new Date(window + SHARED_WINDOW_MS);
    expect(await b.fullWindows(1, after)).toEqual([]);
    await b.purge(after);
    expect(await redis.client.zcard(redis.key('rate-full'))).toBe(0);
  });

  it('fails open, without throwing, while Redis is unreachable', async () => {
    const down = await testRedisConnection(url!);
    const counter = new RedisRateCounter(down);
    down.client.disconnect();
    const decision = await counter.hit('webhooks:203.0.113.6', 1, now);
    expect(decision).toEqual({ allowed: true, retryAfterSeconds: 50, full: false });
    expect(await counter.fullWindows(1)).toEqual([]);
    await expect(counter.purge()).resolves.toBeUndefined();
    await down.close();
  });
});
