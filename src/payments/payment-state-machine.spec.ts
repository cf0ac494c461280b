import { forbiddenInStatus, PaymentStateMachine } from './payment-state-machine';
import { PAYMENT_STATUSES, PaymentStatus } from '../domain/payment-status';

/** The contract's forward-only transitions, written out independently of the implementation. */
const ALLOWED: [PaymentStatus, PaymentStatus][] = [
  ['pending', 'authorized'],
  ['pending', 'paid'],
  ['pending', 'failed'],
  ['pending', 'canceled'],
  ['pending', 'expired'],
  ['authorized', 'paid'],
  ['authorized', 'failed'],
  ['authorized', 'canceled'],
  ['authorized', 'expired'],
  ['paid', 'partially_refunded'],
  ['paid', 'refunded'],
  ['paid', 'charged_back'],
  ['partially_refunded', 'refunded'],
  ['partially_refunded', 'charged_back'],
];
const isAllowed = (from: PaymentStatus, to: PaymentStatus) =>
  ALLOWED.some(([f, t]) => f === from && t === to);

const ALL_PAIRS = PAYMENT_STATUSES.flatMap((from) =>
  PAYMENT_STATUSES.map((to) => [from, to] as const),
);

describe('PaymentStateMachine', () => {
  it.each(ALLOWED)('allows %s → %s', (from, to) => {
    expect(PaymentStateMachine.canTransition(from, to)).toBe(true);
    expect(PaymentStateMachine.decide(from, to)).toBe('apply');
  });

  it.each(ALL_PAIRS.filter(([from, to]) => from !== to && !isAllowed(from, to)))(
    'refuses %s → %s as ignored',
    (from, to) => {
      expect(PaymentStateMachine.canTransition(from, to)).toBe(false);
      expect(PaymentStateMachine.decide(from, to)).toBe('ignore');
    },
  );

  it.each(PAYMENT_STATUSES.map((s) => [s]))('treats %s → itself as unchanged', (status) => {
    expect(PaymentStateMachine.decide(status, status)).toBe('unchanged');
  });

  it('ignores a late pending after paid', () => {
    expect(PaymentStateMachine.decide('paid', 'pending')).toBe('ignore');
  });

  it('knows the final statuses', () => {
    expect(PAYMENT_STATUSES.filter((s) => PaymentStateMachine.isFinal(s)).sort()).toEqual(
      ['canceled', 'charged_back', 'expired', 'failed', 'refunded'].sort(),
    );
  });

  it('allows capture only from authorized, cancel from pending or authorized, refunds from paid states', () => {
    expect(PAYMENT_STATUSES.filter((s) => PaymentStateMachine.canCapture(s))).toEqual([
      'authorized',
    ]);
    expect(PAYMENT_STATUSES.filter((s) => PaymentStateMachine.canCancel(s))).toEqual([
      'pending',
      'authorized',
    ]);
    expect(PAYMENT_STATUSES.filter((s) => PaymentStateMachine.canRefund(s))).toEqual([
      'paid',
      'partially_refunded',
    ]);
  });

  it('derives the status after refunds from the totals', () => {
    expect(PaymentStateMachine.statusAfterRefunds(1000, 300)).toBe('partially_refunded');
    expect(PaymentStateMachine.statusAfterRefunds(1000, 1000)).toBe('refunded');
  });

  it.each([
    [
      'refund',
      'authorized',
      'An authorized payment cannot be refunded; only a paid or partially refunded one',
    ],
    ['capture', 'expired', 'An expired payment cannot be captured; only an authorized one'],
    ['cancel', 'paid', 'A paid payment cannot be canceled; only a pending or authorized one'],
    [
      'refund',
      'charged_back',
      'A charged_back payment cannot be refunded; only a paid or partially refunded one',
    ],
  ] as const)(
    'refuses to %s a payment that is %s in words with the right article',
    (operation, status, text) => {
      expect(forbiddenInStatus(operation, status)).toMatchObject({
        status: 409,
        code: 'invalid_payment_state',
        message: text,
      });
    },
  );
});
