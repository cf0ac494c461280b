import { chooseTarget, stickyBucket, stickyKeyOf } from './weighted-split';
import type { RuleTarget } from './routing-rule.entity';

/** Upper 0.1 % points of the chi-square distribution, by degrees of freedom. */
const CHI_SQUARE_999: Record<number, number> = { 1: 10.828, 2: 13.816, 3: 16.266, 4: 18.467 };

function shares(ruleId: string, targets: RuleTarget[], customers: number): Map<string, number> {
  const counts = new Map(targets.map((t) => [t.providerAccountId, 0]));
  for (let i = 0; i < customers; i++) {
    const { key } = stickyKeyOf(`customer-${i}@example.com`, `order-${i}`);
    const id = chooseTarget(ruleId, targets, key).target.providerAccountId;
    counts.set(id, counts.get(id)! + 1);
  }
  return counts;
}

function chiSquare(targets: RuleTarget[], counts: Map<string, number>, n: number): number {
  const total = targets.reduce((s, t) => s + t.weight, 0);
  return targets.reduce((sum, t) => {
    const expected = (n * t.weight) / total;
    const observed = counts.get(t.providerAccountId)!;
    return sum + (observed - expected) ** 2 / expected;
  }, 0);
}

describe('weighted split', () => {
  const N = 10_000;

  it.each([
    ['70/30', [70, 30]],
    ['70/20/10', [70, 20, 10]],
    ['1/1', [1, 1]],
    ['3/5/2/7', [3, 5, 2, 7]],
    ['99/1', [99, 1]],
  ])(
    'gives shares matching the weights %s over 10,000 customers (chi-square below its 0.1 %% critical value)',
    (_, weights) => {
      const targets = (weights as number[]).map((weight, i) => ({
        providerAccountId: `pa_${i}`,
        weight,
      }));
      const counts = shares('rr_split', targets, N);
      expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(N);
      expect(chiSquare(targets, counts, N)).toBeLessThan(CHI_SQUARE_999[targets.length - 1]);
      // Every target gets traffic, even a 1 % one (expected 100 of 10,000).
      for (const count of counts.values()) expect(count).toBeGreaterThan(0);
    },
  );

  it('is sticky: the same customer always gets the same target, whatever the case of the e-mail address', () => {
    const targets = [
      { providerAccountId: 'a', weight: 1 },
      { providerAccountId: 'b', weight: 1 },
    ];
    for (let i = 0; i < 200; i++) {
      const first = chooseTarget(
        'rr_1',
        targets,
        stickyKeyOf(`Jane.${i}@Example.com`, `order-${i}`).key,
      ).target;
      const again = chooseTarget(
        'rr_1',
        targets,
        stickyKeyOf(` jane.${i}@example.com `, `other-order-${i}`).key,
      ).target;
      expect(again).toBe(first);
    }
  });

  it('keys on the reference when the customer gives no e-mail address', () => {
    expect(stickyKeyOf(null, 'order-7')).toEqual({ key: 'reference:order-7', source: 'reference' });
    expect(stickyKeyOf('', 'order-7').source).toBe('reference');
    expect(stickyKeyOf('a@b.c', 'order-7')).toEqual({
      key: 'email:a@b.c',
      source: 'customer.email',
    });
  });

  it('splits independently per rule: about half the customers land on the same side under two 50/50 rules', () => {
    const targets = [
      { providerAccountId: 'a', weight: 1 },
      { providerAccountId: 'b', weight: 1 },
    ];
    let same = 0;
    for (let i = 0; i < N; i++) {
      const key = `email:customer-${i}@example.com`;
      if (
        chooseTarget('rr_one', targets, key).target === chooseTarget('rr_two', targets, key).target
      )
        same++;
    }
    // Binomial(10,000, 0.5): the standard deviation is 50; 4 of them either side.
    expect(Math.abs(same - N / 2)).toBeLessThan(200);
  });

  it('maps buckets onto consecutive ranges in target order', () => {
    const targets = [
      { providerAccountId: 'a', weight: 2 },
      { providerAccountId: 'b', weight: 3 },
    ];
    for (let i = 0; i < 500; i++) {
      const choice = chooseTarget('rr_r', targets, `k${i}`);
      expect(Number.isInteger(choice.bucket)).toBe(true);
      expect(choice.bucket).toBe(stickyBucket('rr_r', `k${i}`, 5));
      expect(choice.target.providerAccountId).toBe(choice.bucket < 2 ? 'a' : 'b');
    }
  });
});
