import { conditionsHold, firstMatchingRule, RoutablePayment } from './rule-matcher';
import type { RoutingRule, RuleConditions } from './routing-rule.entity';

const payment: RoutablePayment = {
  currency: 'EUR',
  amount: 2500,
  method: 'ideal',
  country: 'NL',
  metadata: { channel: 'app', tier: 'gold' },
};

function rule(
  id: string,
  priority: number,
  conditions: RuleConditions,
  enabled = true,
): RoutingRule {
  const now = new Date();
  return {
    id,
    name: id,
    priority,
    enabled,
    integrationId: null,
    conditions,
    targets: [{ providerAccountId: 'pa', weight: 1 }],
    fallback: [],
    createdAt: now,
    updatedAt: now,
  };
}

describe('rule matching', () => {
  it.each<[string, RuleConditions, boolean]>([
    ['no conditions', {}, true],
    ['currency in list', { currencies: ['USD', 'EUR'] }, true],
    ['currency not in list', { currencies: ['USD'] }, false],
    ['amount within bounds (inclusive)', { amountMin: 2500, amountMax: 2500 }, true],
    ['amount below min', { amountMin: 2501 }, false],
    ['amount above max', { amountMax: 2499 }, false],
    ['country in list', { countries: ['BE', 'NL'] }, true],
    ['country not in list', { countries: ['DE'] }, false],
    ['method in list', { methods: ['ideal'] }, true],
    ['method not in list', { methods: ['card'] }, false],
    ['metadata subset', { metadata: { channel: 'app' } }, true],
    ['metadata value differs', { metadata: { channel: 'web' } }, false],
    ['metadata key missing', { metadata: { campaign: 'x' } }, false],
    [
      'all conditions hold',
      {
        currencies: ['EUR'],
        amountMin: 1000,
        amountMax: 5000,
        countries: ['NL'],
        methods: ['ideal'],
        metadata: { tier: 'gold' },
      },
      true,
    ],
    [
      'all but one hold',
      {
        currencies: ['EUR'],
        amountMin: 1000,
        amountMax: 5000,
        countries: ['NL'],
        methods: ['card'],
      },
      false,
    ],
  ])('%s', (_, conditions, expected) => {
    expect(conditionsHold({ conditions }, payment) !== null).toBe(expected);
  });

  it('does not match a country or method condition when the payment has none', () => {
    const bare = { ...payment, country: null, method: null };
    expect(conditionsHold({ conditions: { countries: ['NL'] } }, bare)).toBeNull();
    expect(conditionsHold({ conditions: { methods: ['ideal'] } }, bare)).toBeNull();
  });

  it('says in words which conditions held', () => {
    expect(
      conditionsHold({ conditions: { currencies: ['EUR'], amountMin: 100 } }, payment),
    ).toEqual(['currency EUR is one of EUR', 'amount 2500 is within 100..∞']);
  });

  it('takes the first enabled matching rule in the order given (lowest priority first)', () => {
    const rules = [
      rule('disabled', 1, {}, false),
      rule('usd', 2, { currencies: ['USD'] }),
      rule('eur', 3, { currencies: ['EUR'] }),
      rule('any', 4, {}),
    ];
    expect(firstMatchingRule(rules, payment)?.rule.id).toBe('eur');
    expect(firstMatchingRule(rules.slice(0, 2), payment)).toBeNull();
  });
});
