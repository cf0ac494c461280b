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
  MultiSafepayStatusKey,
} from './multisafepay.types';

/**
 * MultiSafepay order statuses (`status`) to ours, plus three combinations:
 * - a manual-capture card authorization is order status `completed` with transaction status
 *   (`financial_status`) `initialized` and `payment_details.capture: manual`, keyed
 *   `completed/initialized/manual`;
 * - a Klarna (BNPL) order that Klarna authorized is `completed/uncleared`: the money is only
 *   collected once the order is shipped (content/payment-methods/klarna.md), so authorized;
 * - `void/void` is a chargeback only when the order shows one among its related transactions
 *   (schemas/RelatedTransactions.yaml `type: chargeback`; payment-statuses.md: "The customer has
 *   requested a chargeback: Void, Void"). Otherwise it is a cancellation, as the method pages
 *   list it (ideal.md, eps.md: "The customer cancelled the transaction. | Void | Void"); the
 *   OpenAPI spells the chargeback status `chargeback` (schemas/Status.yaml), the PHP SDK
 *   `chargedback`.
 */
export const MULTISAFEPAY_STATUS_MAP: Readonly<Record<MultiSafepayStatusKey, PaymentStatus>> = {
  'completed/initialized/manual': 'authorized',
  'completed/uncleared': 'authorized',
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
  'void/void': 'charged_back',
  chargeback: 'charged_back',
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

/**
 * MultiSafepay error codes whose meaning is clearer than the HTTP status
 * (api/general/error-reference.md). 1006 "Invalid order ID" depends on the call: see
 * multisafepayError; so do MULTISAFEPAY_UNKNOWN_ERRORS and MULTISAFEPAY_VALIDATION_ERRORS.
 */
export const MULTISAFEPAY_ERROR_CODES: Readonly<Record<number, ProviderErrorCode>> = {
  1005: 'invalid_credentials', // invalid security code (deprecated credentials)
  1019: 'invalid_credentials', // the website is blocked in the account
  1020: 'invalid_credentials', // the account is blocked
  1024: 'declined', // transaction declined (risk check, customer data)
  1032: 'invalid_credentials', // invalid API key
  // Cannot refund transaction: nothing was refunded by this request. It is also the answer to
  // a repeat of a refund within 5 minutes (error-reference.md), so a re-sent refund refused with
  // it is looked up again by its refund_order_id before it counts as failed.
  1034: 'declined',
};

/**
 * Codes that say nothing about what MultiSafepay did (error-reference.md): 1000 and 9999
 * "Unknown error", 1014 "Unspecified error" ("Check your logs … for other error codes"), 1033
 * "Error fetching refund information" (no cause given). Whatever the HTTP status they are no
 * answer, never a refusal: the call may have gone through, so it is looked up or sent again.
 */
export const MULTISAFEPAY_UNKNOWN_ERRORS: ReadonlySet<number> = new Set([1000, 1014, 1033, 9999]);

/**
 * Input validation refusals (error-reference.md): the request itself was invalid, so nothing
 * was done. 1001 invalid amount, 1002 invalid currency, 1008 invalid description, 1016 missing
 * data, 1027 cart amount differs from the order amount, 1028 incorrect custom tax rate, 1029
 * incorrect item tax rate, 1030 incorrect item currency, 1031 incorrect item price.
 */
export const MULTISAFEPAY_VALIDATION_ERRORS: ReadonlySet<number> = new Set([
  1001, 1002, 1008, 1016, 1027, 1028, 1029, 1030, 1031,
]);

/** The child order MultiSafepay creates for the captured part of an authorization. */
export const CAPTURE_ORDER_SUFFIX = '-capture';

/**
 * What a completed manual-capture order shows captured by `payment_details.capture_remain`:
 * its amount less what is left to capture. Captures are also made in MultiSafepay's dashboard
 * (manual-capture.md "Capture payments … Via your dashboard"): a partial one leaves the order's
 * statuses as they were ("The original transaction retains its initial statuses. The remaining
 * amount available for capture is shown"), so only capture_remain tells. MultiSafepay's plugins
 * read it so (shopware6 and prestashop ManualCaptureHelper: 0 fully captured, below the amount
 * partly). Undefined when it shows no capture or cannot be read. A voided authorization's
 * capture_remain is 0 whether or not anything was captured, hence completed orders only.
 */
export function capturedByRemain(order: MultiSafepayOrder): number | undefined {
  const remain = order.payment_details?.capture_remain;
  if (order.payment_details?.capture !== 'manual' || order.status !== 'completed') return undefined;
  if (
    typeof remain !== 'number' ||
    !Number.isSafeInteger(remain) ||
    !Number.isSafeInteger(order.amount)
  )
    return undefined;
  return remain >= 0 && remain < order.amount ? order.amount - remain : undefined;
}

/** A card authorization with nothing captured yet (by us or in the dashboard, see capturedByRemain). */
export function isAwaitingCapture(order: MultiSafepayOrder): boolean {
  return (
    order.status === 'completed' &&
    order.financial_status === 'initialized' &&
    order.payment_details?.capture === 'manual' &&
    capturedByRemain(order) === undefined
  );
}

/**
 * A Klarna order Klarna authorized, waiting for us to ship it (klarna.md). Other methods'
 * completed/uncleared means something else (in3.md: "Settlement is now guaranteed").
 */
export function isAwaitingShipment(order: MultiSafepayOrder): boolean {
  return (
    order.status === 'completed' &&
    order.financial_status === 'uncleared' &&
    order.payment_details?.type === 'KLARNA' &&
    order.payment_details?.capture !== 'manual'
  );
}

/** Gateways without chargebacks (klarna.md: "Chargebacks: No"): their void/void is a cancellation. */
const NO_CHARGEBACK_GATEWAYS = new Set(['KLARNA']);

const relatedOfType = (order: MultiSafepayOrder, type: string) =>
  Array.isArray(order.related_transactions) &&
  order.related_transactions.some((t) => t?.type === type);

/** A manual-capture authorization MultiSafepay has voided (released, expired, cancelled). */
export function isVoidedAuthorization(order: MultiSafepayOrder): boolean {
  return order.payment_details?.capture === 'manual' && order.status === 'void';
}

/**
 * A manual-capture order that shows a capture: a capture among its related transactions, part
 * of it still uncaptured, or (completed) capture_remain below its amount (capturedByRemain).
 * MultiSafepay voids the rest after a partial capture (manual-capture.md "Partial cancel
 * reservation … Void | Void"), and "the original transaction retains its initial statuses":
 * the captured money sits on the capture's own order.
 */
export function showsCapture(order: MultiSafepayOrder): boolean {
  const remain = order.payment_details?.capture_remain;
  return (
    relatedOfType(order, 'capture') ||
    (typeof remain === 'number' && remain > 0 && remain < order.amount) ||
    capturedByRemain(order) !== undefined
  );
}

/**
 * BNPL gateways, whose refunds MultiSafepay takes only as an edit of the order's shopping cart
 * (openapi requestBody/RefundBNPL.yaml, refunds.md "BNPL refunds"), never as an amount.
 */
const CART_REFUND_GATEWAYS = new Set(['KLARNA']);

export function refundsByCart(order: MultiSafepayOrder): boolean {
  return CART_REFUND_GATEWAYS.has(order.payment_details?.type ?? '');
}

export function multisafepayStatusKey(order: MultiSafepayOrder): string {
  if (isAwaitingCapture(order)) return 'completed/initialized/manual';
  if (isAwaitingShipment(order)) return 'completed/uncleared';
  // A released card authorization, a cancelled Klarna authorization and a customer's
  // cancellation are void/void too: only a chargeback on the order makes it one.
  if (
    order.status === 'void' &&
    order.financial_status === 'void' &&
    order.payment_details?.capture !== 'manual' &&
    !NO_CHARGEBACK_GATEWAYS.has(order.payment_details?.type ?? '') &&
    relatedOfType(order, 'chargeback')
  )
    return 'void/void';
  return order.status;
}

/**
 * The order's status as ours. A voided authorization that shows a capture says nothing about the
 * payment (null): the capture settles it, and the money is on the capture's order.
 */
export function multisafepayOrderState(order: MultiSafepayOrder): ProviderPaymentState {
  const status =
    isVoidedAuthorization(order) && showsCapture(order)
      ? null
      : (mapPspStatus(MULTISAFEPAY_STATUS_MAP, multisafepayStatusKey(order)) ?? null);
  return {
    providerPaymentId: order.order_id,
    status,
    providerStatus: order.financial_status
      ? `${order.status}/${order.financial_status}`
      : order.status,
    // A manual-capture order captured in part (in the dashboard, or before we release the rest)
    // has only that part captured.
    amountCaptured: status === 'paid' ? (capturedByRemain(order) ?? order.amount) : undefined,
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

/** MultiSafepay's length limits: `description` (error 1008) and var1–var3 (error 1010). */
export const MULTISAFEPAY_DESCRIPTION_MAX = 200;
export const MULTISAFEPAY_VAR_MAX = 100;

/** At most `max` UTF-16 units (so at most `max` characters however they are counted), never half a surrogate pair. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.charCodeAt(max - 1);
  return text.slice(0, cut >= 0xd800 && cut <= 0xdbff ? max - 1 : max);
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
  /** A related refund transaction, or the refund's own order. */
  refund: { transaction_id?: string | number; amount: number; status: string },
  refundId: string,
): ProviderRefundState {
  return {
    providerRefundId: String(refund.transaction_id ?? refundId),
    refundId,
    status: mapPspStatus(MULTISAFEPAY_REFUND_STATUS_MAP, refund.status) ?? 'pending',
    providerStatus: refund.status,
    amount: refund.amount,
  };
}

/**
 * Our refund id of a refund transaction: its `refund_order_id` (the connector sends our id as
 * it), else at the head of its description (where the connector puts it too, in case
 * MultiSafepay echoes it); undefined for a refund that is not ours.
 */
export function ourRefundId(refund: {
  refund_order_id?: unknown;
  description?: unknown;
}): string | undefined {
  const ours = /^(re_[0-9A-Za-z]+)(?:\s|$)/;
  return (
    (typeof refund.refund_order_id === 'string'
      ? ours.exec(refund.refund_order_id)?.[1]
      : undefined) ??
    (typeof refund.description === 'string' ? ours.exec(refund.description)?.[1] : undefined)
  );
}

/**
 * A Klarna order we asked to ship: shipped is captured (MultiSafepay collects from Klarna);
 * still awaiting shipment is not done (null: ship it again); void, expired or declined failed.
 */
export function multisafepayShipmentState(order: MultiSafepayOrder): ProviderOperationState | null {
  const base = {
    providerStatus: `${order.status}/${order.financial_status ?? ''}`,
    providerOperationId: order.order_id,
  };
  if (order.status === 'shipped')
    return { ...base, status: 'succeeded', amountCaptured: order.amount };
  if (isAwaitingShipment(order)) return null;
  if (['declined', 'void', 'cancelled', 'expired'].includes(order.status)) {
    return {
      ...base,
      status: 'failed',
      failure: { code: 'declined', message: `the order is ${order.status}` },
    };
  }
  return { ...base, status: 'pending' };
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
  const errorCode = envelope.error_code;
  if (errorCode !== undefined && MULTISAFEPAY_UNKNOWN_ERRORS.has(errorCode))
    return new ProviderError('provider_unavailable', message, response.status);
  // A validation code is a definite refusal on a 2xx or 4xx answer; not on a 5xx (the outage
  // may be why), a 409 or a 429, whose own meaning is "not done yet, ask again".
  const definite =
    (response.status >= 200 && response.status < 300) ||
    (response.status >= 400 &&
      response.status < 500 &&
      response.status !== 409 &&
      response.status !== 429);
  if (errorCode !== undefined && definite && MULTISAFEPAY_VALIDATION_ERRORS.has(errorCode))
    return new ProviderError('invalid_request', message, response.status);
  const code =
    envelope.error_code === 1006
      ? // An unknown order on a lookup (404); on create, the order_id was already used.
        response.status === 404
        ? 'not_found'
        : 'invalid_request'
      : envelope.error_code !== undefined
        ? MULTISAFEPAY_ERROR_CODES[envelope.error_code]
        : undefined;
  if (code) return new ProviderError(code, message, response.status);
  if (response.status >= 200 && response.status < 300)
    return new ProviderError('provider_error', message, response.status);
  return ProviderError.fromHttpStatus(response.status, message);
}
