import { attemptOutcome } from './delivery.recorder';
import { withJitter } from './next-delivery-state';

describe('withJitter', () => {
  it('spreads a delay over up to 20 % more, never less', () => {
    expect(withJitter(300, () => 0)).toBe(300_000);
    expect(withJitter(300, () => 0.5)).toBe(330_000);
    expect(withJitter(300, () => 0.999999)).toBe(360_000);
  });

  it('never returns the same delay for every failed delivery', () => {
    const delays = new Set(Array.from({ length: 50 }, () => withJitter(1800)));
    expect(delays.size).toBeGreaterThan(1);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(1_800_000);
      expect(delay).toBeLessThanOrEqual(2_160_000);
    }
  });
});

describe('attemptOutcome', () => {
  it('names what became of an attempt, for the attempts metric', () => {
    expect(attemptOutcome({ ok: true, responseCode: 204 })).toBe('succeeded');
    expect(attemptOutcome({ ok: false, responseCode: 500 })).toBe('failed');
    expect(attemptOutcome({ ok: false, responseCode: 410, gone: true })).toBe('gone');
    expect(attemptOutcome({ ok: false, notAttempted: true, error: 'broker down' })).toBe(
      'not_attempted',
    );
  });
});
