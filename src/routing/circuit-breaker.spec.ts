import { CircuitBreaker } from './circuit-breaker';

describe('circuit breaker', () => {
  let now = 1_000_000;
  const breaker = () => {
    const b = new CircuitBreaker({
      routing: {
        circuitFailureThreshold: 3,
        circuitCooldownMs: 1000,
        providerTimeoutMs: 1,
        timeBudgetMs: 1,
      },
    });
    b.now = () => now;
    return b;
  };

  it('opens after N consecutive retryable failures, not before', () => {
    const b = breaker();
    b.recordRetryableFailure('a', 'timeout');
    b.recordRetryableFailure('a', 'timeout');
    expect(b.state('a')).toBe('closed');
    expect(b.tryAcquire('a')).toBe(true);
    b.recordRetryableFailure('a', 'timeout');
    expect(b.state('a')).toBe('open');
    expect(b.tryAcquire('a')).toBe(false);
    expect(b.view('a')).toMatchObject({
      state: 'open',
      consecutiveFailures: 3,
      lastFailure: 'timeout',
    });
  });

  it('a healthy answer in between resets the count', () => {
    const b = breaker();
    b.recordRetryableFailure('a', 'timeout');
    b.recordRetryableFailure('a', 'timeout');
    b.recordHealthy('a');
    b.recordRetryableFailure('a', 'timeout');
    expect(b.state('a')).toBe('closed');
  });

  it('lets exactly one probe through after the cooldown, and closes on its success', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.recordRetryableFailure('a', 'timeout');
    now += 999;
    expect(b.tryAcquire('a')).toBe(false);
    now += 1;
    expect(b.state('a')).toBe('half_open');
    expect(b.tryAcquire('a')).toBe(true);
    expect(b.tryAcquire('a')).toBe(false);
    b.recordHealthy('a');
    expect(b.state('a')).toBe('closed');
    expect(b.tryAcquire('a')).toBe(true);
  });

  it('opens again at once when the probe fails', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.recordRetryableFailure('a', 'timeout');
    now += 1000;
    expect(b.tryAcquire('a')).toBe(true);
    b.recordRetryableFailure('a', 'provider_unavailable');
    expect(b.state('a')).toBe('open');
    expect(b.tryAcquire('a')).toBe(false);
  });

  it('keeps accounts apart', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.recordRetryableFailure('a', 'timeout');
    expect(b.state('b')).toBe('closed');
    expect(b.tryAcquire('b')).toBe(true);
  });

  it('answers wouldAdmit like tryAcquire without taking the half-open probe', () => {
    const b = breaker();
    expect(b.wouldAdmit('a')).toBe(true);
    for (let i = 0; i < 3; i++) b.recordRetryableFailure('a', 'timeout');
    expect(b.wouldAdmit('a')).toBe(false);
    now += 1000;
    expect(b.wouldAdmit('a')).toBe(true);
    expect(b.wouldAdmit('a')).toBe(true);
    expect(b.tryAcquire('a')).toBe(true);
    expect(b.wouldAdmit('a')).toBe(false);
  });

  it('tells onChange of each transition it makes, and of none when nothing changes', () => {
    const b = breaker();
    const changes: unknown[] = [];
    b.onChange = (change) => changes.push(change);
    b.recordHealthy('a'); // nothing to close: nothing to share, no database write
    expect(changes).toEqual([]);
    for (let i = 0; i < 3; i++) b.recordRetryableFailure('a', 'timeout');
    now += 1000;
    expect(b.tryAcquire('a')).toBe(true);
    b.recordHealthy('a');
    expect(changes).toEqual([
      { kind: 'failure', accountId: 'a', error: 'timeout', at: now - 1000 },
      { kind: 'failure', accountId: 'a', error: 'timeout', at: now - 1000 },
      { kind: 'failure', accountId: 'a', error: 'timeout', at: now - 1000 },
      { kind: 'probe', accountId: 'a', at: now },
      { kind: 'healthy', accountId: 'a' },
    ]);
  });

  it('adopts the shared state as its view: an outage another instance saw, and its end', () => {
    const b = breaker();
    b.adopt('a', {
      consecutiveFailures: 3,
      openedAt: now,
      probeStartedAt: null,
      lastFailure: 'provider_unavailable: 503',
      lastFailureAt: now,
    });
    expect(b.tryAcquire('a')).toBe(false);
    expect(b.view('a')).toMatchObject({ state: 'open', consecutiveFailures: 3 });
    b.adopt('a', null);
    expect(b.state('a')).toBe('closed');
    expect(b.accountIds()).toEqual([]);
  });
});
