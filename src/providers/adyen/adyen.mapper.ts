import { createHash } from 'node:crypto';
import type { Money } from '../../common/money/money';
import { currencyExponent } from '../../common/money/currency';
import type {
  CaptureMode,
  PaymentMethod,
  PaymentStatus,
  RefundStatus,
} from '../../domain/payment-status';
import { ProviderError } from '../provider-error';
import type { HttpResponse } from '../provider-http.client';
import type { AdyenAmount, AdyenLinkStatus, AdyenServiceError } from './adyen.types';

/** A payment link's status, mapped to ours by the capture mode the link was made with. */
export const ADYEN_LINK_STATUS_MAP: Readonly<
  Record<AdyenLinkStatus, Record<CaptureMode, PaymentStatus>>
> = {
  active: { automatic: 'pending', manual: 'pending' },
  paymentPending: { automatic: 'pending', manual: 'pending' },
  completed: { automatic: 'paid', manual: 'authorized' },
  paid: { automatic: 'paid', manual: 'authorized' },
  expired: { automatic: 'expired', manual: 'expired' },
};

export type AdyenEventEffect =
  | { payment: Record<CaptureMode, PaymentStatus>; chargebackReversed?: true }
  | { refund: RefundStatus }
  | { operation: { type: 'capture' | 'cancel'; status: 'succeeded' | 'failed' } };

/**
 * Standard webhook events, keyed `eventCode:success`. Anything not listed is logged and ignored.
 * Never keyed by `reason`: the HMAC does not cover it (only pspReference, originalReference,
 * merchantAccountCode, merchantReference, amount value and currency, eventCode and success, as
 * @adyen/api-library's HmacValidator signs them), so a refused AUTHORISATION is `failed` whatever
 * it says, also `Cancelled` (a shopper's cancel); the reason is only shown, in the failure message.
 *
 * Modifications: `CAPTURE`/`CANCELLATION` with `success=false` are refusals (nothing was
 * captured or canceled); `CAPTURE_FAILED` is a capture the card scheme rejected after
 * `CAPTURE` succeeded. `REFUND_FAILED` (rejected by the scheme) and `REFUNDED_REVERSED` (the
 * refunded amount came back to the merchant) mean the shopper did not get the refund.
 *
 * `EXPIRE`: the authorisation ran out before it was captured; it can no longer be captured
 * (an `authorized` payment becomes `expired`; a paid one stays paid, as the state machine
 * decides). `SECOND_CHARGEBACK` is a chargeback too. `CHARGEBACK_REVERSED` (a defended
 * chargeback, the money back to the merchant; not final, a `SECOND_CHARGEBACK` may follow)
 * changes no status, as `charged_back` is final: it marks the payment for an operator.
 */
export const ADYEN_EVENT_MAP: Record<string, AdyenEventEffect> = {
  'AUTHORISATION:true': { payment: { automatic: 'paid', manual: 'authorized' } },
  'AUTHORISATION:false': { payment: { automatic: 'failed', manual: 'failed' } },
  'CAPTURE:true': { operation: { type: 'capture', status: 'succeeded' } },
  'CAPTURE:false': { operation: { type: 'capture', status: 'failed' } },
  'CAPTURE_FAILED:true': { operation: { type: 'capture', status: 'failed' } },
  'CANCELLATION:true': { operation: { type: 'cancel', status: 'succeeded' } },
  'CANCELLATION:false': { operation: { type: 'cancel', status: 'failed' } },
  'CHARGEBACK:true': { payment: { automatic: 'charged_back', manual: 'charged_back' } },
  'SECOND_CHARGEBACK:true': { payment: { automatic: 'charged_back', manual: 'charged_back' } },
  'CHARGEBACK_REVERSED:true': {
    payment: { automatic: 'charged_back', manual: 'charged_back' },
    chargebackReversed: true,
  },
  'EXPIRE:true': { payment: { automatic: 'expired', manual: 'expired' } },
  'REFUND:true': { refund: 'succeeded' },
  'REFUND:false': { refund: 'failed' },
  'REFUND_FAILED:true': { refund: 'failed' },
  'REFUNDED_REVERSED:true': { refund: 'failed' },
};

/** The effect of an event: from signed fields only (see ADYEN_EVENT_MAP). */
export function adyenEventEffect(eventCode: string, success: string): AdyenEventEffect | undefined {
  return ADYEN_EVENT_MAP[`${eventCode}:${success}`];
}

