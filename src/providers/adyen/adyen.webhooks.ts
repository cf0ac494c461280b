import { WebhookVerificationError } from '../provider-error';
import type {
  InboundWebhook,
  ProviderCallContext,
  WebhookNotification,
} from '../provider.interface';
import { adyenEventEffect, fromAdyenAmount } from './adyen.mapper';
import type { AdyenNotificationRequest, AdyenNotificationRequestItem } from './adyen.types';

export function adyenNotification(
  ctx: ProviderCallContext,
  item: AdyenNotificationRequestItem,
): WebhookNotification | undefined {
  const effect = adyenEventEffect(item.eventCode, item.success);
  if (!effect) return undefined;
  const providerStatus = `${item.eventCode}:${item.success}`;
  const signed = adyenSignedFields(ctx, item);
  if ('refund' in effect) {
    return {
      ...signed.identity,
      providerPaymentId: item.originalReference ?? item.pspReference,
      refundId: item.merchantReference || undefined,
      ...(signed.amount
        ? { signedAmount: { money: signed.amount, rule: 'at_most' as const } }
        : {}),
      refund: {
        providerRefundId: item.pspReference,
        refundId: item.merchantReference,
        status: effect.refund,
        providerStatus,
        amount: signed.amount?.value,
        failure: effect.refund === 'failed' ? adyenFailure(item) : undefined,
      },
    };
  }
  if ('operation' in effect) {
    const { type, status } = effect.operation;
    return {
      ...signed.identity,
      providerPaymentId: item.originalReference ?? item.pspReference,
      // Our captures and cancels send the payment id as `reference`, signed as merchantReference.
      ...(item.merchantReference ? { paymentId: item.merchantReference } : {}),
      ...(signed.amount
        ? { signedAmount: { money: signed.amount, rule: 'at_most' as const } }
        : {}),
      operation: {
        type,
        status,
        providerStatus,
        // The modification's own pspReference: what Adyen answered the capture or cancel with.
        providerOperationId: item.pspReference,
        amount: type === 'capture' ? signed.amount?.value : undefined,
        failure: status === 'failed' ? adyenFailure(item) : undefined,
      },
    };
  }
  if (item.eventCode === 'AUTHORISATION') {
    // The status for automatic capture; completeWebhookNotification applies the stored capture mode.
    const status = effect.payment.automatic;
    return {
      ...signed.identity,
      paymentId: item.merchantReference || undefined,
      ...(signed.amount ? { signedAmount: { money: signed.amount, rule: 'equals' as const } } : {}),
      detail: { eventCode: item.eventCode, success: item.success },
      payment: {
        providerPaymentId: '',
        status,
        providerStatus,
        providerReference: item.success === 'true' ? item.pspReference : undefined,
        amountCaptured: status === 'paid' ? signed.amount?.value : undefined,
        // Not covered by the HMAC, but only ever shown: what the shopper paid with (`visa`, `ideal`…).
        methodUsed: item.paymentMethod || undefined,
        // `reason` is not signed: it is only shown, and decides neither status nor code.
        failure:
          item.success === 'true'
            ? undefined
            : { code: 'declined', message: item.reason || 'Refused' },
      },
    };
  }
  // A chargeback (or its reversal) names the payment by the authorisation's pspReference and its
  // merchantReference.
  return {
    ...signed.identity,
    providerPaymentId: item.originalReference ?? item.pspReference,
    ...(item.merchantReference ? { paymentId: item.merchantReference } : {}),
    ...(signed.amount ? { signedAmount: { money: signed.amount, rule: 'at_most' as const } } : {}),
    payment: {
      providerPaymentId: '',
      status: effect.payment.automatic,
      providerStatus,
      ...(effect.chargebackReversed ? { chargebackReversed: true } : {}),
    },
  };
}

/** A refusal (`success=false`) or a later failure (`CAPTURE_FAILED`, `REFUND_FAILED`, `REFUNDED_REVERSED`), with Adyen's reason. */
function adyenFailure(item: AdyenNotificationRequestItem): { code: string; message: string } {
  const code = item.success === 'true' ? item.eventCode.toLowerCase() : 'refused';
  return { code, message: `Adyen ${item.eventCode}: ${item.reason || 'no reason given'}` };
}

/** The signed amount in our minor units, and a mismatch when the item is for another merchant account. */
function adyenSignedFields(
  ctx: ProviderCallContext,
  item: AdyenNotificationRequestItem,
): { identity: Partial<WebhookNotification>; amount?: { value: number; currency: string } } {
  const merchantAccount = ctx.account.credentials.merchantAccount;
  let amount: { value: number; currency: string } | undefined;
  try {
    amount = item.amount
      ? { value: fromAdyenAmount(item.amount), currency: item.amount.currency }
      : undefined;
  } catch {
    return {
      identity: {
        mismatch: {
          reason: 'currency_mismatch',
          detail: `unknown currency ${String(item.amount?.currency)}`,
        },
      },
    };
  }
  if (item.merchantAccountCode !== merchantAccount) {
    return {
      identity: {
        mismatch: {
          reason: 'merchant_account_mismatch',
          detail: `for merchant account ${String(item.merchantAccountCode).slice(0, 80)}, not ${merchantAccount}`,
        },
      },
      amount,
    };
  }
  return { identity: {}, amount };
}

/** additionalData as Adyen sends it (flat `key`). */
export function adyenAdditional(
  item: AdyenNotificationRequestItem,
  key: string,
): string | undefined {
  const flat = item.additionalData?.[key];
  return typeof flat === 'string' ? flat : undefined;
}

/** The notification items; with `limit`, only the first ones are looked at. */
export function adyenItems(
  webhook: InboundWebhook,
  limit?: number,
): AdyenNotificationRequestItem[] {
  let body: AdyenNotificationRequest;
  try {
    body = JSON.parse(webhook.rawBody.toString('utf8')) as AdyenNotificationRequest;
  } catch {
    throw new WebhookVerificationError('body is not JSON');
  }
  if (!Array.isArray(body?.notificationItems)) return [];
  const wrappers =
    limit === undefined ? body.notificationItems : body.notificationItems.slice(0, limit);
  return wrappers
    .map((wrapper) => wrapper?.NotificationRequestItem)
    .filter(
      (item): item is AdyenNotificationRequestItem =>
        !!item && typeof item === 'object' && !!item.amount,
    );
}

/**
 * Adyen repeats a notification until it is accepted; a repeat has the same signed fields.
 * Keyed by them (not by the body), a signed item replayed with other additionalData is a
 * repeat too.
 */
export function adyenWebhookDedupeKey(webhook: InboundWebhook): string | null {
  const items = adyenItems(webhook);
  return `adyen:${items.map((i) => [i.pspReference, i.originalReference ?? '', i.merchantReference, i.eventCode, i.success, i.amount?.value, i.amount?.currency].join('|')).join(',')}`;
}
