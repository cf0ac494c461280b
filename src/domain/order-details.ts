import type { Money } from '../common/money/money';

export const ORDER_LINE_TYPES = [
  'physical',
  'digital',
  'shipping_fee',
  'discount',
  'surcharge',
] as const;
export type OrderLineType = (typeof ORDER_LINE_TYPES)[number];

/**
 * One line of the order. `totalAmount` is what the line adds to the payment's amount (negative
 * for a discount); the lines' totals add up to the amount. `vatAmount` is included in it.
 */
export interface OrderLine {
  type?: OrderLineType;
  name: string;
  quantity: number;
  unitPrice: Money;
  totalAmount: Money;
  /** Percentage with two decimals, as a string: "21.00". */
  vatRate?: string;
  vatAmount?: Money;
  sku?: string;
}

export interface Address {
  givenName: string;
  familyName: string;
  organizationName?: string;
  email?: string;
  phone?: string;
  streetAndNumber: string;
  postalCode: string;
  city: string;
  region?: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/** What a connector gets of the order, besides amount and description. */
export interface OrderDetails {
  lines: OrderLine[] | null;
  billingAddress: Address | null;
  shippingAddress: Address | null;
  /** The hosted checkout stops accepting after it. */
  expiresAt: Date | null;
}

/**
 * The VAT contained in `total` at `rate` ("21.00"): total × rate / (100 + rate), rounded half
 * away from zero, in BigInt so no amount loses precision.
 */
export function vatIncluded(total: number, rate: string): number {
  const basis = BigInt(rate.replace('.', '')); // 21.00 → 2100
  const numerator = BigInt(total) * basis;
  const denominator = 10000n + basis;
  const sign = numerator < 0n ? -1n : 1n;
  return Number((2n * numerator + sign * denominator) / (2n * denominator));
}
