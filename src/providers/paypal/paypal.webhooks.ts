import type { Logger } from '@nestjs/common';
import { mapPspStatus } from '../connector/psp-status';
import type { PaymentStatus } from '../../domain/payment-status';
import type {
  InboundWebhook,
  ProviderCallContext,
  SignedAmountRule,
  WebhookNotification,
  WebhookReference,
} from '../provider.interface';
import {
  PAYPAL_AUTHORIZATION_STATUS_MAP,
  PAYPAL_CAPTURE_STATUS_MAP,
  PAYPAL_EVENT_MAP,
  PAYPAL_REFUND_STATUS_MAP,
} from './paypal.mapper';
import { fromPayPalMoney } from './paypal-money';
import type {
  PayPalCapture,
  PayPalMoney,
  PayPalOrder,
  PayPalRefund,
  PayPalWebhookEvent,
} from './paypal.types';

/** The event of a PayPal delivery, or undefined for an unreadable body. */
export function readPayPalEvent(webhook: InboundWebhook): PayPalWebhookEvent | undefined {
  try {
    const event = JSON.parse(webhook.rawBody.toString('utf8')) as PayPalWebhookEvent;
    return event && typeof event === 'object' && typeof event.event_type === 'string'
      ? event
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The whole event is signed. Orders name our payment by their id and purchase unit
 * custom_id, captures and authorizations by their order id and custom_id (PayPal copies the
 * purchase unit's), refunds by their custom_id (our refund id); a refund made in PayPal's
 * dashboard and a reversal (chargeback, PAYMENT.CAPTURE.REVERSED: a refund object) name only
 * their capture, which is the payment's providerReference once its capture was seen, else
 * resolved during processing. Amounts are checked against the payment.
 */
export function paypalWebhookNotifications(
  ctx: ProviderCallContext,
  webhook: InboundWebhook,
  logger: Logger,
): WebhookNotification[] {
  const event = readPayPalEvent(webhook);
  if (!event) return [];
  const kind = PAYPAL_EVENT_MAP[event.event_type];
  const resource = event.resource ?? {};
  if (!kind) {
    logger.warn({
      msg: 'unmapped PayPal event ignored',
      accountId: ctx.account.id,
      eventType: event.event_type,
    });
    return [];
  }
  const reference = paypalWebhookReference(event);
  if (kind === 'order') {
    // Approved: capture (or authorize) now, as the buyer's return means.
    const order = resource as PayPalOrder;
    return [
      {
        ...reference,
        ...paypalSignedAmount(order.purchase_units?.[0]?.amount, 'equals'),
        fetchState: true,
      },
    ];
  }
  if (kind === 'reversal') {
    // A chargeback: the resource is a refund object naming only its capture (its `up` link).
    const reversal = resource as PayPalRefund;
    const captureId = refundCaptureId(reversal);
    if (reversal.status === 'FAILED' || reversal.status === 'CANCELLED' || !captureId) {
      logger.warn({
        msg: 'PayPal reversal not applied',
        accountId: ctx.account.id,
        status: reversal.status,
        captureId,
      });
      return [];
    }
    return [
      {
        ...reference,
        ...paypalSignedAmount(reversal.amount, 'at_most'),
        lookup: captureId,
        payment: {
          providerPaymentId: reference.providerPaymentId ?? '',
          status: 'charged_back',
          providerStatus: `${event.event_type}:${reversal.status}`,
        },
      },
    ];
  }
  if (kind === 'refund') {
    const refund = resource as PayPalRefund;
    const captureId = refundCaptureId(refund);
    return [
      {
        ...reference,
        ...paypalSignedAmount(refund.amount, 'at_most'),
        ...(captureId ? { lookup: captureId } : {}),
        refund: {
          providerRefundId: refund.id,
          refundId: refund.custom_id,
          status: mapPspStatus(PAYPAL_REFUND_STATUS_MAP, refund.status) ?? null,
          providerStatus: refund.status,
          amount: paypalSignedAmount(refund.amount, 'at_most').signedAmount?.money.value,
        },
      },
    ];
  }
  const payment = resource as PayPalCapture;
  if (!reference.providerPaymentId && !reference.paymentId) {
    logger.warn({
      msg: 'PayPal event without an order id ignored',
      accountId: ctx.account.id,
      eventType: event.event_type,
    });
    return [];
  }
  let status: PaymentStatus | null;
  if (kind === 'capture') status = mapPspStatus(PAYPAL_CAPTURE_STATUS_MAP, payment.status) ?? null;
  else status = mapPspStatus(PAYPAL_AUTHORIZATION_STATUS_MAP, payment.status) ?? null;
  const amount = paypalSignedAmount(
    payment.amount,
    kind === 'authorization' ? 'equals' : 'at_most',
  );
  return [
    {
      ...reference,
      ...amount,
      payment: {
        providerPaymentId: reference.providerPaymentId ?? '',
        status,
        providerStatus: `${event.event_type}:${payment.status}`,
        // Refunds and reversals name the payment by this capture id later.
        ...(kind === 'capture' && status === 'paid' && payment.id
          ? { providerReference: payment.id }
          : {}),
        amountCaptured:
          kind === 'capture' && status === 'paid' ? amount.signedAmount?.money.value : undefined,
        failure:
          status === 'failed'
            ? { code: 'declined', message: `PayPal capture ${payment.status}` }
            : undefined,
      },
    },
  ];
}

/** The ids by which an event's resource names our payment (see parseWebhook). */
export function paypalWebhookReference(event: PayPalWebhookEvent): WebhookReference {
  const resource = (event.resource ?? {}) as Record<string, any>;
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  const kind = PAYPAL_EVENT_MAP[event.event_type];
  let ref: WebhookReference;
  if (kind === 'order')
    ref = {
      providerPaymentId: text(resource.id),
      paymentId: text(resource.purchase_units?.[0]?.custom_id),
    };
  else if (kind === 'refund')
    ref = {
      refundId: text(resource.custom_id),
      providerPaymentId:
        text(resource.supplementary_data?.related_ids?.order_id) ??
        refundCaptureId(resource as PayPalRefund),
    };
  else if (kind === 'reversal')
    // The capture id: the payment's providerReference once its capture was seen.
    ref = { providerPaymentId: refundCaptureId(resource as PayPalRefund) };
  else
    ref = {
      providerPaymentId: text(resource.supplementary_data?.related_ids?.order_id),
      paymentId: text(resource.custom_id),
    };
  return Object.fromEntries(Object.entries(ref).filter(([, value]) => value !== undefined));
}

/** The capture a refund (or reversal) belongs to: its related ids, else its `up` link. */
function refundCaptureId(refund: PayPalRefund): string | undefined {
  const related = refund.supplementary_data?.related_ids?.capture_id;
  if (typeof related === 'string' && related) return related;
  // Read from unverified bodies too (webhookReferences): nothing about its shape is assumed.
  const links: unknown = refund.links;
  const up = Array.isArray(links)
    ? (links as { rel?: unknown; href?: unknown }[]).find((link) => link?.rel === 'up')?.href
    : undefined;
  return (typeof up === 'string' && up.split('/').pop()) || undefined;
}

/** A signed PayPal amount in our minor units; an unreadable one is a mismatch, never guessed. */
export function paypalSignedAmount(
  amount: PayPalMoney | undefined,
  rule: SignedAmountRule,
): Pick<WebhookNotification, 'signedAmount' | 'mismatch'> {
  if (!amount) return {};
  try {
    return {
      signedAmount: {
        money: { value: fromPayPalMoney(amount), currency: amount.currency_code },
        rule,
      },
    };
  } catch {
    return {
      mismatch: {
        reason: 'amount_mismatch',
        detail: `unreadable amount ${String(amount.value).slice(0, 32)} ${String(amount.currency_code).slice(0, 8)}`,
      },
    };
  }
}

/** PayPal re-sends an event with the same event id (new transmission headers). */
export function paypalWebhookDedupeKey(webhook: InboundWebhook): string | null {
  try {
    const id = (JSON.parse(webhook.rawBody.toString('utf8')) as PayPalWebhookEvent).id;
    return typeof id === 'string' && id ? `paypal-event:${id}` : webhook.rawBody.toString('utf8');
  } catch {
    return webhook.rawBody.toString('utf8');
  }
}
