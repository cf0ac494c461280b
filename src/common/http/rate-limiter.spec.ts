import { clientKey, RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  it('allows `limit` hits per window and refuses the next with the seconds left', () => {
    const limiter = new RateLimiter(3, 60_000, clock);
    expect([1, 2, 3].map(() => limiter.hit('a').allowed)).toEqual([true, true, true]);
    now += 20_500;
    expect(limiter.hit('a')).toEqual({ allowed: false, retryAfterSeconds: 40 });
  });

  it('counts keys apart', () => {
    const limiter = new RateLimiter(1, 60_000, clock);
    expect(limiter.hit('a').allowed).toBe(true);
    expect(limiter.hit('a').allowed).toBe(false);
    expect(limiter.hit('b').allowed).toBe(true);
  });

  it('opens a new window once the old one has ended', () => {
    const limiter = new RateLimiter(1, 60_000, clock);
    limiter.hit('a');
    expect(limiter.hit('a').allowed).toBe(false);
    now += 60_000;
    expect(limiter.hit('a').allowed).toBe(true);
  });

  it('checks without counting', () => {
    const limiter = new RateLimiter(2, 60_000, clock);
    expect(limiter.check('a').allowed).toBe(true);
    limiter.hit('a');
    expect(limiter.check('a').allowed).toBe(true);
    limiter.hit('a');
    expect(limiter.check('a')).toEqual({ allowed: false, retryAfterSeconds: 60 });
    expect(limiter.check('b').allowed).toBe(true);
  });

  it('keeps at most maxKeys windows, sweeping expired ones first, then the oldest', () => {
    const limiter = new RateLimiter(1, 60_000, clock, 3);
    limiter.hit('old');
    now += 61_000;
    limiter.hit('a');
    limiter.hit('b');
    limiter.hit('c'); // sweeps "old"
    expect(limiter.size).toBe(3);
    expect(limiter.hit('a').allowed).toBe(false);
    limiter.hit('d'); // full of live windows: drops "a", the oldest
    expect(limiter.size).toBe(3);
    expect(limiter.hit('a').allowed).toBe(true);
  });

  it('refuses a limit below 1', () => {
    expect(() => new RateLimiter(0, 1000)).toThrow();
  });
});

describe('clientKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:aaaa::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    [undefined, 'unknown'],
  ])('counts %s as %s', (ip, key) => {
    expect(clientKey(ip)).toBe(key);
  });

  it('puts two addresses of one /64 in one bucket and another /64 apart', () => {
    expect(clientKey('2001:db8:1:2::a')).toBe(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(clientKey('2001:db8:1:3::a')).not.toBe(clientKey('2001:db8:1:2::a'));
  });
});
