import { createHash } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import { mapPspStatus } from '../connector/psp-status';
import type {
  InboundWebhook,
  ProviderCallContext,
  SignedAmountRule,
  WebhookNotification,
  WebhookPaymentView,
  WebhookReference,
} from '../provider.interface';
import { PAYPAL_EVENT_MAP, PAYPAL_REFUND_STATUS_MAP } from './paypal.mapper';
import { fromPayPalMoney } from './paypal-money';
import type { PayPalMoney, PayPalOrder, PayPalRefund, PayPalWebhookEvent } from './paypal.types';

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
 * What a refund or reversal item asks completeWebhookNotification to read back from PayPal
 * (WebhookNotification.detail): `readBack` (`refund` or `reversal`) and `refund`, PayPal's id
 * of the refund object the body names.
 */
export type PayPalReadBack = 'refund' | 'reversal';

/**
 * The signature covers the body only through its CRC32, which is linear, not a hash: whoever
 * holds one genuine signed delivery (a log, a proxy) can write another body with the same CRC32
 * (4 bytes adjusted) that verifies just as well. So nothing in a body decides a status or an
 * amount: it only says which local payment (or refund) to look at, and the state is read from
 * PayPal's API, over TLS, for verified deliveries only.
 *
 * Orders name our payment by their id and purchase unit custom_id, captures and authorizations
 * by their order id and custom_id (PayPal copies the purchase unit's): all four are fetched
 * (`fetchState`: getPayment reads the order, which shows its captures and authorizations).
 * Refunds name it by their custom_id (our refund id); a refund made in PayPal's dashboard and
 * a reversal (chargeback, PAYMENT.CAPTURE.REVERSED: a refund object) name only their capture,
 * which is the payment's providerReference once its capture was seen, else resolved during
 * processing. Both are read back by their id (refunds.get) in completeWebhookNotification,
 * which also checks that the refund read back belongs to the payment found.
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
  if (kind === 'refund' || kind === 'reversal') {
    // A reversal (chargeback) is a refund object naming only its capture (its `up` link).
    const refund = resource as PayPalRefund;
    const captureId = refundCaptureId(refund);
    const refundId = typeof refund.id === 'string' && refund.id ? refund.id : undefined;
    if (!refundId || (kind === 'reversal' && !captureId)) {
      logger.warn({
        msg: `PayPal ${kind} without its ids ignored`,
        accountId: ctx.account.id,
        eventType: event.event_type,
      });
      return [];
    }
    return [
      {
        ...reference,
        ...(captureId ? { lookup: captureId } : {}),
        detail: { readBack: kind, refund: refundId },
      },
    ];
  }
  if (!reference.providerPaymentId && !reference.paymentId) {
    logger.warn({
      msg: 'PayPal event without an order id ignored',
      accountId: ctx.account.id,
      eventType: event.event_type,
    });
    return [];
  }
  // A capture or an authorization: the order shows it (paid with the amount captured and the
  // capture id, authorized, pending, declined, voided).
  return [{ ...reference, fetchState: true }];
}

/**
 * A refund or reversal as PayPal's API reports it (refunds.get), already checked to belong to
 * the payment: its status and amount, and its custom_id (our refund id). A reversal that
 * PayPal reports FAILED or CANCELLED changes nothing; one that carries a custom_id is a refund
 * of ours, not a chargeback (a reversal names only its capture), and is applied as that refund.
 */
export function paypalReadBackNotifications(
  ctx: ProviderCallContext,
  readBack: PayPalReadBack,
  refund: PayPalRefund,
  payment: WebhookPaymentView,
  logger: Logger,
): WebhookNotification[] {
  // PayPal's answer, not the body: the core still checks its currency, and that it is not
  // above the payment's amount.
  const amount = paypalSignedAmount(refund.amount, 'at_most');
  if (readBack === 'reversal' && !refund.custom_id) {
    if (refund.status === 'FAILED' || refund.status === 'CANCELLED') {
      logger.warn({
        msg: 'PayPal reversal not applied',
        accountId: ctx.account.id,
        paymentId: payment.id,
        status: refund.status,
      });
      return [];
    }
    return [
      {
        ...amount,
        payment: {
          providerPaymentId: payment.providerPaymentId,
          status: 'charged_back',
          providerStatus: `PAYMENT.CAPTURE.REVERSED:${refund.status}`,
        },
      },
    ];
  }
  if (readBack === 'reversal')
    logger.warn({
      msg: 'PayPal reversal names a refund of ours; applied as that refund',
      accountId: ctx.account.id,
      paymentId: payment.id,
      refundId: refund.custom_id,
    });
  return [
    {
      ...amount,
      refund: {
        providerRefundId: refund.id,
        refundId: refund.custom_id,
        status: mapPspStatus(PAYPAL_REFUND_STATUS_MAP, refund.status) ?? null,
        providerStatus: refund.status,
        amount: amount.signedAmount?.money.value,
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
export function refundCaptureId(refund: PayPalRefund): string | undefined {
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

/**
 * PayPal re-sends an event with the same event id and body (new transmission headers). The
 * body's hash is part of the key: a body forged under a genuine event id (see
 * paypalWebhookNotifications) must not pass for a repeat of the genuine delivery, nor the
 * genuine one for a repeat of it. A repeat that is not caught costs a read, never a change:
 * every state is read from PayPal.
 */
export function paypalWebhookDedupeKey(webhook: InboundWebhook): string | null {
  const hash = createHash('sha256').update(webhook.rawBody).digest('hex');
  try {
    const id = (JSON.parse(webhook.rawBody.toString('utf8')) as PayPalWebhookEvent).id;
    return typeof id === 'string' && id ? `paypal-event:${id}:${hash}` : `paypal-body:${hash}`;
  } catch {
    return `paypal-body:${hash}`;
  }
}