/** Our methods as Adyen payment method types (for `allowedPaymentMethods`). */
export const ADYEN_METHODS: Record<PaymentMethod, string> = {
  card: 'scheme',
  ideal: 'ideal',
  bancontact: 'bcmc',
  paypal: 'paypal',
  sofort: 'directEbanking',
  giropay: 'giropay',
  eps: 'eps',
  klarna: 'klarna',
  applepay: 'applepay',
  googlepay: 'googlepay',
  banktransfer: 'bankTransfer_IBAN',
};

/**
 * The methods Adyen can authorise now and capture later ("Separate captures" in each method's
 * table on docs.adyen.com/payment-methods): cards and the wallets on them, PayPal and Klarna.
 * iDEAL, Bancontact ("Separate captures are not supported"), EPS, giropay, Sofort and bank
 * transfers are captured at once, whatever `manualCapture` says.
 */
export const ADYEN_SEPARATE_CAPTURE_METHODS: readonly PaymentMethod[] = [
  'card',
  'applepay',
  'googlepay',
  'paypal',
  'klarna',
];

/**
 * Where Adyen's minor units differ from ISO 4217 (docs.adyen.com/development-resources/currency-codes:
 * "For CLP, CVE, IDR, and ISK the standard has a different number of decimals").
 */
export const ADYEN_EXPONENT_OVERRIDES: Record<string, number> = {
  CLP: 2,
  CVE: 0,
  IDR: 0,
  ISK: 2,
};

function exponents(currency: string): { iso: number; adyen: number } {
  const iso = currencyExponent(currency);
  if (iso === undefined) throw new ProviderError('invalid_request', `unknown currency ${currency}`);
  return { iso, adyen: ADYEN_EXPONENT_OVERRIDES[currency] ?? iso };
}

/** Our minor units to Adyen's (integer arithmetic only). */
export function toAdyenAmount(money: Money): AdyenAmount {
  const { iso, adyen } = exponents(money.currency);
  let value = money.value;
  if (adyen > iso) value = money.value * 10 ** (adyen - iso);
  if (adyen < iso) {
    const factor = 10 ** (iso - adyen);
    if (money.value % factor !== 0) {
      throw new ProviderError(
        'invalid_request',
        `Adyen takes ${money.currency} in whole units only`,
      );
    }
    value = money.value / factor;
  }
  if (!Number.isSafeInteger(value)) throw new ProviderError('invalid_request', 'amount too large');
  return { currency: money.currency, value };
}

/** Adyen's minor units back to ours. */
export function fromAdyenAmount(amount: AdyenAmount): number {
  const { iso, adyen } = exponents(amount.currency);
  if (adyen > iso) return Math.trunc(amount.value / 10 ** (adyen - iso));
  if (adyen < iso) return amount.value * 10 ** (iso - adyen);
  return amount.value;
}

/** Adyen's limit on an Idempotency-Key (docs.adyen.com/development-resources/api-idempotency). */
export const ADYEN_IDEMPOTENCY_KEY_MAX = 64;

/**
 * The Idempotency-Key of a payment link. Adyen stores keys per company account, and a payment
 * whose first attempt timed out may be offered to another of our Adyen accounts (possibly under
 * the same company account): so the key names the account too. Stable for every retry of one
 * attempt; hashed only if the two ids ever outgrow Adyen's 64 characters.
 */
export function adyenPaymentIdempotencyKey(paymentId: string, accountId: string): string {
  const key = `${paymentId}.${accountId}`;
  if (key.length <= ADYEN_IDEMPOTENCY_KEY_MAX) return key;
  return createHash('sha256').update(key).digest('hex'); // 64 hex characters
}

/** Adyen's error answer (ServiceError) to one of our error codes. */
export function adyenError(response: HttpResponse): ProviderError {
  let body: AdyenServiceError = {};
  try {
    body = JSON.parse(response.text) as AdyenServiceError;
  } catch {
    /* not JSON: the status decides */
  }
  const detail =
    [body.errorCode, body.message].filter(Boolean).join(' ') || `HTTP ${response.status}`;
  // A repeat while the first request with its key is still carried out comes as 409 or as 422,
  // both with errorCode 704 and `Transient-Error: true` (docs.adyen.com/development-resources/
  // api-idempotency): no answer yet, never a refusal, whatever the status says.
  if (body.errorCode === '704' || response.headers.get('transient-error') === 'true')
    return new ProviderError('in_progress', `Adyen: ${detail}`, response.status);
  return ProviderError.fromHttpStatus(response.status, `Adyen: ${detail}`);
}
