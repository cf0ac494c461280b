export const PAYMENT_STATUSES = [
  'pending',
  'authorized',
  'paid',
  'partially_refunded',
  'refunded',
  'failed',
  'canceled',
  'expired',
  'charged_back',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const REFUND_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export const PAYMENT_METHODS = [
  'card',
  'ideal',
  'bancontact',
  'paypal',
  'sofort',
  'giropay',
  'eps',
  'klarna',
  'applepay',
  'googlepay',
  'banktransfer',
] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export const CAPTURE_MODES = ['automatic', 'manual'] as const;
export type CaptureMode = (typeof CAPTURE_MODES)[number];

export type EventSource = 'api' | 'webhook' | 'poll';
