import type { PaymentStatus, RefundStatus } from '../../domain/payment-status';
import { mapPspStatus } from '../connector/psp-status';
import { ProviderError } from '../provider-error';
import type { HttpResponse } from '../provider-http.client';
import type {
  OperationRequest,
  ProviderOperationState,
  ProviderPaymentState,
} from '../provider.interface';
import { fromPayPalMoney } from './paypal-money';
import type {
  PayPalAuthorizationStatus,
  PayPalCaptureStatus,
  PayPalError,
  PayPalOrder,
  PayPalOrderStatus,
  PayPalRefundStatus,
} from './paypal.types';

/**
 * Order status → ours. APPROVED is still `pending` for us: the connector captures (or
 * authorizes) it next. COMPLETED says only that the order is done: its capture or
 * authorization tells what happened (`payments`).
 */
export const PAYPAL_ORDER_STATUS_MAP: Readonly<
  Record<PayPalOrderStatus, PaymentStatus | 'payments'>
> = {
  CREATED: 'pending',
  SAVED: 'pending',
  PAYER_ACTION_REQUIRED: 'pending',
  APPROVED: 'pending',
  VOIDED: 'canceled',
  COMPLETED: 'payments',
};

/** Order statuses before the buyer has chosen how to pay. */
const UNAPPROVED = new Set(['CREATED', 'SAVED', 'PAYER_ACTION_REQUIRED']);

/**
 * What the buyer paid with: the key of the order's `payment_source` (`paypal`, `card`,
 * `venmo`…), once the buyer has approved the order.
 */
export function paypalMethodUsed(order: PayPalOrder): string | undefined {
  if (UNAPPROVED.has(order.status) || !order.payment_source) return undefined;
  return Object.keys(order.payment_source)[0];
}

/** Capture status → ours (refund statuses of a capture are tracked as refunds, not here). */
export const PAYPAL_CAPTURE_STATUS_MAP: Readonly<Record<PayPalCaptureStatus, PaymentStatus>> = {
  COMPLETED: 'paid',
  PARTIALLY_REFUNDED: 'paid',
  REFUNDED: 'paid',
  PENDING: 'pending',
  DECLINED: 'failed',
  FAILED: 'failed',
};

export const PAYPAL_AUTHORIZATION_STATUS_MAP: Readonly<
  Record<PayPalAuthorizationStatus, PaymentStatus>
> = {
  CREATED: 'authorized',
  PENDING: 'pending',
  CAPTURED: 'paid',
  PARTIALLY_CAPTURED: 'paid',
  VOIDED: 'canceled',
  DENIED: 'failed',
  EXPIRED: 'expired',
};

export const PAYPAL_REFUND_STATUS_MAP: Readonly<Record<PayPalRefundStatus, RefundStatus>> = {
  COMPLETED: 'succeeded',
  PENDING: 'pending',
  FAILED: 'failed',
  CANCELLED: 'failed',
};

export type PayPalEventKind = 'order' | 'capture' | 'authorization' | 'refund' | 'reversal';

/** Webhook event types → what their resource is; anything else is logged and ignored. */
export const PAYPAL_EVENT_MAP: Record<string, PayPalEventKind> = {
  'CHECKOUT.ORDER.APPROVED': 'order',
  'CHECKOUT.ORDER.COMPLETED': 'order',
  'PAYMENT.CAPTURE.COMPLETED': 'capture',
  'PAYMENT.CAPTURE.PENDING': 'capture',
  'PAYMENT.CAPTURE.DECLINED': 'capture',
  'PAYMENT.CAPTURE.DENIED': 'capture',
  'PAYMENT.CAPTURE.REFUNDED': 'refund',
  'PAYMENT.CAPTURE.REVERSED': 'reversal',
  'PAYMENT.AUTHORIZATION.CREATED': 'authorization',
  'PAYMENT.AUTHORIZATION.VOIDED': 'authorization',
};

