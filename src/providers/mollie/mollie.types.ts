/** The parts of Mollie API v2 objects this connector reads. */
export interface MollieAmount {
  currency: string;
  value: string;
}

export interface MollieRefund {
  resource: 'refund';
  id: string;
  status: string;
  amount: MollieAmount;
  paymentId: string;
  metadata?: Record<string, string> | null;
}

/**
 * A chargeback (entity-chargeback), as get-payment embeds it with `embed=chargebacks`.
 * `reversedAt` is set once the chargeback was reversed (the money came back to the merchant).
 */
export interface MollieChargeback {
  resource: 'chargeback';
  id: string;
  amount: MollieAmount;
  createdAt: string;
  reversedAt?: string | null;
  paymentId?: string;
}

export interface MolliePayment {
  resource: 'payment';
  id: string;
  status: string;
  amount: MollieAmount;
  amountCaptured?: MollieAmount;
  amountRefunded?: MollieAmount;
  /** The total charged back and not reversed; omitted when zero (none, or all reversed). */
  amountChargedBack?: MollieAmount;
  /** The method the customer chose at checkout (or the one we asked for); null until chosen. */
  method?: string | null;
  /** Whether Mollie would cancel it now (DELETE); omitted once the payment is final. */
  isCancelable?: boolean | null;
  details?: { failureReason?: string; failureMessage?: string } | null;
  /** What we set at creation (`paymentId`, `reference`); Mollie returns it as sent. */
  metadata?: Record<string, string> | null;
  _links?: { checkout?: { href: string } };
  /** With `embed=refunds,chargebacks` (get-payment). */
  _embedded?: { refunds?: MollieRefund[]; chargebacks?: MollieChargeback[] };
}

export interface MollieCapture {
  resource: 'capture';
  id: string;
  status?: string;
  amount?: MollieAmount;
  metadata?: Record<string, string> | null;
}

/** A list answer (refunds, captures): the items sit under `_embedded.<name>`. */
export interface MollieList<Name extends string, T> {
  count: number;
  _embedded?: { [key in Name]?: T[] };
}

/** Mollie's error body (application/hal+json). */
export interface MollieErrorBody {
  status?: number;
  title?: string;
  detail?: string;
  field?: string;
}

/** A line of a payment (Payments API `lines`); amounts carry exactly the currency's decimals. */
export interface MollieLine {
  type: string;
  description: string;
  quantity: number;
  unitPrice: MollieAmount;
  totalAmount: MollieAmount;
  vatRate?: string;
  vatAmount?: MollieAmount;
  sku?: string;
}

/** Mollie's address object (billingAddress, shippingAddress). */
export interface MollieAddress {
  organizationName?: string;
  givenName: string;
  familyName: string;
  email?: string;
  phone?: string;
  streetAndNumber: string;
  postalCode: string;
  city: string;
  region?: string;
  country: string;
}

/** Payment statuses Mollie documents (API v2). */
export type MolliePaymentStatus =
  'open' | 'pending' | 'authorized' | 'paid' | 'failed' | 'canceled' | 'expired';
/** Refund statuses Mollie documents. */
export type MollieRefundStatus =
  'queued' | 'pending' | 'processing' | 'refunded' | 'failed' | 'canceled';
/** Capture statuses Mollie documents. */
export type MollieCaptureStatus = 'pending' | 'succeeded' | 'failed';
