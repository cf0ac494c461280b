import type { Logger } from '@nestjs/common';
import type {
  InboundWebhook,
  SignedAmountRule,
  WebhookNotification,
  WebhookReference,
} from '../provider.interface';
import { stripeRefundState } from './stripe.mapper';
import type { StripeEvent, StripeEventObject, StripeRefund } from './stripe.types';

/**
 * Stripe signs the whole event, so the object's own ids name the payment: a Checkout
 * Session by its id and client_reference_id, a PaymentIntent by its id (stored once the
 * session was read) and our metadata, a refund by the session id we put in its metadata or
 * its PaymentIntent, a dispute by its PaymentIntent. Amount and currency are checked against
 * the payment; sessions and PaymentIntents are then read from the API for their state.
 */
export function stripeWebhookNotifications(
  webhook: InboundWebhook,
  logger: Logger,
): WebhookNotification[] {
  const event = readStripeEvent(webhook);
  const object = event?.data?.object;
  if (!event || !object || typeof object !== 'object') return [];
  const reference = stripeObjectReference(object);
  const amount = (value: unknown, rule: SignedAmountRule) =>
    Number.isSafeInteger(value) && typeof object.currency === 'string'
      ? {
          signedAmount: {
            money: { value: value as number, currency: object.currency.toUpperCase() },
            rule,
          },
        }
      : {};
  if (object.object === 'checkout.session')
    return [{ ...reference, ...amount(object.amount_total, 'equals'), fetchState: true }];
  if (object.object === 'payment_intent')
    return [{ ...reference, ...amount(object.amount, 'equals'), fetchState: true }];
  // refund.created, refund.updated and refund.failed. A refund made in the dashboard that
  // succeeds at once has only refund.created. charge.refunded is not used: its Charge no longer
  // lists the refunds (API 2022-11-15 on), so it cannot say which refund it is about.
  if (object.object === 'refund')
    return [
      {
        ...reference,
        ...amount(object.amount, 'at_most'),
        refund: stripeRefundState(object as unknown as StripeRefund),
      },
    ];
  if (object.object === 'dispute')
    return stripeDisputeNotifications(event, reference, amount, logger);
  logger.log({ msg: 'Stripe event not used', type: event.type });
  return [];
}

/**
 * Only money taken back is a chargeback: a formal dispute (charge.dispute.created with a
 * non-`warning_` status) or charge.dispute.funds_withdrawn. An inquiry or retrieval
 * (`warning_needs_response`, `warning_under_review`, `warning_closed`) moves no money and the
 * payment can still be refunded, which is what Stripe recommends to settle it
 * (docs.stripe.com/disputes/how-disputes-work, "Inquiries"): `charged_back` is final and would
 * block that refund, so an inquiry changes nothing here. Nor does a `prevented` dispute, in any
 * event: Disputes.d.ts lists the status, a dispute blocked or resolved before it became a formal
 * chargeback (API 2025-08-27.basil, "Adds support for Dispute Preventions"), so no money was
 * withdrawn for it. A won dispute (charge.dispute.closed,
 * status `won`: the money back to the merchant) changes no status either, as `charged_back` is
 * final: it is reported as a reversed chargeback, for an operator. Inquiries, other closed
 * disputes and reinstated funds (charge.dispute.funds_reinstated, which comes with the won
 * dispute) are logged for the merchant to follow up in Stripe's dashboard.
 */
function stripeDisputeNotifications(
  event: StripeEvent,
  reference: WebhookReference,
  amount: (value: unknown, rule: SignedAmountRule) => Partial<WebhookNotification>,
  logger: Logger,
): WebhookNotification[] {
  const status = typeof event.data.object.status === 'string' ? event.data.object.status : '';
  const won = event.type === 'charge.dispute.closed' && status === 'won';
  const prevented = status === 'prevented';
  const formal =
    !prevented &&
    (event.type === 'charge.dispute.funds_withdrawn' ||
      (event.type === 'charge.dispute.created' && status !== '' && !status.startsWith('warning_')));
  if (!formal && !won) {
    logger.log({
      msg: 'Stripe dispute event changes nothing here; follow it up in the Stripe dashboard',
      type: event.type,
      disputeStatus: status,
      paymentIntent: reference.providerPaymentId,
    });
    return [];
  }
  return [
    {
      ...reference,
      ...amount(event.data.object.amount, 'at_most'),
      payment: {
        providerPaymentId: reference.providerPaymentId ?? '',
        status: 'charged_back',
        providerStatus: `${event.type}:${status}`,
        ...(won ? { chargebackReversed: true } : {}),
      },
    },
  ];
}

export function readStripeEvent(webhook: InboundWebhook): StripeEvent | undefined {
  try {
    const event = JSON.parse(webhook.rawBody.toString('utf8')) as StripeEvent;
    return event && typeof event === 'object' ? event : undefined;
  } catch {
    return undefined;
  }
}

/** The ids by which a webhook's object names our payment (see parseWebhook). */
export function stripeObjectReference(object: StripeEventObject): WebhookReference {
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  const metadata = object.metadata && typeof object.metadata === 'object' ? object.metadata : {};
  const ref: WebhookReference = {};
  if (object.object === 'checkout.session') {
    ref.providerPaymentId = text(object.id);
    ref.paymentId = text(object.client_reference_id) ?? text(metadata.paymentserver_payment_id);
  } else if (object.object === 'payment_intent') {
    ref.providerPaymentId = text(object.id);
    ref.paymentId = text(metadata.paymentserver_payment_id);
  } else if (object.object === 'refund') {
    ref.providerPaymentId = text(metadata.checkout_session_id) ?? text(object.payment_intent);
    ref.refundId = text(metadata.paymentserver_refund_id);
  } else if (object.object === 'dispute') {
    ref.providerPaymentId = text(object.payment_intent);
  }
  return Object.fromEntries(Object.entries(ref).filter(([, value]) => value !== undefined));
}
