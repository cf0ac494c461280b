import type { PaymentMethod, PaymentStatus, RefundStatus } from '../../domain/payment-status';
import { mapPspStatus } from '../connector/psp-status';
import type {
  ProviderOperationState,
  ProviderPaymentState,
  ProviderRefundState,
} from '../provider.interface';
import type {
  StripeCheckoutSession,
  StripeErrorBody,
  StripePaymentIntent,
  StripeRefund,
  StripeRefundStatus,
  StripeStatusKey,
} from './stripe.types';
import { parseJsonOr } from '../connector/connector-client';
import { ProviderError } from '../provider-error';
import type { HttpResponse } from '../provider-http.client';

/**
 * Stripe states to ours. A Checkout Session is read together with its PaymentIntent: the
 * key is `session.<status>[.<payment_status>]` while there is no PaymentIntent (and for an
 * expired session), `payment_intent.<status>` once there is one, and the combination
 * `session.complete+payment_intent.requires_payment_method` for a completed session whose
 * delayed payment failed (checkout.session.async_payment_failed).
 */
export const STRIPE_STATUS_MAP: Readonly<Record<StripeStatusKey, PaymentStatus>> = {
  'session.open': 'pending',
  'session.expired': 'expired',
  'session.complete.unpaid': 'pending',
  'session.complete.paid': 'paid',
  'payment_intent.requires_payment_method': 'pending',
  'payment_intent.requires_confirmation': 'pending',
  'payment_intent.requires_action': 'pending',
  'payment_intent.processing': 'pending',
  'payment_intent.requires_capture': 'authorized',
  'payment_intent.succeeded': 'paid',
  'payment_intent.canceled': 'canceled',
  'session.complete+payment_intent.requires_payment_method': 'failed',
};

export const STRIPE_REFUND_STATUS_MAP: Readonly<Record<StripeRefundStatus, RefundStatus>> = {
  pending: 'pending',
  requires_action: 'pending',
  succeeded: 'succeeded',
  failed: 'failed',
  canceled: 'failed',
};

/** Our methods to Checkout `payment_method_types` (wallets ride on `card`). */
export const STRIPE_METHODS: Readonly<Partial<Record<PaymentMethod, string>>> = {
  card: 'card',
  applepay: 'card',
  googlepay: 'card',
  ideal: 'ideal',
  bancontact: 'bancontact',
  eps: 'eps',
  klarna: 'klarna',
  paypal: 'paypal',
};

/** Currencies whose Stripe minor unit is the ISO 4217 one (no Stripe special cases such as HUF, ISK, TWD or 3-decimal codes). */
export const STRIPE_CURRENCIES = [
  'EUR',
  'USD',
  'GBP',
  'CHF',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'RON',
  'BGN',
  'CAD',
  'AUD',
  'NZD',
  'SGD',
  'HKD',
  'MXN',
  'BRL',
  'JPY',
] as const;

/**
 * The smallest charge Stripe takes per currency, in minor units: below it Stripe answers 400
 * amount_too_small, a final refusal, so routing must choose another account before the call.
 * docs.stripe.com/currencies, "Minimum and maximum charge amounts" (for a charge in the
 * settlement currency; one converted from another currency must also reach the settlement
 * currency's minimum, which we cannot know here).
 */
export const STRIPE_MINIMUM_AMOUNTS = {
  EUR: 50,
  USD: 50,
  GBP: 30,
  CHF: 50,
  SEK: 300,
  NOK: 300,
  DKK: 250,
  PLN: 200,
  CZK: 1500,
  RON: 200,
  BGN: 100,
  CAD: 50,
  AUD: 50,
  NZD: 50,
  SGD: 50,
  HKD: 400,
  MXN: 1000,
  BRL: 50,
  JPY: 50,
} as const satisfies Record<(typeof STRIPE_CURRENCIES)[number], number>;

/** Checkout's `locale` values (SessionCreateParams.Locale in the `stripe` package), less `auto`. */
export const STRIPE_LOCALES: ReadonlySet<string> = new Set([
  'bg',
  'cs',
  'da',
  'de',
  'el',
  'en',
  'en-GB',
  'es',
  'es-419',
  'et',
  'fi',
  'fil',
  'fr',
  'fr-CA',
  'hi-IN',
  'hr',
  'hu',
  'id',
  'it',
  'ja',
  'ko',
  'lt',
  'lv',
  'ms',
  'mt',
  'nb',
  'nl',
  'pl',
  'pt',
  'pt-BR',
  'ro',
  'ru',
  'sk',
  'sl',
  'sv',
  'th',
  'tr',
  'vi',
  'zh',
  'zh-HK',
  'zh-TW',
]);

