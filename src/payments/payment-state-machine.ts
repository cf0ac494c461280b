import type { PaymentStatus } from '../domain/payment-status';
import { InvalidPaymentStateError } from '../common/errors/domain-error';

/**
 * Which payment status may follow which. Status only moves forward; anything else is an
 * out-of-order or impossible update that is recorded as ignored and changes nothing.
 */
const ALLOWED: Record<PaymentStatus, readonly PaymentStatus[]> = {
  pending: ['authorized', 'paid', 'failed', 'canceled', 'expired'],
  authorized: ['paid', 'failed', 'canceled', 'expired'],
  paid: ['partially_refunded', 'refunded', 'charged_back'],
  partially_refunded: ['refunded', 'charged_back'],
  refunded: [],
  failed: [],
  canceled: [],
  expired: [],
  charged_back: [],
};

export type TransitionDecision = 'apply' | 'unchanged' | 'ignore';

export class PaymentStateMachine {
  static canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
    return ALLOWED[from].includes(to);
  }

  /** `unchanged` for a repeat of the current status, `ignore` for a backwards or impossible move. */
  static decide(from: PaymentStatus, to: PaymentStatus): TransitionDecision {
    if (from === to) return 'unchanged';
    return PaymentStateMachine.canTransition(from, to) ? 'apply' : 'ignore';
  }

  static isFinal(status: PaymentStatus): boolean {
    return ALLOWED[status].length === 0;
  }

  static canCapture(status: PaymentStatus): boolean {
    return status === 'authorized';
  }

  static canCancel(status: PaymentStatus): boolean {
    return status === 'pending' || status === 'authorized';
  }

  static canRefund(status: PaymentStatus): boolean {
    return status === 'paid' || status === 'partially_refunded';
  }

  /** The payment's money was captured (it may have been refunded or charged back since). */
  static wasCaptured(status: PaymentStatus): boolean {
    return ['paid', 'partially_refunded', 'refunded', 'charged_back'].includes(status);
  }

  /** The status a payment takes after its refunded total changes. */
  static statusAfterRefunds(captured: number, refunded: number): PaymentStatus {
    return refunded >= captured ? 'refunded' : 'partially_refunded';
  }
}

const ALLOWED_FROM = {
  capture: 'cannot be captured; only an authorized one',
  cancel: 'cannot be canceled; only a pending or authorized one',
  refund: 'cannot be refunded; only a paid or partially refunded one',
} as const;

/** The 409 for an operation the payment's status forbids: "An authorized payment cannot be refunded; …". */
export function forbiddenInStatus(
  operation: keyof typeof ALLOWED_FROM,
  status: PaymentStatus,
): InvalidPaymentStateError {
  const article = /^[aeiou]/.test(status) ? 'An' : 'A';
  return new InvalidPaymentStateError(`${article} ${status} payment ${ALLOWED_FROM[operation]}`);
}
