import type { PaymentStatus, RefundStatus } from '../../payments/payment-status';
import { ProviderError } from '../provider-error';
import type { HttpResponse } from '../provider-http.client';
import type { PayPalError, PayPalOrder } from './paypal.types';

/**
 * Order status → ours. APPROVED is still `pending` for us: the connector captures (or
 * authorizes) it next. COMPLETED says only that the order is done: its capture or
 * authorization tells what happened (`payments`).
 */
export const PAYPAL_ORDER_STATUS_MAP: Record<string, PaymentStatus | 'payments'> = {
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
export const PAYPAL_CAPTURE_STATUS_MAP: Record<string, PaymentStatus> = {
  COMPLETED: 'paid',
  PARTIALLY_REFUNDED: 'paid',
  REFUNDED: 'paid',
  PENDING: 'pending',
  DECLINED: 'failed',
  FAILED: 'failed',
};

export const PAYPAL_AUTHORIZATION_STATUS_MAP: Record<string, PaymentStatus> = {
  CREATED: 'authorized',
  PENDING: 'pending',
  CAPTURED: 'paid',
  PARTIALLY_CAPTURED: 'paid',
  VOIDED: 'canceled',
  DENIED: 'failed',
  EXPIRED: 'expired',
};

export const PAYPAL_REFUND_STATUS_MAP: Record<string, RefundStatus> = {
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
  if (body.name === 'RATE_LIMIT_REACHED')
    return withIssue(new ProviderError('rate_limited', message, response.status), issue);
  return withIssue(ProviderError.fromHttpStatus(response.status, message), issue);
}
