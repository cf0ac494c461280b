import type { PaymentMethod, PaymentStatus, RefundStatus } from '../../domain/payment-status';
import { mapPspStatus } from '../connector/psp-status';
import { ProviderError, type ProviderErrorCode } from '../provider-error';
import type { HttpResponse } from '../provider-http.client';
import { parseJsonOr } from '../connector/connector-client';
import type {
  ProviderOperationState,
  ProviderPaymentState,
  ProviderRefundState,
} from '../provider.interface';
import type {
  MultiSafepayEnvelope,
  MultiSafepayOrder,
  MultiSafepayRefundStatus,
  MultiSafepayRelatedTransaction,
  MultiSafepayStatusKey,
} from './multisafepay.types';

/**
 * MultiSafepay order statuses (`status`) to ours, plus one combination: a manual-capture card
 * authorization is order status `completed` with transaction status (`financial_status`)
 * `initialized` and `payment_details.capture: manual`, keyed `completed/initialized/manual`.
 */
export const MULTISAFEPAY_STATUS_MAP: Readonly<Record<MultiSafepayStatusKey, PaymentStatus>> = {
  'completed/initialized/manual': 'authorized',
  initialized: 'pending',
  uncleared: 'pending',
  completed: 'paid',
  shipped: 'paid',
  declined: 'failed',
  cancelled: 'canceled',
  void: 'canceled',
  expired: 'expired',
  partial_refunded: 'partially_refunded',
  refunded: 'refunded',
  chargedback: 'charged_back',
};

/** Our methods to MultiSafepay gateway codes. */
export const MULTISAFEPAY_GATEWAYS: Readonly<Partial<Record<PaymentMethod, string>>> = {
  card: 'CREDITCARD',
  ideal: 'IDEAL',
  bancontact: 'MISTERCASH',
  paypal: 'PAYPAL',
  eps: 'EPS',
  klarna: 'KLARNA',
  applepay: 'APPLEPAY',
  googlepay: 'GOOGLEPAY',
  banktransfer: 'BANKTRANS',
};

/** Currencies MultiSafepay takes, all with two decimals (amounts in cents). */
export const MULTISAFEPAY_CURRENCIES = [
  'EUR',
  'GBP',
  'USD',
  'CHF',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'AUD',
  'CAD',
] as const;

/** MultiSafepay error codes whose meaning is clearer than the HTTP status. */
export const MULTISAFEPAY_ERROR_CODES: Readonly<Record<number, ProviderErrorCode>> = {
  1005: 'declined',
  1024: 'declined',
  1006: 'not_found',
  1032: 'invalid_credentials',
};

/** The child order MultiSafepay creates for the captured part of an authorization. */
export const CAPTURE_ORDER_SUFFIX = '-capture';

export function isAwaitingCapture(order: MultiSafepayOrder): boolean {
  return (
    order.status === 'completed' &&
    order.financial_status === 'initialized' &&
    order.payment_details?.capture === 'manual'
  );
}

export function multisafepayStatusKey(order: MultiSafepayOrder): string {
  return isAwaitingCapture(order) ? 'completed/initialized/manual' : order.status;
}

export function multisafepayOrderState(order: MultiSafepayOrder): ProviderPaymentState {
  const status = mapPspStatus(MULTISAFEPAY_STATUS_MAP, multisafepayStatusKey(order)) ?? null;
  return {
    providerPaymentId: order.order_id,
    status,
    providerStatus: order.financial_status
      ? `${order.status}/${order.financial_status}`
      : order.status,
    amountCaptured: status === 'paid' ? order.amount : undefined,
    // `payment_details.type` is the gateway the customer used, once past `initialized`.
    methodUsed:
      order.status !== 'initialized' && order.payment_details?.type
        ? order.payment_details.type
        : undefined,
    failure:
      status === 'failed'
        ? {
            code: order.reason_code ?? 'provider_failed',
            message: order.reason ?? 'MultiSafepay declined the payment',
          }
        : undefined,
  };
}

/** "nl-NL" or "nl_NL" to MultiSafepay's "nl_NL". */
export function toMultisafepayLocale(locale: string | undefined): string | undefined {
  return locale && /^[a-z]{2}[-_][A-Z]{2}$/.test(locale) ? locale.replace('-', '_') : undefined;
}

/** Statuses of a refund transaction to ours; anything else is still open. */
export const MULTISAFEPAY_REFUND_STATUS_MAP: Readonly<
  Record<MultiSafepayRefundStatus, RefundStatus>
> = {
  completed: 'succeeded',
  initialized: 'pending',
  reserved: 'pending',
  uncleared: 'pending',
  declined: 'failed',
  void: 'failed',
  cancelled: 'failed',
  expired: 'failed',
};

export function multisafepayRefundState(
  refund: MultiSafepayRelatedTransaction,
  refundId: string,
): ProviderRefundState {
  return {
    providerRefundId: String(refund.transaction_id),
    refundId,
    status: mapPspStatus(MULTISAFEPAY_REFUND_STATUS_MAP, refund.status) ?? 'pending',
    providerStatus: refund.status,
    amount: refund.amount,
  };
}

/** A capture's child order: completed is captured; declined or void failed; else still open. */
export function multisafepayCaptureState(child: MultiSafepayOrder): ProviderOperationState {
  const base = {
    providerStatus: `${child.status}/${child.financial_status ?? ''}`,
    providerOperationId: child.order_id,
  };
  if (child.status === 'completed' || child.status === 'shipped')
    return { ...base, status: 'succeeded', amountCaptured: child.amount };
  if (['declined', 'void', 'cancelled', 'expired'].includes(child.status)) {
    return {
      ...base,
      status: 'failed',
      failure: { code: 'declined', message: `the capture order is ${child.status}` },
    };
  }
  return { ...base, status: 'pending' };
}

/** A MultiSafepay answer that is not a success envelope, by its `error_code` first, else its status. */
export function multisafepayError(response: HttpResponse): ProviderError {
  const envelope = parseJsonOr<MultiSafepayEnvelope<unknown>>(response.text);
  const message = `MultiSafepay ${response.status} error ${envelope.error_code ?? '-'}: ${envelope.error_info ?? `HTTP ${response.status}`}`;
  const code =
    envelope.error_code !== undefined ? MULTISAFEPAY_ERROR_CODES[envelope.error_code] : undefined;
  if (code) return new ProviderError(code, message, response.status);
  if (response.status >= 200 && response.status < 300)
    return new ProviderError('provider_error', message, response.status);
  return ProviderError.fromHttpStatus(response.status, message);
}
