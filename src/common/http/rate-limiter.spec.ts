import { ThrottlerStorageService } from '@nestjs/throttler';
import { clientKey, RateLimiter, rateLimitThrottlers } from './rate-limiter';

describe('RateLimiter (on @nestjs/throttler storage)', () => {
  let storage: ThrottlerStorageService;
  const limiter = (webhooks: number, authFailures = 0) =>
    new RateLimiter(
      storage,
      rateLimitThrottlers({
        webhookRequestsPerMinute: webhooks,
        authFailuresPerMinute: authFailures,
        corsOrigins: [],
        trustedProxies: [],
      }),
    );

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    storage = new ThrottlerStorageService();
  });

  afterEach(() => {
    storage.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('allows `limit` hits per minute and refuses the next with the seconds until the oldest expires', async () => {
    const rate = limiter(3);
    for (let i = 0; i < 3; i++) expect((await rate.hit('webhooks', 'a')).allowed).toBe(true);
    jest.advanceTimersByTime(20_500);
    expect(await rate.hit('webhooks', 'a')).toEqual({ allowed: false, retryAfterSeconds: 40 });
  });

  it('counts clients apart, and each limit apart', async () => {
    const rate = limiter(1, 1);
    expect((await rate.hit('webhooks', 'a')).allowed).toBe(true);
    expect((await rate.hit('webhooks', 'a')).allowed).toBe(false);
    expect((await rate.hit('webhooks', 'b')).allowed).toBe(true);
    expect((await rate.hit('auth-failures', 'a')).allowed).toBe(true);
  });

  it('slides: a hit leaves the window a minute after it was counted; refused hits do not count', async () => {
    const rate = limiter(2);
    await rate.hit('webhooks', 'a');
    jest.advanceTimersByTime(30_000);
    await rate.hit('webhooks', 'a');
    for (let i = 0; i < 5; i++) expect((await rate.hit('webhooks', 'a')).allowed).toBe(false);
    jest.advanceTimersByTime(30_000); // the first hit is now a minute old
    expect((await rate.hit('webhooks', 'a')).allowed).toBe(true);
    expect(await rate.hit('webhooks', 'a')).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });

  it('checks without counting', async () => {
    const rate = limiter(0, 2);
    for (let i = 0; i < 5; i++) expect((await rate.check('auth-failures', 'a')).allowed).toBe(true);
    await rate.hit('auth-failures', 'a');
    expect((await rate.check('auth-failures', 'a')).allowed).toBe(true);
    jest.advanceTimersByTime(15_000);
    await rate.hit('auth-failures', 'a');
    expect(await rate.check('auth-failures', 'a')).toEqual({
      allowed: false,
      retryAfterSeconds: 45,
    });
    expect(await rate.check('auth-failures', 'a')).toEqual({
      allowed: false,
      retryAfterSeconds: 45,
    });
    expect((await rate.check('auth-failures', 'b')).allowed).toBe(true);
    jest.advanceTimersByTime(45_000);
    expect((await rate.check('auth-failures', 'a')).allowed).toBe(true);
  });

  it('does not limit what is configured as 0', async () => {
    const rate = limiter(0, 0);
    for (let i = 0; i < 10; i++) {
      expect((await rate.hit('webhooks', 'a')).allowed).toBe(true);
      expect((await rate.check('auth-failures', 'a')).allowed).toBe(true);
    }
  });

  it('forgets idle clients (the storage sweeps them)', async () => {
    const rate = limiter(1);
    await rate.hit('webhooks', 'a');
    expect(storage.storage.size).toBe(1);
    jest.advanceTimersByTime(120_000);
    expect(storage.storage.size).toBe(0);
  });
});

describe('clientKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:aaaa::1', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80::/64'],
    [undefined, 'unknown'],
  ])('counts %s as %s', (ip, key) => {
    expect(clientKey(ip)).toBe(key);
  });

  it('puts two addresses of one /64 in one bucket and another /64 apart', () => {
    expect(clientKey('2001:db8:1:2::a')).toBe(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(clientKey('2001:db8:1:3::a')).not.toBe(clientKey('2001:db8:1:2::a'));
  });
});
