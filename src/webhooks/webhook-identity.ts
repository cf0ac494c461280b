import type {
  WebhookMismatch,
  WebhookNotification,
  WebhookPaymentView,
} from '../providers/provider.interface';

export interface Mismatch {
  reason: WebhookMismatch;
  detail: string;
}

/**
 * Whether what the PSP signed fits the payment it names: the same payment, the same currency,
 * and an amount equal to it (a whole authorisation) or not above it (a capture, a refund, a
 * dispute). A mismatch is never applied.
 */
export function signedFieldsMismatch(
  payment: WebhookPaymentView,
  item: WebhookNotification,
): Mismatch | null {
  if (item.mismatch) return item.mismatch;
  if (item.paymentId !== undefined && item.paymentId !== payment.id) {
    return {
      reason: 'payment_mismatch',
      detail: `names payment ${item.paymentId}, not ${payment.id}`,
    };
  }
  const signed = item.signedAmount;
  if (!signed) return null;
  if (signed.money.currency !== payment.amount.currency) {
    return {
      reason: 'currency_mismatch',
      detail: `${signed.money.currency} for a ${payment.amount.currency} payment`,
    };
  }
  const fits =
    signed.rule === 'equals'
      ? signed.money.value === payment.amount.value
      : signed.money.value <= payment.amount.value;
  if (!fits) {
    const relation = signed.rule === 'equals' ? 'instead of' : 'more than';
    return {
      reason: 'amount_mismatch',
      detail: `${signed.money.value} ${relation} the payment's ${payment.amount.value} (minor units)`,
    };
  }
  return null;
}
