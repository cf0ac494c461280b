import { describe, expect, it } from 'vitest';
import { setShare, toPercentages, withTargetAdded, withTargetRemoved } from './weights';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('target shares', () => {
  it('turns any positive weights into percentages adding up to 100', () => {
    expect(toPercentages([1])).toEqual([100]);
    expect(toPercentages([1, 1])).toEqual([50, 50]);
    expect(toPercentages([1, 2])).toEqual([33, 67]);
    expect(toPercentages([1, 1, 1])).toEqual([34, 33, 33]);
    expect(toPercentages([999_999, 1])).toEqual([99, 1]);
  });

  it('moves one slider and spreads the rest in proportion, each target keeping at least 1 %', () => {
    expect(setShare([50, 50], 0, 30)).toEqual([30, 70]);
    expect(setShare([40, 40, 20], 2, 60)).toEqual([20, 20, 60]);
    expect(setShare([50, 25, 25], 0, 100)).toEqual([98, 1, 1]);
    expect(setShare([50, 50], 1, 0)).toEqual([99, 1]);
    for (const [shares, index, value] of [
      [[33, 33, 34], 1, 47],
      [[10, 20, 30, 40], 3, 5],
      [[1, 98, 1], 0, 50],
    ] as const) {
      const next = setShare([...shares], index, value);
      expect(sum(next)).toBe(100);
      expect(Math.min(...next)).toBeGreaterThanOrEqual(1);
    }
  });

  it('gives an added target an equal share and shares out a removed one', () => {
    expect(withTargetAdded([])).toEqual([100]);
    expect(withTargetAdded([100])).toEqual([50, 50]);
    expect(withTargetAdded([70, 30])).toEqual([47, 20, 33]);
    expect(withTargetRemoved([47, 20, 33], 1)).toEqual([59, 41]);
  });
});