/** Issues that mean the buyer's payment was refused: final, never retried elsewhere. */
const DECLINE_ISSUES = new Set([
  'INSTRUMENT_DECLINED',
  'TRANSACTION_REFUSED',
  'PAYER_CANNOT_PAY',
  'AUTHORIZATION_DENIED',
  'PAYEE_BLOCKED_TRANSACTION',
  'REDIRECT_PAYER_FOR_ALTERNATE_FUNDING',
  'COMPLIANCE_VIOLATION',
  'MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED',
  // orders.capture-422 (checkout_orders_v2.json): asking again gets the same answer.
  'PAYER_ACCOUNT_RESTRICTED',
  'PAYER_ACCOUNT_LOCKED_OR_CLOSED',
  'TRANSACTION_BLOCKED_BY_PAYEE',
  'TRANSACTION_LIMIT_EXCEEDED',
  'TRANSACTION_RECEIVING_LIMIT_EXCEEDED',
  'DECLINED_DUE_TO_RELATED_TXN',
]);

/**
 * Answers that mean "already done", possibly by our own earlier request whose answer was lost
 * (payments_payment_v2.json, 422): DUPLICATE_INVOICE_ID "Requested invoice_id has been
 * previously captured. Possible duplicate transaction." (our authorization capture sends
 * invoice_id = our payment id), AUTHORIZATION_ALREADY_CAPTURED "Authorization has previously
 * been captured.", and on void PREVIOUSLY_VOIDED "Authorization has been previously voided"
 * (a void carries no PayPal-Request-Id, so PayPal does not deduplicate it). None is a refusal:
 * they are `in_progress` (an earlier request under the same key of ours did the work), so the
 * core keeps the operation open and looks it up (getCapture, getCancellation) instead of
 * recording a capture or void that happened as refused.
 */
const ALREADY_DONE_ISSUES = new Set([
  'DUPLICATE_INVOICE_ID',
  'AUTHORIZATION_ALREADY_CAPTURED',
  'PREVIOUSLY_VOIDED',
]);

/**
 * Declines at an order's capture (or authorize) after which the order can still be paid: the
 * buyer goes back to PayPal to choose another funding source and approves it again
 * (developer.paypal.com/docs/checkout/standard/customize/handle-funding-failures/).
 */
export const PAYPAL_FUNDING_RETRY_ISSUES: ReadonlySet<string> = new Set([
  'INSTRUMENT_DECLINED',
  'REDIRECT_PAYER_FOR_ALTERNATE_FUNDING',
  // orders.capture-422 / orders.authorize-422: "Transaction cannot complete successfully,
  // instruct the buyer to return to PayPal."
  'PAYER_ACTION_REQUIRED',
]);

/** A ProviderError that keeps PayPal's issue code (e.g. ORDER_ALREADY_CAPTURED). */
export class PayPalApiError extends ProviderError {
  issue?: string;
}

function withIssue(error: ProviderError, issue: string | undefined): PayPalApiError {
  const wrapped = new PayPalApiError(error.code, error.message, error.httpStatus);
  wrapped.issue = issue;
  return wrapped;
}

/** PayPal's error body (or OAuth's) to one of our error codes. */
export function paypalError(response: HttpResponse): PayPalApiError {
  let body: PayPalError = {};
  try {
    body = JSON.parse(response.text) as PayPalError;
  } catch {
    /* not JSON: the status decides */
  }
  const issue = body.details?.[0]?.issue;
  const detail =
    [
      body.name ?? body.error,
      issue,
      body.details?.[0]?.description ?? body.message ?? body.error_description,
    ]
      .filter(Boolean)
      .join(' ') || `HTTP ${response.status}`;
  const message = `PayPal: ${detail}${body.debug_id ? ` (debug_id ${body.debug_id})` : ''}`;
  if (issue && DECLINE_ISSUES.has(issue))
    return withIssue(new ProviderError('declined', message, response.status), issue);
  if (issue && ALREADY_DONE_ISSUES.has(issue))
    return withIssue(new ProviderError('in_progress', message, response.status), issue);
  if (body.name === 'RATE_LIMIT_REACHED')
    return withIssue(new ProviderError('rate_limited', message, response.status), issue);
  return withIssue(ProviderError.fromHttpStatus(response.status, message), issue);
}

