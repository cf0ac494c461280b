/** The parts of Stripe API objects this connector reads. */
export interface StripePaymentIntent {
  id: string;
  object: 'payment_intent';
  status: string;
  amount: number;
  amount_received: number;
  amount_capturable: number;
  currency: string;
  last_payment_error?: { code?: string; message?: string; decline_code?: string } | null;
  /** The PaymentMethod used; an object when read with `expand[]=payment_intent.payment_method`. */
  payment_method?: string | { id: string; object: 'payment_method'; type: string } | null;
  payment_method_types?: string[];
}

export interface StripeCheckoutSession {
  id: string;
  object: 'checkout.session';
  status: string | null;
  payment_status: string;
  url: string | null;
  payment_intent: string | StripePaymentIntent | null;
}

export interface StripeRefund {
  id: string;
  object: 'refund';
  amount: number;
  status: string | null;
  payment_intent: string | null;
  metadata?: Record<string, string> | null;
}

/** The object of an event, as far as webhooks read it (sessions, PaymentIntents, refunds, disputes). */
export type StripeEventObject = {
  id: string;
  object: string;
  payment_intent?: string | null;
  client_reference_id?: string | null;
  amount?: number;
  amount_total?: number | null;
  currency?: string;
  metadata?: Record<string, string> | null;
} & Record<string, unknown>;

export interface StripeEvent {
  id: string;
  object: 'event';
  type: string;
  data: { object: StripeEventObject };
}

export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
}

export interface StripeErrorBody {
  error?: { type?: string; code?: string; decline_code?: string; message?: string; param?: string };
}

/** A session's state as stripeStatusKey names it (session status, PaymentIntent status). */
export type StripeStatusKey =
  | 'session.open'
  | 'session.expired'
  | 'session.complete.unpaid'
  | 'session.complete.paid'
  | 'payment_intent.requires_payment_method'
  | 'payment_intent.requires_confirmation'
  | 'payment_intent.requires_action'
  | 'payment_intent.processing'
  | 'payment_intent.requires_capture'
  | 'payment_intent.succeeded'
  | 'payment_intent.canceled'
  | 'session.complete+payment_intent.requires_payment_method';
/** Refund statuses Stripe documents. */
export type StripeRefundStatus =
  'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';
