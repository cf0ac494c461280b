/** The parts of MultiSafepay API v1 (JSON) objects this connector reads. */
export interface MultiSafepayOrder {
  order_id: string;
  transaction_id?: string | number;
  status: string;
  financial_status?: string;
  amount: number;
  currency: string;
  amount_refunded?: number;
  reason?: string;
  reason_code?: string;
  /** `capture: "manual"` and `capture_remain` for a card authorization awaiting capture. */
  payment_details?: { type?: string; capture?: string; capture_remain?: number } | null;
  /** Refunds (and other follow-up transactions) booked on this order. */
  related_transactions?: MultiSafepayRelatedTransaction[] | null;
  /** The cart's items are passed back (a BNPL refund) and duplicated for the refunded ones. */
  shopping_cart?: { items?: Record<string, unknown>[] | null } | null;
  /** Its tax tables: what a BNPL refund's items come to. */
  checkout_options?: unknown;
}

/** schemas/RelatedTransactions.yaml. */
export interface MultiSafepayRelatedTransaction {
  transaction_id: string | number;
  amount: number;
  currency?: string;
  status: string;
  description?: string;
  type?: 'capture' | 'chargeback' | 'reverse-chargeback' | 'refund' | 'auth-cancellation' | string;
  /** The refund's own order id: ours, as the connector sends it. */
  refund_order_id?: string;
}

/** Every API answer is wrapped: `{ success, data }` or `{ success: false, error_code, error_info }`. */
export interface MultiSafepayEnvelope<T> {
  success: boolean;
  data?: T;
  error_code?: number;
  error_info?: string;
}

export interface MultiSafepayCreated {
  order_id: string;
  payment_url: string;
}

export interface MultiSafepayRefundCreated {
  /** The original order's transaction (refund-order.md: "identifier for the original transaction"). */
  transaction_id?: string | number;
  /** The refund's own transaction, when MultiSafepay names it. */
  refund_id?: string | number;
  /** Not documented on the answer; read only in case MultiSafepay says the refund is done. */
  status?: string;
}

/** Order statuses MultiSafepay documents, plus our key for a card authorization awaiting capture. */
export type MultiSafepayStatusKey =
  | 'completed/initialized/manual'
  | 'completed/uncleared'
  | 'initialized'
  | 'uncleared'
  | 'completed'
  | 'shipped'
  | 'declined'
  | 'cancelled'
  | 'void'
  | 'expired'
  | 'partial_refunded'
  | 'refunded'
  | 'void/void'
  | 'chargeback'
  | 'chargedback';
/** Statuses of a refund transaction MultiSafepay documents. */
export type MultiSafepayRefundStatus =
  | 'completed'
  | 'initialized'
  | 'reserved'
  | 'uncleared'
  | 'declined'
  | 'void'
  | 'cancelled'
  | 'expired';