/** Languages Stripe names otherwise: Norwegian is Bokmål, Hindi and Filipino only as below. */
const STRIPE_LANGUAGE_ALIASES: Readonly<Record<string, string>> = {
  no: 'nb',
  nn: 'nb',
  hi: 'hi-IN',
  tl: 'fil',
};

/** Spanish of these countries is Checkout's Latin American Spanish (es-419). */
const LATIN_AMERICAN_SPANISH = new Set(
  'AR BO CL CO CR CU DO EC GT HN MX NI PA PE PR PY SV US UY VE'.split(' '),
);

/**
 * Our locale (`nl`, `pt-BR`, `fr_CA`) as Checkout's `locale`: the regional variant where
 * Checkout has it, else the language; undefined (Checkout picks from the browser) when
 * Checkout does not offer the language.
 */
export function stripeLocale(locale: string | null | undefined): string | undefined {
  if (!locale) return undefined;
  const [rawLanguage, rawRegion] = locale.split(/[-_]/);
  const language = rawLanguage.toLowerCase();
  const region = rawRegion?.toUpperCase();
  if (region && STRIPE_LOCALES.has(`${language}-${region}`)) return `${language}-${region}`;
  if (language === 'es' && region && LATIN_AMERICAN_SPANISH.has(region)) return 'es-419';
  if (language === 'zh' && region === 'MO') return 'zh-HK';
  const named = STRIPE_LANGUAGE_ALIASES[language] ?? language;
  return STRIPE_LOCALES.has(named) ? named : undefined;
}

export function stripeStatusKey(session: StripeCheckoutSession): string {
  const intent = typeof session.payment_intent === 'object' ? session.payment_intent : null;
  if (session.status === 'expired' || !intent) {
    return session.status === 'complete'
      ? `session.complete.${session.payment_status}`
      : `session.${session.status}`;
  }
  if (session.status === 'complete' && intent.status === 'requires_payment_method')
    return `session.complete+payment_intent.${intent.status}`;
  return `payment_intent.${intent.status}`;
}

/** A session read with `expand[]=payment_intent`. */
export function stripeSessionState(session: StripeCheckoutSession): ProviderPaymentState {
  const key = stripeStatusKey(session);
  const status = mapPspStatus(STRIPE_STATUS_MAP, key) ?? null;
  const intent = typeof session.payment_intent === 'object' ? session.payment_intent : null;
  return {
    providerPaymentId: session.id,
    status,
    providerStatus: key,
    amountCaptured: intent?.amount_received || undefined,
    // Stored once: later webhooks (captures, refunds, disputes) name the payment by its PaymentIntent.
    providerReference: intent?.id,
    methodUsed: intent ? stripeMethodUsed(intent) : undefined,
    failure:
      status === 'failed'
        ? {
            code: intent?.last_payment_error?.code ?? 'provider_failed',
            message: intent?.last_payment_error?.message ?? 'Stripe reports the payment failed',
          }
        : undefined,
  };
}

/**
 * The type of the PaymentMethod the customer paid with (`card`, `ideal`, `klarna`…): read from
 * the expanded payment_method, or from payment_method_types when the session offered only one.
 */
export function stripeMethodUsed(intent: StripePaymentIntent): string | undefined {
  const method = intent.payment_method;
  if (method && typeof method === 'object') return method.type;
  if (method && intent.payment_method_types?.length === 1) return intent.payment_method_types[0];
  return undefined;
}

export function stripeRefundState(refund: StripeRefund): ProviderRefundState {
  return {
    providerRefundId: refund.id,
    refundId: refund.metadata?.paymentserver_refund_id,
    status: refund.status ? (mapPspStatus(STRIPE_REFUND_STATUS_MAP, refund.status) ?? null) : null,
    providerStatus: refund.status ?? 'unknown',
    amount: refund.amount,
  };
}

type FormValue =
  string | number | boolean | undefined | null | FormValue[] | { [key: string]: FormValue };

/** Stripe's form encoding: nested objects and arrays in bracket notation (`a[b][0][c]=…`). */
export function toStripeForm(params: Record<string, FormValue>): string {
  const form = new URLSearchParams();
  const add = (prefix: string, value: FormValue) => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) value.forEach((item, index) => add(`${prefix}[${index}]`, item));
    else if (typeof value === 'object')
      for (const [key, item] of Object.entries(value)) add(`${prefix}[${key}]`, item);
    else form.append(prefix, String(value));
  };
  for (const [key, value] of Object.entries(params)) add(key, value);
  return form.toString();
}

