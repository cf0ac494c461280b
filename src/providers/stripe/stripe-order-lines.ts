import type { CreatePaymentRequest } from '../provider.interface';
import { ProviderError } from '../provider-error';

/** A type, not an interface: the form encoder takes it as a plain record. */
export type StripeLineItem = {
  quantity: number;
  price_data: {
    currency: string;
    unit_amount: number;
    product_data: { name: string; metadata?: Record<string, string> };
  };
};

/** Checkout Session `expires_at` must lie 30 minutes to 24 hours after creation. */
export const STRIPE_EXPIRY = { minSeconds: 30 * 60, maxSeconds: 24 * 3600 };

/**
 * Stripe metadata (docs.stripe.com/metadata): at most 50 keys, keys of at most 40 characters
 * without square brackets, values of at most 500 characters.
 */
const METADATA = { keys: 50, keyLength: 40, valueLength: 500 };

/** Whether Stripe takes this pair as metadata (a bracket would split the form key `metadata[a[b]]`). */
export function stripeMetadataFits(key: string, value: string): boolean {
  return (
    key.length >= 1 &&
    key.length <= METADATA.keyLength &&
    !/[[\]]/.test(key) &&
    value.length <= METADATA.valueLength
  );
}

/**
 * `line_items` for a Checkout Session. Checkout has no negative lines, so discount lines
 * become one amount_off coupon (`discount`); the line items minus it make the amount. Without
 * lines, one item named after the description carries the whole amount.
 */
export function stripeLineItems(request: CreatePaymentRequest): {
  lineItems: StripeLineItem[];
  discount: number;
} {
  const currency = request.amount.currency.toLowerCase();
  const item = (
    name: string,
    quantity: number,
    unitAmount: number,
    sku?: string,
  ): StripeLineItem => ({
    quantity,
    price_data: {
      currency,
      unit_amount: unitAmount,
      product_data: { name, ...(sku ? { metadata: { sku } } : {}) },
    },
  });
  if (!request.lines) {
    return { lineItems: [item(request.description, 1, request.amount.value)], discount: 0 };
  }
  const discounts = request.lines.filter((line) => line.totalAmount.value < 0);
  return {
    lineItems: request.lines
      .filter((line) => line.totalAmount.value >= 0)
      .map((line) => item(line.name, line.quantity, line.unitPrice.value, line.sku)),
    discount: -discounts.reduce((sum, line) => sum + line.totalAmount.value, 0),
  };
}

/** The coupon that carries the discount lines (one use, this payment only). */
export function stripeCouponParams(request: CreatePaymentRequest, amountOff: number) {
  const names = (request.lines ?? [])
    .filter((line) => line.totalAmount.value < 0)
    .map((line) => line.name)
    .join(', ');
  return {
    amount_off: amountOff,
    currency: request.amount.currency.toLowerCase(),
    duration: 'once',
    max_redemptions: 1,
    // Shown to the customer on the Checkout page; Stripe allows 40 characters.
    name: names.slice(0, 40),
    metadata: { paymentserver_payment_id: request.paymentId },
  };
}

/**
 * The shop's metadata within Stripe's limits, then ours (which always fits). A shop pair
 * Stripe would refuse, one beyond the 50 keys or one named like ours is left out, its key
 * listed in `dropped` for the caller to report: one odd key must not cost the payment.
 */
export function stripeMetadata(
  request: CreatePaymentRequest,
  ours: Record<string, string>,
): { metadata: Record<string, string>; dropped: string[] } {
  const room = METADATA.keys - Object.keys(ours).length;
  const shop: [string, string][] = [];
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(request.metadata ?? {})) {
    if (!(key in ours) && stripeMetadataFits(key, value) && shop.length < room)
      shop.push([key, value]);
    else dropped.push(key);
  }
  return { metadata: { ...Object.fromEntries(shop), ...ours }, dropped };
}

/**
 * Seconds kept clear of Stripe's window edges, counted from the payment's creation: the way to
 * Stripe (the routing time budget, fallbacks included: 25 s by default) and the difference
 * between our clock and Stripe's, which measures the window from the session's creation.
 */
const EXPIRY_MARGIN_SECONDS = 60;

/**
 * Seconds kept clear of the window's start counted from the clock at this send: the way to
 * Stripe and the clocks' difference, for a send so late that the bound above no longer covers
 * it. Less than EXPIRY_MARGIN_SECONDS, so sends within 30 s of the payment's creation all
 * carry the bound above.
 */
const SEND_MARGIN_SECONDS = 30;

/**
 * `expires_at` (Unix seconds) when the payment has an expiry. Stripe takes 30 minutes to 24
 * hours after the session's creation (Checkout/Sessions.d.ts, `expires_at`), and the core
 * accepts an expiry 30 minutes ahead when it validates the request, which is less by the time
 * Stripe sees it: an expiry near the window's start is moved to 30 minutes and a margin after
 * the payment's creation, one near its 24-hour end is moved in likewise; further outside the
 * window it is refused.
 *
 * The bounds come from the payment's creation time, not from the clock at each attempt, so a
 * create sent again under the same Idempotency-Key carries the same parameters: Stripe
 * "compares incoming parameters to those of the original request and errors if they're not the
 * same" (docs.stripe.com/idempotency). That holds for sends within 30 s of the payment's
 * creation (the default routing budget is 25 s). A later send never goes below 30 minutes and
 * SEND_MARGIN_SECONDS from its own clock, or Stripe would refuse the session (400); its value
 * then differs from an earlier send's. If that earlier send reached Stripe, Stripe answers the
 * key with 400 idempotency_error, which stripeError makes `in_progress`: no answer (the first
 * request may have created the session), never a refusal.
 */
export function stripeExpiresAt(
  request: CreatePaymentRequest,
  now = Date.now(),
): number | undefined {
  if (!request.expiresAt) return undefined;
  const seconds = Math.floor(request.expiresAt.getTime() / 1000);
  const ahead = (request.expiresAt.getTime() - now) / 1000;
  if (ahead < STRIPE_EXPIRY.minSeconds - 60 || ahead > STRIPE_EXPIRY.maxSeconds)
    throw new ProviderError(
      'not_supported',
      'Stripe Checkout expires a session 30 minutes to 24 hours after creation only',
    );
  const created = request.createdAt?.getTime() ?? now;
  const earliest = Math.max(
    Math.ceil(created / 1000) + STRIPE_EXPIRY.minSeconds + EXPIRY_MARGIN_SECONDS,
    Math.ceil(now / 1000) + STRIPE_EXPIRY.minSeconds + SEND_MARGIN_SECONDS,
  );
  const latest = Math.floor(created / 1000) + STRIPE_EXPIRY.maxSeconds - EXPIRY_MARGIN_SECONDS;
  return Math.min(Math.max(seconds, earliest), latest);
}
