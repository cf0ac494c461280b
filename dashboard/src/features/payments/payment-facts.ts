import type { Payment, Refund } from '../../api/types';

/** The PSP's id of the payment (the server documents it loosely, so it is read as a string here). */
export function providerPaymentId(payment: Payment): string | null {
  const id = payment.provider?.paymentId as unknown;
  return typeof id === 'string' && id ? id : null;
}

/**
 * What can still be refunded: captured, less refunded, less refunds still pending (their
 * amount stays reserved until the provider settles them).
 */
export function refundable(
  payment: Payment,
  refunds: Refund[],
): { value: number; pending: number } {
  const pending = refunds
    .filter((r) => r.status === 'pending')
    .reduce((sum, r) => sum + r.amount.value, 0);
  return { value: Math.max(0, payment.amountCaptured - payment.amountRefunded - pending), pending };
}

export const canCapture = (p: Payment) => p.status === 'authorized';
export const canCancel = (p: Payment) => p.status === 'pending' || p.status === 'authorized';
export const canRefund = (p: Payment) => p.status === 'paid' || p.status === 'partially_refunded';

/** Why a failed payment failed, in words; never "none". */
export function failureText(payment: Payment): string | null {
  if (payment.failure)
    return payment.failure.message
      ? `${payment.failure.message} (${payment.failure.code})`
      : payment.failure.code;
  if (payment.status === 'failed')
    return 'The provider reported the payment as failed without giving a reason.';
  return null;
}
