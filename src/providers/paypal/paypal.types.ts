/** The parts of PayPal's Orders v2, Payments v2, OAuth2 and webhook APIs this connector uses. */

export interface PayPalMoney {
  currency_code: string;
  value: string;
}

export interface PayPalLink {
  href: string;
  rel: string;
  method?: string;
}

export interface PayPalCapture {
  id: string;
  status: string;
  amount?: PayPalMoney;
  custom_id?: string;
  invoice_id?: string;
  supplementary_data?: { related_ids?: { order_id?: string; authorization_id?: string } };
  links?: PayPalLink[];
}

export type PayPalAuthorization = PayPalCapture;

export interface PayPalRefund {
  id: string;
  status: string;
  amount?: PayPalMoney;
  custom_id?: string;
  invoice_id?: string;
  supplementary_data?: { related_ids?: { order_id?: string; capture_id?: string } };
  links?: PayPalLink[];
}

export interface PayPalOrder {
  id: string;
  status: string;
  intent?: 'CAPTURE' | 'AUTHORIZE';
  create_time?: string;
  /** Changes with the order's status, e.g. when the buyer approves it (again). */
  update_time?: string;
  /** One key: how the buyer pays (`paypal`, `card`, `venmo`, `apple_pay`…). */
  payment_source?: Record<string, unknown>;
  purchase_units?: {
    reference_id?: string;
    custom_id?: string;
    amount?: PayPalMoney;
    payments?: {
      captures?: PayPalCapture[];
      authorizations?: PayPalAuthorization[];
      refunds?: PayPalRefund[];
    };
  }[];
  links?: PayPalLink[];
}

export interface PayPalToken {
  access_token: string;
  token_type: string;
  expires_in: number;
}

export interface PayPalError {
  name?: string;
  message?: string;
  debug_id?: string;
  details?: { issue?: string; field?: string; description?: string }[];
  /** OAuth errors use these instead. */
  error?: string;
  error_description?: string;
}

export interface PayPalWebhookEvent {
  id: string;
  event_type: string;
  resource_type?: string;
  resource: Record<string, any>;
  create_time?: string;
}

/** Order statuses PayPal documents (Orders v2). */
export type PayPalOrderStatus =
  'CREATED' | 'SAVED' | 'PAYER_ACTION_REQUIRED' | 'APPROVED' | 'VOIDED' | 'COMPLETED';
/** Capture statuses PayPal documents (Payments v2). */
export type PayPalCaptureStatus =
  'COMPLETED' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'PENDING' | 'DECLINED' | 'FAILED';
/** Authorization statuses PayPal documents. */
export type PayPalAuthorizationStatus =
  'CREATED' | 'PENDING' | 'CAPTURED' | 'PARTIALLY_CAPTURED' | 'VOIDED' | 'DENIED' | 'EXPIRED';
/** Refund statuses PayPal documents. */
export type PayPalRefundStatus = 'COMPLETED' | 'PENDING' | 'FAILED' | 'CANCELLED';
