import type { AuditService } from '../audit/audit.service';
import type { RedisConnection } from '../common/redis/redis-connection';
import type { TransactionService } from '../database/transaction.service';
import { dropTestRedis, testRedisConnection, testRedisUrl } from '../../test/support/redis';
import { CircuitBreaker } from './circuit-breaker';
import { RedisCircuits } from './redis-circuits';

const url = testRedisUrl();
const describeRedis = url ? describe : describe.skip;

const THRESHOLD = 3;

/** Against the real Redis (PAYMENTSERVER_TEST_REDIS_URL), under a key prefix of its own. */
describeRedis('RedisCircuits', () => {
  let redis: RedisConnection;
  const audited: string[] = [];
  const tx = { run: (work: (m: unknown) => Promise<unknown>) => work({}) };
  const audit = {
    record: async (_m: unknown, details: { targetId?: string }) => {
      audited.push(details.targetId ?? '');
    },
  };

  /** One server instance: its breaker and its shared circuits, on the one Redis. */
  const instance = (connection = redis) => {
    const breaker = new CircuitBreaker({
      routing: {
        circuitFailureThreshold: THRESHOLD,
        circuitCooldownMs: 60_000,
        providerTimeoutMs: 1,
        timeBudgetMs: 1,
      },
    });
    const shared = new RedisCircuits(
      breaker,
      connection,
      tx as unknown as TransactionService,
      audit as unknown as AuditService,
    );
    shared.onModuleInit();
    return { breaker, shared };
  };

  beforeAll(async () => {
    redis = await testRedisConnection(url!);
  });

  afterAll(() => dropTestRedis(redis));

  it('adds up failures on two instances into one count; the one reaching the threshold opens it for both', async () => {
    const a = instance();
    const b = instance();
    a.breaker.recordRetryableFailure('pa_1', 'provider_unavailable: down');
    await a.shared.settled();
    await b.shared.reload();
    expect(b.breaker.view('pa_1')).toMatchObject({ state: 'closed', consecutiveFailures: 1 });
    b.breaker.recordRetryableFailure('pa_1', 'provider_unavailable: down');
    await b.shared.settled();
    await a.shared.reload();
    a.breaker.recordRetryableFailure('pa_1', 'provider_unavailable: still down');
    await a.shared.settled();
    expect(a.breaker.view('pa_1')).toMatchObject({ state: 'open', consecutiveFailures: 3 });
    await b.shared.reload();
    expect(b.breaker.view('pa_1')).toEqual(a.breaker.view('pa_1'));
    expect(b.breaker.view('pa_1')).toMatchObject({
      state: 'open',
      lastFailure: 'provider_unavailable: still down',
    });
    expect(b.breaker.tryAcquire('pa_1')).toBe(false);
  });

  it('counts concurrent failures atomically', async () => {
    const instances = Array.from({ length: 4 }, () => instance());
    for (const { breaker } of instances) breaker.recordRetryableFailure('pa_2', 'timeout');
    await Promise.all(instances.map(({ shared }) => shared.settled()));
    const check = instance();
    await check.shared.reload();
    expect(check.breaker.view('pa_2')).toMatchObject({ state: 'open', consecutiveFailures: 4 });
  });

  it('shares a probe and a recovery, and a reset closes the circuit for all (audited)', async () => {
    const a = instance();
    const b = instance();
    for (let i = 0; i < THRESHOLD; i++) a.breaker.recordRetryableFailure('pa_3', 'timeout');
    await a.shared.settled();
    // Half-open on A (its clock moved past the cooldown): A takes the probe, B learns of it.
    const later = Date.now() + 61_000;
    a.breaker.now = () => later;
    b.breaker.now = () => later;
    expect(a.breaker.tryAcquire('pa_3')).toBe(true);
    await a.shared.settled();
    await b.shared.reload();
    expect(b.breaker.wouldAdmit('pa_3')).toBe(false);
    a.breaker.recordHealthy('pa_3');
    await a.shared.settled();
    await b.shared.reload();
    expect(b.breaker.view('pa_3').state).toBe('closed');
    expect(await redis.client.hexists(redis.key('circuits'), 'pa_3')).toBe(0);

    for (let i = 0; i < THRESHOLD; i++) b.breaker.recordRetryableFailure('pa_4', 'timeout');
    await b.shared.settled();
    await a.shared.reset('pa_4');
    expect(a.breaker.state('pa_4')).toBe('closed');
    expect(audited).toContain('pa_4');
    await b.shared.reload();
    expect(b.breaker.state('pa_4')).toBe('closed');
  });

  it('keeps the instance’s own view while Redis is unreachable', async () => {
    const down = await testRedisConnection(url!);
    const { breaker, shared } = instance(down);
    down.client.disconnect();
    for (let i = 0; i < THRESHOLD; i++) breaker.recordRetryableFailure('pa_5', 'timeout');
    await shared.settled();
    await shared.reload();
    expect(breaker.view('pa_5')).toMatchObject({ state: 'open', consecutiveFailures: 3 });
    // A reset cannot close it for every instance: refused as unavailable (503), not audited.
    await expect(shared.reset('pa_5')).rejects.toMatchObject({
      code: 'redis_unavailable',
      status: 503,
    });
    expect(audited).not.toContain('pa_5');
    await down.close();
  });
});
