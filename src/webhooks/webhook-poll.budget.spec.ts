import { WebhookPollBudget } from './webhook-poll.budget';

describe('WebhookPollBudget', () => {
  const make = (perMinute: number) => {
    let now = 1_000_000;
    const budget = new WebhookPollBudget({ webhooks: { pollBudgetPerMinute: perMinute } as never });
    budget.now = () => now;
    return { budget, advance: (ms: number) => (now += ms) };
  };

  it('allows the budget per account, then nothing until it refills', () => {
    const { budget, advance } = make(3);
    expect([1, 2, 3, 4].map(() => budget.take('pa_a'))).toEqual([true, true, true, false]);
    expect(budget.take('pa_b')).toBe(true);
    expect(budget.waitMs('pa_a')).toBe(20_000);
    advance(19_999);
    expect(budget.take('pa_a')).toBe(false);
    advance(1);
    expect(budget.take('pa_a')).toBe(true);
    expect(budget.take('pa_a')).toBe(false);
  });

  it('never holds more than one minute of budget', () => {
    const { budget, advance } = make(2);
    advance(10 * 60_000);
    expect([1, 2, 3].map(() => budget.take('pa_a'))).toEqual([true, true, false]);
  });
});
