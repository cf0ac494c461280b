import type { ProviderAccount } from '../providers/provider-account.entity';
import { explainRoute } from './route-explanation';
import type { RouteCandidate, RouteDecision } from './routing.types';

const candidate = (id: string, role: string): RouteCandidate => ({
  account: { id } as ProviderAccount,
  role,
});
const first = candidate('acc_a', 'target');
const fallback = candidate('acc_b', 'fallback #1');
const decision: RouteDecision = {
  ruleId: 'rr_1',
  reason: 'rule "EU" matched',
  candidates: [first, fallback],
  skipped: [],
  deadline: 0,
};

describe('explainRoute', () => {
  it('is the decision reason alone when the first candidate took the payment', () => {
    expect(
      explainRoute(decision, [{ providerAccountId: 'acc_a', outcome: 'succeeded' }], first),
    ).toBe('rule "EU" matched');
  });

  it('names what was passed over, by error code, before the account that took it', () => {
    const attempts = [
      {
        providerAccountId: 'acc_a',
        outcome: 'failed' as const,
        error: 'timeout: no answer in 5 s',
      },
      { providerAccountId: 'acc_b', outcome: 'succeeded' as const },
    ];
    expect(explainRoute(decision, attempts, fallback)).toBe(
      'rule "EU" matched; acc_a failed (timeout), so fallback #1 acc_b took the payment',
    );
  });

  it('says "was skipped" for a skip and keeps an error without a code whole', () => {
    const attempts = [
      { providerAccountId: 'acc_a', outcome: 'skipped' as const, error: 'Circuit Open' },
      { providerAccountId: 'acc_b', outcome: 'succeeded' as const },
    ];
    expect(explainRoute(decision, attempts, fallback)).toBe(
      'rule "EU" matched; acc_a was skipped (Circuit Open), so fallback #1 acc_b took the payment',
    );
  });

  it('says no account took it, and that a decline is final', () => {
    const attempts = [
      { providerAccountId: 'acc_a', outcome: 'failed' as const },
      { providerAccountId: 'acc_b', outcome: 'declined' as const, error: 'card_declined: no' },
    ];
    expect(explainRoute(decision, attempts)).toBe(
      'rule "EU" matched; no account took the payment: acc_a failed (no reason given), acc_b declined (card_declined); a decline is final and is not retried elsewhere',
    );
  });
});
