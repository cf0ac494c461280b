import { EURO_ONLY_METHODS } from '../capabilities';
import type { PaymentMethod, PaymentStatus, RefundStatus } from '../../domain/payment-status';
import { mapPspStatus } from '../connector/psp-status';
import { fromDecimalString, toDecimalString } from '../../common/money/money';
import type { Money } from '../../common/money/money';
import type {
  ProviderOperationState,
  ProviderPaymentState,
  ProviderRefundState,
} from '../provider.interface';
import type {
  MollieAmount,
  MollieCaptureStatus,
  MolliePaymentStatus,
  MollieRefundStatus,
  MollieCapture,
  MollieErrorBody,
  MolliePayment,
  MollieRefund,
} from './mollie.types';
import { parseJsonOr } from '../connector/connector-client';
import { ProviderError } from '../provider-error';
import type { HttpResponse } from '../provider-http.client';

/** Mollie payment statuses (API v2) to ours. */
export const MOLLIE_STATUS_MAP: Readonly<Record<MolliePaymentStatus, PaymentStatus>> = {
  open: 'pending',
  pending: 'pending',
  authorized: 'authorized',
  paid: 'paid',
  failed: 'failed',
  canceled: 'canceled',
  expired: 'expired',
};

/** Mollie refund statuses to ours. */
export const MOLLIE_REFUND_STATUS_MAP: Readonly<Record<MollieRefundStatus, RefundStatus>> = {
  queued: 'pending',
  pending: 'pending',
  processing: 'pending',
  refunded: 'succeeded',
  failed: 'failed',
  canceled: 'failed',
};

/** Mollie capture statuses to an operation's outcome. */
export const MOLLIE_CAPTURE_STATUS_MAP: Readonly<
  Record<MollieCaptureStatus, ProviderOperationState['status']>
> = {
  pending: 'pending',
  succeeded: 'succeeded',
  failed: 'failed',
};

/** Our methods to Mollie method ids; the others are not offered through this connector. */
export const MOLLIE_METHODS: Readonly<Partial<Record<PaymentMethod, string>>> = {
  card: 'creditcard',
  ideal: 'ideal',
  bancontact: 'bancontact',
  paypal: 'paypal',
  eps: 'eps',
  klarna: 'klarna',
  applepay: 'applepay',
  banktransfer: 'banktransfer',
};

/** Currencies Mollie settles whose decimals match ISO 4217. */
export const MOLLIE_CURRENCIES = [
  'EUR',
  'GBP',
  'USD',
  'CHF',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'CAD',
  'AUD',
  'JPY',
] as const;

/**
 * Methods that take only some of MOLLIE_CURRENCIES (docs.mollie.com/docs/multicurrency: the other
 * currencies are for cards and PayPal; Apple Pay pays with a card). Klarna: the table names it
 * for CHF, CZK, DKK and NOK besides EUR, and not for GBP, USD, CAD, AUD or JPY; SEK and PLN,
 * Klarna's own currencies in Sweden and Poland, are kept. Mollie refuses the others with a 422,
 * which is final, so routing must skip the account instead (and fall back).
 */
export const MOLLIE_CURRENCIES_BY_METHOD: Readonly<
  Partial<Record<PaymentMethod, readonly string[]>>
> = {
  ...EURO_ONLY_METHODS,
  banktransfer: ['EUR'],
  klarna: ['EUR', 'CHF', 'CZK', 'DKK', 'NOK', 'PLN', 'SEK'],
};

/** Locales Mollie's checkout accepts (components/schemas/locale). */
export const MOLLIE_LOCALES = new Set([
  'ca_ES',
  'cs_CZ',
  'da_DK',
  'de_AT',
  'de_CH',
  'de_DE',
  'de_LU',
  'en_BE',
  'en_GB',
  'en_NL',
  'en_US',
  'es_ES',
  'fi_FI',
  'fr_BE',
  'fr_FR',
  'fr_LU',
  'hu_HU',
  'is_IS',
  'it_IT',
  'lt_LT',
  'lv_LV',
  'nb_NO',
  'nl_BE',
  'nl_NL',
  'pl_PL',
  'pt_PT',
  'sk_SK',
  'sv_SE',
]);

/** Minor units to Mollie's `{ currency, value: "10.50" }` (exactly the currency's decimals). */
export function toMollieAmount(money: Money): MollieAmount {
  return { currency: money.currency, value: toDecimalString(money.value, money.currency) };
}

export function fromMollieAmount(amount: MollieAmount | undefined): number | undefined {
  return amount ? fromDecimalString(amount.value, amount.currency) : undefined;
}

export function toMollieLocale(locale: string | undefined): string | undefined {
  if (!locale) return undefined;
  const normalized = locale.replace('-', '_');
  return MOLLIE_LOCALES.has(normalized) ? normalized : undefined;
}

