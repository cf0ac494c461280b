import type { PaymentStatus, RefundStatus } from '../domain/payment-status';

/**
 * Why a reported payment change was refused. `status`: the provider's view of the payment
 * (webhook or poll), which may simply be old news delivered late; `operation_failed`: the
 * provider says an operation that had succeeded failed after all (Adyen CAPTURE_FAILED);
 * `chargeback_reversed`: the provider says a chargeback was reversed (the dispute won), which
 * no status shows (`to` is the `charged_back` it was about).
 */
export type RefusedCause = 'status' | 'operation_failed' | 'chargeback_reversed';

/** A change the state machine refused, as reported. */
export type RefusedChange =
  | {
      subject: 'payment';
      cause: RefusedCause;
      from: PaymentStatus;
      to: PaymentStatus;
      /** The payment was authorized here before (a late `authorized` then repeats old news). */
      wasAuthorized: boolean;
    }
  | { subject: 'refund'; from: RefundStatus; to: RefundStatus; refundId: string };

const DEAD: readonly PaymentStatus[] = ['failed', 'canceled', 'expired'];
const CAPTURED: readonly PaymentStatus[] = [
  'paid',
  'partially_refunded',
  'refunded',
  'charged_back',
];

/**
 * The operator-facing sentence when a refused change means money may have moved in a way our
 * records contradict, or null when it is only a late or repeated update:
 * a success after the payment died here, a capture rejected after it succeeded, a refund
 * reported failed after it succeeded, a chargeback the state machine refuses, a reversed
 * chargeback (whatever the status here: none shows money that came back).
 */
export function moneyContradiction(change: RefusedChange, provider: string | null): string | null {
  const p = provider ?? 'the provider';
  if (change.subject === 'refund') {
    if (change.from !== 'succeeded' || change.to !== 'failed') return null;
    return `${p} reported refund ${change.refundId} failed after it had succeeded here: the customer may not have got the money back; check at ${p} and refund again if needed`;
  }
  const { from, to } = change;
  if (change.cause === 'chargeback_reversed') {
    return from === 'charged_back'
      ? `${p} reported the chargeback was reversed (the dispute was won): the money came back to the merchant; the payment stays charged_back here, reconcile it in your books`
      : `${p} reported a chargeback was reversed (the dispute was won) for a payment that is ${from} here, where no chargeback was recorded: money moved at ${p} in a way our records do not show; check the dispute at ${p} and reconcile it in your books`;
  }
  if (to === 'charged_back') {
    return CAPTURED.includes(from)
      ? `${p} reported charged_back after the payment was ${from} here: the merchant may lose the money twice; check the dispute at ${p} and defend it with the refund`
      : `${p} reported charged_back for a payment that is ${from} here (never captured): check at ${p} whether the customer was charged and what the dispute is about`;
  }
  if (DEAD.includes(from) && to === 'paid')
    return `${p} reported paid after the payment was ${from} here: the customer may have paid; check at ${p} and refund there`;
  if (DEAD.includes(from) && to === 'authorized' && !change.wasAuthorized)
    return `${p} reported authorized after the payment was ${from} here: the customer's money may be held; check at ${p} and cancel it there`;
  if (CAPTURED.includes(from) && to === 'authorized' && change.cause === 'operation_failed')
    return `${p} reported the capture failed (authorized) after the payment was ${from} here: the money may never have arrived; check the capture at ${p} before shipping or refunding`;
  return null;
}
