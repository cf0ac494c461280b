import { moneyContradiction, RefusedChange } from './money-contradiction';
import { PAYMENT_STATUSES, PaymentStatus } from '../domain/payment-status';
import { PaymentStateMachine } from './payment-state-machine';

const payment = (
  from: PaymentStatus,
  to: PaymentStatus,
  extra: Partial<Extract<RefusedChange, { subject: 'payment' }>> = {},
): RefusedChange => ({
  subject: 'payment',
  cause: 'status',
  from,
  to,
  wasAuthorized: false,
  ...extra,
});

/** Every refused pair that is a contradiction on a plain status report; all others are not. */
const CONTRADICTIONS: [PaymentStatus, PaymentStatus][] = [
  ['failed', 'paid'],
  ['canceled', 'paid'],
  ['expired', 'paid'],
  ['failed', 'authorized'],
  ['canceled', 'authorized'],
  ['expired', 'authorized'],
  ['pending', 'charged_back'],
  ['authorized', 'charged_back'],
  ['refunded', 'charged_back'],
  ['failed', 'charged_back'],
  ['canceled', 'charged_back'],
  ['expired', 'charged_back'],
];
const isContradiction = (from: PaymentStatus, to: PaymentStatus) =>
  CONTRADICTIONS.some(([f, t]) => f === from && t === to);
const REFUSED = PAYMENT_STATUSES.flatMap((from) =>
  PAYMENT_STATUSES.filter(
    (to) => PaymentStateMachine.decide(from, to) === 'ignore' && !isContradiction(from, to),
  ).map((to) => [from, to] as const),
);

describe('moneyContradiction', () => {
  it.each(CONTRADICTIONS)('%s → %s reported is a contradiction', (from, to) => {
    expect(PaymentStateMachine.decide(from, to)).toBe('ignore');
    expect(moneyContradiction(payment(from, to), 'mollie')).toMatch(
      new RegExp(`^mollie reported .*${to}.* ${from} here`),
    );
  });

  it.each(REFUSED)('%s → %s reported is only a late update', (from, to) => {
    expect(moneyContradiction(payment(from, to), 'mollie')).toBeNull();
  });

  it('names statuses and what to check, e.g. paid after canceled', () => {
    expect(moneyContradiction(payment('canceled', 'paid'), 'mollie')).toBe(
      'mollie reported paid after the payment was canceled here: the customer may have paid; check at mollie and refund there',
    );
  });

  it('a late authorized for a payment that was authorized here is old news', () => {
    for (const from of ['canceled', 'expired', 'failed'] as const)
      expect(
        moneyContradiction(payment(from, 'authorized', { wasAuthorized: true }), 'adyen'),
      ).toBeNull();
    // A late paid never is: a payment paid here cannot have died since.
    expect(
      moneyContradiction(payment('canceled', 'paid', { wasAuthorized: true }), 'adyen'),
    ).not.toBeNull();
  });

  it.each(['paid', 'partially_refunded', 'refunded', 'charged_back'] as const)(
    'a capture that failed after it succeeded (%s → authorized) is one; the same status reported late is not',
    (from) => {
      expect(
        moneyContradiction(
          payment(from, 'authorized', { cause: 'operation_failed', wasAuthorized: true }),
          'adyen',
        ),
      ).toMatch(/^adyen reported the capture failed \(authorized\) after the payment was \w+ here/);
      expect(
        moneyContradiction(payment(from, 'authorized', { wasAuthorized: true }), 'adyen'),
      ).toBeNull();
    },
  );

  it('a refused chargeback on a refunded payment warns of losing the money twice', () => {
    expect(moneyContradiction(payment('refunded', 'charged_back'), 'stripe')).toContain(
      'the merchant may lose the money twice',
    );
  });

  it('a reversed chargeback of a payment charged back here is one: the money came back, the status stays', () => {
    expect(
      moneyContradiction(
        payment('charged_back', 'charged_back', { cause: 'chargeback_reversed' }),
        'adyen',
      ),
    ).toBe(
      'adyen reported the chargeback was reversed (the dispute was won): the money came back to the merchant; the payment stays charged_back here, reconcile it in your books',
    );
  });

  it.each(['paid', 'partially_refunded', 'refunded', 'pending'] as const)(
    'a reversed chargeback of a payment that is %s here (no chargeback seen) is one too',
    (from) => {
      expect(
        moneyContradiction(
          payment(from, 'charged_back', { cause: 'chargeback_reversed' }),
          'stripe',
        ),
      ).toBe(
        `stripe reported a chargeback was reversed (the dispute was won) for a payment that is ${from} here, where no chargeback was recorded: money moved at stripe in a way our records do not show; check the dispute at stripe and reconcile it in your books`,
      );
    },
  );

  it('a refund reported failed after it succeeded is one; any other refused refund change is not', () => {
    const refund = (from: 'succeeded' | 'failed', to: 'succeeded' | 'failed' | 'pending') =>
      moneyContradiction({ subject: 'refund', from, to, refundId: 're_1' }, 'adyen');
    expect(refund('succeeded', 'failed')).toBe(
      'adyen reported refund re_1 failed after it had succeeded here: the customer may not have got the money back; check at adyen and refund again if needed',
    );
    expect(refund('succeeded', 'pending')).toBeNull();
    expect(refund('failed', 'succeeded')).toBeNull();
    expect(refund('failed', 'pending')).toBeNull();
  });

  it('says "the provider" when the payment never reached one', () => {
    expect(moneyContradiction(payment('failed', 'paid'), null)).toMatch(
      /^the provider reported paid/,
    );
  });
});