/**
 * What the payment's chargebacks say (get-payment with `embed=chargebacks`): `open` when one is
 * not reversed, `reversed` when it had some and every one carries `reversedAt` (Mollie then
 * omits `amountChargedBack`, "only available when the total charged back amount is not zero"),
 * `none` without any (or when they were not embedded).
 */
export function mollieChargebacks(payment: MolliePayment): 'none' | 'open' | 'reversed' {
  const chargebacks = payment._embedded?.chargebacks ?? [];
  if (chargebacks.length === 0) return 'none';
  return chargebacks.every((chargeback) => chargeback.reversedAt) ? 'reversed' : 'open';
}

/** The ids of the payment's chargebacks, in order, within what a history detail holds. */
function reversedChargebackIds(payment: MolliePayment): string {
  const ids = (payment._embedded?.chargebacks ?? []).map((chargeback) => String(chargeback.id));
  return ids.sort().join(',').slice(0, 200);
}

export function molliePaymentState(payment: MolliePayment): ProviderPaymentState {
  const chargedBack = fromMollieAmount(payment.amountChargedBack) ?? 0;
  const chargebacks = mollieChargebacks(payment);
  // All of its chargebacks reversed, and nothing left charged back: the money came back.
  const reversed = chargebacks === 'reversed' && chargedBack <= 0;
  // Mollie keeps a charged-back payment `paid` and reports the chargeback as an amount. A
  // reversed one is reported as the `charged_back` it was about, flagged (as Adyen's
  // CHARGEBACK_REVERSED): the core records it and tells an operator, and never moves the
  // payment back to paid. A partial reversal leaves an amount charged back: charged_back.
  const status =
    chargedBack > 0 || chargebacks !== 'none'
      ? 'charged_back'
      : (mapPspStatus(MOLLIE_STATUS_MAP, payment.status) ?? null);
  const captured = fromMollieAmount(payment.amountCaptured);
  const failureText = payment.details?.failureMessage ?? payment.details?.failureReason;
  return {
    providerPaymentId: payment.id,
    status,
    // The history's detail says why a `paid` payment was reported this way, and which
    // chargebacks: the core records a reversal once by it, and a later one (of another
    // chargeback) again.
    providerStatus: reversed
      ? `${payment.status}:chargeback_reversed:${reversedChargebackIds(payment)}`
      : payment.status,
    ...(reversed ? { chargebackReversed: true } : {}),
    amountCaptured: captured || undefined,
    // Mollie's `method` is the one asked for until the customer has gone through checkout.
    methodUsed: payment.method && payment.status !== 'open' ? payment.method : undefined,
    failure:
      status === 'failed'
        ? { code: 'provider_failed', message: failureText ?? 'Mollie reports the payment failed' }
        : undefined,
  };
}

/**
 * What an authorization still holds at Mollie after a partial capture: the amount not captured
 * while the payment is still `authorized` with something captured (release-authorization turns
 * that into `paid`); 0 when nothing is captured yet (a release would cancel the payment), all
 * of it is, or Mollie has closed the payment itself.
 */
export function mollieHeldRest(payment: MolliePayment): number {
  const captured = fromMollieAmount(payment.amountCaptured) ?? 0;
  if (payment.status !== 'authorized' || captured <= 0) return 0;
  return Math.max((fromMollieAmount(payment.amount) ?? 0) - captured, 0);
}

export function mollieRefundState(refund: MollieRefund): ProviderRefundState {
  return {
    providerRefundId: refund.id,
    refundId: refund.metadata?.refundId,
    status: mapPspStatus(MOLLIE_REFUND_STATUS_MAP, refund.status) ?? null,
    providerStatus: refund.status,
    amount: fromMollieAmount(refund.amount),
  };
}

export function mollieCaptureState(capture: MollieCapture): ProviderOperationState {
  const status = mapPspStatus(MOLLIE_CAPTURE_STATUS_MAP, capture.status ?? '') ?? 'pending';
  return {
    status,
    providerStatus: capture.status ?? 'unknown',
    providerOperationId: capture.id,
    amountCaptured: fromMollieAmount(capture.amount),
    failure:
      status === 'failed'
        ? { code: 'declined', message: `Mollie capture ${capture.id} failed` }
        : undefined,
  };
}

/** A Mollie error answer (`title`, `detail`, `field`) as one of our ProviderErrors. */
export function mollieError(response: HttpResponse): ProviderError {
  const error = parseJsonOr<MollieErrorBody>(response.text);
  const field = error.field ? ` (field ${error.field})` : '';
  return ProviderError.fromHttpStatus(
    response.status,
    `Mollie ${response.status} ${error.title ?? ''}: ${error.detail ?? `HTTP ${response.status}`}${field}`,
  );
}