/** An order as our payment state: a COMPLETED one by its capture or authorization. */
export function paypalOrderState(order: PayPalOrder): ProviderPaymentState {
  const mapped = mapPspStatus(PAYPAL_ORDER_STATUS_MAP, order.status);
  const base = {
    providerPaymentId: order.id,
    providerStatus: order.status,
    methodUsed: paypalMethodUsed(order),
  };
  if (mapped === undefined) return { ...base, status: null };
  if (mapped !== 'payments') return { ...base, status: mapped };
  const payments = order.purchase_units?.[0]?.payments;
  const captures = payments?.captures ?? [];
  const paid = captures.filter((c) => mapPspStatus(PAYPAL_CAPTURE_STATUS_MAP, c.status) === 'paid');
  // A paid capture wins over an earlier declined one; otherwise the latest tells.
  const capture = paid[0] ?? captures[captures.length - 1];
  if (capture) {
    const status = mapPspStatus(PAYPAL_CAPTURE_STATUS_MAP, capture.status) ?? null;
    const captured = paid
      .filter((c) => c.amount)
      .reduce((sum, c) => sum + fromPayPalMoney(c.amount!), 0);
    return {
      ...base,
      status,
      providerStatus: `${order.status}/capture:${capture.status}`,
      // Refunds and reversals (chargebacks) name the payment by its capture id.
      ...(status === 'paid' && paid[0]?.id ? { providerReference: paid[0].id } : {}),
      amountCaptured: status === 'paid' ? captured : undefined,
      failure:
        status === 'failed'
          ? { code: 'declined', message: `PayPal capture ${capture.status}` }
          : undefined,
    };
  }
  const authorization = payments?.authorizations?.[0];
  if (authorization) {
    const status = mapPspStatus(PAYPAL_AUTHORIZATION_STATUS_MAP, authorization.status) ?? null;
    return {
      ...base,
      status,
      providerStatus: `${order.status}/authorization:${authorization.status}`,
      failure:
        status === 'failed'
          ? { code: 'declined', message: `PayPal authorization ${authorization.status}` }
          : undefined,
    };
  }
  return { ...base, status: null };
}

/** A capture as the order reports it: an authorization still CREATED was not captured (null). */
export function paypalCaptureState(
  payments: NonNullable<PayPalOrder['purchase_units']>[number]['payments'],
  op: Pick<OperationRequest, 'providerOperationId' | 'paymentId'>,
): ProviderOperationState | null {
  const capture = payments?.captures?.find((c) =>
    op.providerOperationId ? c.id === op.providerOperationId : c.invoice_id === op.paymentId,
  );
  if (capture) {
    const status = mapPspStatus(PAYPAL_CAPTURE_STATUS_MAP, capture.status);
    return {
      status: status === 'paid' ? 'succeeded' : status === 'failed' ? 'failed' : 'pending',
      providerStatus: `capture:${capture.status}`,
      providerOperationId: capture.id,
      amountCaptured: capture.amount ? fromPayPalMoney(capture.amount) : undefined,
      failure:
        status === 'failed'
          ? { code: 'declined', message: `PayPal capture ${capture.status}` }
          : undefined,
    };
  }
  const authorization = payments?.authorizations?.[0];
  if (!authorization || authorization.status === 'CREATED' || authorization.status === 'PENDING')
    return null;
  return {
    status: 'failed',
    providerStatus: `authorization:${authorization.status}`,
    failure: { code: 'not_capturable', message: `the authorization is ${authorization.status}` },
  };
}

/** Currencies PayPal takes (PayPal currency codes). */
export const PAYPAL_CURRENCIES = [
  'AUD',
  'BRL',
  'CAD',
  'CNY',
  'CZK',
  'DKK',
  'EUR',
  'HKD',
  'HUF',
  'ILS',
  'JPY',
  'MYR',
  'MXN',
  'TWD',
  'NZD',
  'NOK',
  'PHP',
  'PLN',
  'GBP',
  'SGD',
  'SEK',
  'CHF',
  'THB',
  'USD',
];
