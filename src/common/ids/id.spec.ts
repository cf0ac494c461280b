import { isIssuedId, newId } from './id';

describe('newId', () => {
  it('is the prefix, an underscore and 24 base62 characters', () => {
    expect(newId('pay')).toMatch(/^pay_[0-9A-Za-z]{24}$/);
    expect(newId('re', 20)).toMatch(/^re_[0-9A-Za-z]{20}$/);
  });

  it('starts with its creation time, so ids sort in creation order in any collation', () => {
    const before = Date.now();
    const id = newId('pay');
    const time = parseInt(id.slice(4, 12), 36);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
    // Lower case only: a case-insensitive collation (MySQL's default) sorts it the same way.
    expect(id.slice(4, 12)).toMatch(/^[0-9a-z]{8}$/);
    const later = new Date(before + 1);
    jest.useFakeTimers({ now: later, doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const next = newId('pay');
      expect(next.slice(0, 12) > id.slice(0, 12)).toBe(true);
      expect(next.slice(0, 12).toLowerCase() > id.slice(0, 12).toLowerCase()).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('never repeats across more ids than one block of random bytes serves', () => {
    const ids = new Set(Array.from({ length: 20_000 }, () => newId('evt')));
    expect(ids.size).toBe(20_000);
  });

  it('uses every base62 character of its random part with roughly equal frequency (no modulo bias)', () => {
    const counts = new Map<string, number>();
    const n = 5_000;
    for (let i = 0; i < n; i++)
      for (const c of newId('x').slice(2 + 8)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // Chi-square goodness of fit, 61 degrees of freedom; 112 is far beyond the 0.9999 quantile (~105).
    const expected = (n * 16) / 62;
    const chi2 = [...counts.values()].reduce(
      (sum, observed) => sum + (observed - expected) ** 2 / expected,
      0,
    );
    expect(chi2).toBeLessThan(112);
  });
});

describe('isIssuedId', () => {
  it('takes what newId makes and nothing longer, shorter, of another prefix or alphabet', () => {
    const id = newId('pay');
    expect(isIssuedId('pay', id)).toBe(true);
    for (const other of [
      `${id}0`,
      id.slice(0, -1),
      `pay_${'x'.repeat(120)}`,
      id.replace('pay_', 'pa_x'),
      `${id.slice(0, -1)}-`,
      newId('re'),
    ])
      expect({ other, issued: isIssuedId('pay', other) }).toEqual({ other, issued: false });
  });
});
