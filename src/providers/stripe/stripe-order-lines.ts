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

/** Stripe metadata: at most 50 keys, keys ≤ 40 and values ≤ 500 characters. */
const METADATA_KEYS = 50;

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

/** The shop's metadata within Stripe's limits, then ours (which must always fit). */
export function stripeMetadata(
  request: CreatePaymentRequest,
  ours: Record<string, string>,
): Record<string, string> {
  const room = METADATA_KEYS - Object.keys(ours).length;
  const shop = Object.entries(request.metadata ?? {})
    .filter(([key, value]) => key.length <= 40 && value.length <= 500 && !(key in ours))
    .slice(0, room);
  return { ...Object.fromEntries(shop), ...ours };
}

/** `expires_at` (Unix seconds) when the payment has an expiry; refused outside Stripe's window. */
export function stripeExpiresAt(
  request: CreatePaymentRequest,
  now = Date.now(),
): number | undefined {
  if (!request.expiresAt) return undefined;
  const seconds = Math.floor(request.expiresAt.getTime() / 1000);
  const ahead = seconds - now / 1000;
  if (ahead < STRIPE_EXPIRY.minSeconds - 60 || ahead > STRIPE_EXPIRY.maxSeconds)
    throw new ProviderError(
      'not_supported',
      'Stripe Checkout expires a session 30 minutes to 24 hours after creation only',
    );
  return seconds;
}
