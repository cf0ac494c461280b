import type { PaymentMethod } from '../domain/payment-status';
import { toDecimalString } from '../common/money/money';
import type { ProviderCapabilities } from './provider.interface';

/** What a provider may or may not do with a payment, per payment method. */
export const PAYMENT_FEATURES = [
  'manualCapture',
  'partialCapture',
  'cancel',
  'refunds',
  'partialRefunds',
  'multipleRefunds',
] as const;
export type PaymentFeature = (typeof PAYMENT_FEATURES)[number];
export type PaymentFeatures = Record<PaymentFeature, boolean>;

/** The words a refusal uses for each feature (`<provider> does not support <words>`). */
const FEATURE_WORDS: Record<PaymentFeature, string> = {
  manualCapture: 'manual capture',
  partialCapture: 'partial capture',
  cancel: 'cancel',
  refunds: 'refunds',
  partialRefunds: 'partial refunds',
  multipleRefunds: 'more than one refund per payment',
};

/**
 * What is asked of a provider: a currency, an amount in that currency's minor units (a new
 * payment's), a method (null: chosen at checkout), features.
 */
export interface CapabilityQuestion {
  currency?: string;
  amount?: number;
  method?: PaymentMethod | null;
  features?: readonly PaymentFeature[];
}

/** Why the provider cannot, as routing says it (`why`) and as a 422 names it (`what`). */
export interface Refusal {
  why: string;
  what: string;
}

/** Whether the provider can do `feature` for a payment with `method` (null: the provider's default). */
export function supports(
  capabilities: ProviderCapabilities,
  method: PaymentMethod | null | undefined,
  feature: PaymentFeature,
): boolean {
  const override = method ? capabilities.byMethod?.[method]?.[feature] : undefined;
  return override ?? capabilities[feature];
}

/** The currencies one method takes: its own list, or the provider's (`['any']` for any). */
export function methodCurrencies(
  capabilities: ProviderCapabilities,
  method: PaymentMethod,
): readonly string[] {
  const own = capabilities.currenciesByMethod?.[method];
  if (own) return own;
  return capabilities.currencies === 'any' ? ['any'] : capabilities.currencies;
}

/** The capabilities of one method: the provider's defaults with that method's exceptions. */
export function methodFeatures(
  capabilities: ProviderCapabilities,
  method: PaymentMethod | null,
): PaymentFeatures {
  return Object.fromEntries(
    PAYMENT_FEATURES.map((feature) => [feature, supports(capabilities, method, feature)]),
  ) as PaymentFeatures;
}

/**
 * The one capability check, used by routing eligibility (so an account that cannot is skipped
 * and fallback applies), by payment creation, captures, cancels and refunds: the first thing
 * asked that the provider cannot do, or null.
 */
export function refusal(
  provider: { name: string; capabilities: ProviderCapabilities },
  question: CapabilityQuestion,
): Refusal | null {
  const { name, capabilities: caps } = provider;
  const { currency, method } = question;
  if (currency && caps.currencies !== 'any' && !caps.currencies.includes(currency))
    return { why: `${name} does not support ${currency}`, what: `currency ${currency}` };
  if (method && !caps.methods.includes(method))
    return { why: `${name} does not support method ${method}`, what: `method ${method}` };
  const only = method ? caps.currenciesByMethod?.[method] : undefined;
  if (currency && only && !only.includes(currency)) {
    const what = `${currency} for method ${method}`;
    return { why: `${name} does not support ${what}`, what };
  }
  const { amount } = question;
  const minimum = currency ? caps.minimumAmounts?.[currency] : undefined;
  if (currency && amount !== undefined && minimum !== undefined && amount < minimum) {
    const what = `${currency} payments below ${toDecimalString(minimum, currency)}`;
    return { why: `${name} does not support ${what}`, what };
  }
  for (const feature of question.features ?? []) {
    if (supports(caps, method, feature)) continue;
    const words = FEATURE_WORDS[feature];
    // A method's own exception names the method, so the shop can see why another would work.
    const what = method && caps[feature] ? `${words} of ${method} payments` : words;
    return { why: `${name} does not support ${what}`, what };
  }
  return null;
}

/** `byMethod` exceptions: `feature` only for the `allowed` of a provider's `methods`. */
export function featureOnlyFor(
  feature: PaymentFeature,
  methods: readonly PaymentMethod[],
  allowed: readonly PaymentMethod[],
): Partial<Record<PaymentMethod, Partial<PaymentFeatures>>> {
  return Object.fromEntries(
    methods
      .filter((method) => !allowed.includes(method))
      .map((method) => [method, { [feature]: false }]),
  );
}

/**
 * iDEAL, Bancontact and EPS are euro schemes: every PSP takes them in euros only (Mollie's,
 * MultiSafepay's, Stripe's and Adyen's method pages agree). A connector spreads this into its
 * `currenciesByMethod`, with its own exceptions.
 */
export const EURO_ONLY_METHODS = {
  ideal: ['EUR'],
  bancontact: ['EUR'],
  eps: ['EUR'],
} as const satisfies Partial<Record<PaymentMethod, readonly string[]>>;

/** Every feature on, as most PSPs offer for the methods they take; narrow it with `byMethod`. */
export const ALL_FEATURES = {
  manualCapture: true,
  partialCapture: true,
  cancel: true,
  refunds: true,
  partialRefunds: true,
  multipleRefunds: true,
  polling: true,
} as const satisfies PaymentFeatures & { polling: boolean };
