import { describe, expect, it } from 'vitest';
import type { RoutingRule } from '../../api/types';
import { describeConditions, ruleField, ruleToValues, valuesToRule } from './rule-form';

const rule: RoutingRule = {
  id: 'rr_1',
  name: 'EUR split',
  priority: 10,
  enabled: true,
  integrationId: null,
  conditions: { currencies: ['EUR'], amountMin: 1000, countries: ['NL'] },
  targets: [
    { providerAccountId: 'pa_a', weight: 7 },
    { providerAccountId: 'pa_b', weight: 3 },
  ],
  fallback: ['test'],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('routing rule form', () => {
  it('shows weights as shares and amounts in the one currency, and sends them back unchanged in meaning', () => {
    const values = ruleToValues(rule);
    expect(values.targets).toEqual([
      { providerAccountId: 'pa_a', share: 70 },
      { providerAccountId: 'pa_b', share: 30 },
    ]);
    expect(values.amountMin).toBe('10.00');
    expect(valuesToRule(values)).toEqual({
      body: {
        name: 'EUR split',
        priority: 10,
        enabled: true,
        integrationId: null,
        conditions: { currencies: ['EUR'], amountMin: 1000, countries: ['NL'] },
        targets: [
          { providerAccountId: 'pa_a', weight: 70 },
          { providerAccountId: 'pa_b', weight: 30 },
        ],
        fallback: ['test'],
      },
      errors: {},
    });
  });

  it('takes amounts with a decimal comma in the currency, and minor units without one currency', () => {
    const values = {
      ...ruleToValues(),
      name: 'x',
      currencies: ['EUR'],
      amountMax: '99,95',
      targets: [{ providerAccountId: 'pa_a', share: 100 }],
    };
    expect(valuesToRule(values).body.conditions).toEqual({ currencies: ['EUR'], amountMax: 9995 });
    const many = { ...values, currencies: ['EUR', 'USD'], amountMax: '9995' };
    expect(valuesToRule(many).body.conditions).toEqual({
      currencies: ['EUR', 'USD'],
      amountMax: 9995,
    });
    expect(valuesToRule({ ...many, amountMax: '99.95' }).errors.amountMax).toMatch(/minor units/i);
  });

  it('names every problem before sending', () => {
    const { errors } = valuesToRule({
      ...ruleToValues(),
      priority: 'first',
      metadata: [{ key: '', value: 'app' }],
      targets: [{ providerAccountId: '', share: 60 }],
    });
    expect(errors).toEqual({
      name: 'Give the rule a name',
      priority: 'A whole number; lowest is evaluated first',
      'metadata.0.key': 'Enter a key',
      'targets.0.providerAccountId': 'Choose an account',
      targets: 'The shares add up to 60 %, not 100 %',
    });
  });

  it('maps the server field names to the form', () => {
    expect(ruleField('conditions.currencies')).toBe('currencies');
    expect(ruleField('targets.1.providerAccountId')).toBe('targets.1.providerAccountId');
    expect(ruleField('fallback.0')).toBe('fallback');
  });

  it('says which payments a rule takes', () => {
    expect(describeConditions(rule.conditions)).toBe(
      'EUR payments of €10.00 or more from customers in NL',
    );
    expect(describeConditions({})).toBe('Payments in any currency');
    expect(
      describeConditions({ methods: ['ideal'], metadata: { channel: 'app' }, amountMax: 500 }),
    ).toBe('Payments in any currency up to 500 minor units paid by ideal with channel = app');
  });
});