/** A PaymentIntent after a capture was asked for; null while it still waits for one (not done). */
export function stripeCaptureState(intent: StripePaymentIntent): ProviderOperationState | null {
  const base = {
    providerStatus: `payment_intent.${intent.status}`,
    providerOperationId: intent.id,
  };
  if (intent.status === 'requires_capture') return null;
  if (intent.status === 'succeeded')
    return { ...base, status: 'succeeded', amountCaptured: intent.amount_received };
  if (intent.status === 'canceled')
    return {
      ...base,
      status: 'failed',
      failure: { code: 'canceled', message: 'the PaymentIntent was canceled' },
    };
  // processing, or a status we do not know: the capture is not settled yet.
  return { ...base, status: 'pending' };
}

/**
 * What a cancel can still do to a session read with `expand[]=payment_intent`. Stripe cancels
 * a Checkout Session's PaymentIntent only in `requires_capture`; otherwise the session must be
 * expired (PaymentIntents.d.ts, `cancel`), and only an open one can be (Sessions.d.ts,
 * `expire`). `expire`: the session is open; `cancel`: an authorization to void; `done`: the
 * session expired or the PaymentIntent was canceled; `refused`: a completed session whose
 * PaymentIntent is in any other state (paid, processing, or failed: requires_payment_method),
 * which nothing can cancel.
 */
export type StripeCancelStep =
  | { step: 'expire' }
  | { step: 'cancel'; intentId: string }
  | { step: 'done' }
  | { step: 'refused'; reason: string };

export function stripeCancelStep(session: StripeCheckoutSession): StripeCancelStep {
  const intent = typeof session.payment_intent === 'object' ? session.payment_intent : null;
  if (session.status === 'expired' || intent?.status === 'canceled') return { step: 'done' };
  if (session.status === 'open') return { step: 'expire' };
  if (session.status === 'complete' && intent?.status === 'requires_capture')
    return { step: 'cancel', intentId: intent.id };
  return {
    step: 'refused',
    reason: intent
      ? `Stripe cancels the PaymentIntent ${intent.id} of Checkout Session ${session.id} only in status requires_capture; it is ${intent.status}`
      : `Stripe cannot cancel Checkout Session ${session.id}: it is ${session.status} with no PaymentIntent`,
  };
}

/**
 * A session read with `expand[]=payment_intent` after a cancel was asked for: null while a
 * cancel can still be sent (stripeCancelStep), else settled. A state a cancel cannot leave is
 * `failed`, never null, so the core does not send it again and again nor keep it open.
 */
export function stripeCancellationState(
  session: StripeCheckoutSession,
): ProviderOperationState | null {
  const step = stripeCancelStep(session);
  const providerStatus = stripeStatusKey(session);
  if (step.step === 'done') return { status: 'succeeded', providerStatus };
  if (step.step === 'refused')
    return {
      status: 'failed',
      providerStatus,
      failure: { code: 'not_cancelable', message: step.reason },
    };
  return null;
}

/** Stripe's error answer: a card error is a decline, the rest goes by status. */
export function stripeError(response: HttpResponse): ProviderError {
  const e = parseJsonOr<StripeErrorBody>(response.text).error ?? {};
  const code = [e.type, e.code, e.decline_code].filter(Boolean).join('/');
  const message = `Stripe ${response.status} ${code}: ${e.message ?? `HTTP ${response.status}`}${e.param ? ` (param ${e.param})` : ''}`;
  if (e.type === 'card_error') return new ProviderError('declined', message, response.status);
  // 400 idempotency_error: the key came before with other parameters. That earlier request may
  // have been carried out (docs.stripe.com/idempotency), so this is no refusal: unknown, as a
  // repeat still in progress (409 idempotency_key_in_use) is, and looked up before anything else.
  if (e.type === 'idempotency_error')
    return new ProviderError('in_progress', message, response.status);
  // Stripe also rate-limits with 400 and code `rate_limit`: the SDK makes that a
  // StripeRateLimitError, as it does 429 (stripe/cjs/Error.js, generateV1Error). Nothing was
  // done and the request may be sent again, so it is no refusal.
  if (response.status === 400 && e.code === 'rate_limit')
    return new ProviderError('rate_limited', message, response.status);
  return ProviderError.fromHttpStatus(response.status, message);
}
