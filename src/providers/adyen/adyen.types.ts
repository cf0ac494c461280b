/** The parts of Adyen's Checkout API v71 and standard webhooks this connector uses. */

export interface AdyenAmount {
  currency: string;
  value: number;
}

export interface AdyenPaymentLinkRequest {
  amount: AdyenAmount;
  merchantAccount: string;
  reference: string;
  description?: string;
  returnUrl?: string;
  merchantOrderReference?: string;
  manualCapture?: boolean;
  /** Hours between authorisation and automatic capture; 0 captures at once, whatever the account's default. */
  captureDelayHours?: number;
  allowedPaymentMethods?: string[];
  shopperEmail?: string;
  shopperLocale?: string;
  countryCode?: string;
  metadata?: Record<string, string>;
  lineItems?: AdyenLineItem[];
  billingAddress?: AdyenAddress;
  deliveryAddress?: AdyenAddress;
  shopperName?: { firstName: string; lastName: string };
  telephoneNumber?: string;
  /** ISO 8601 with a time zone offset. */
  expiresAt?: string;
}

/** Per unit, in Adyen's minor units; taxPercentage in basis points (2100 = 21%). */
export interface AdyenLineItem {
  id?: string;
  description: string;
  quantity: number;
  amountIncludingTax: number;
  amountExcludingTax?: number;
  taxAmount?: number;
  taxPercentage?: number;
  sku?: string;
}

export interface AdyenAddress {
  street: string;
  houseNumberOrName: string;
  postalCode: string;
  city: string;
  country: string;
  stateOrProvince?: string;
}

export type AdyenPaymentLinkStatus = 'active' | 'completed' | 'expired' | 'paid' | 'paymentPending';

export interface AdyenPaymentLinkResponse {
  id: string;
  url: string;
  status: AdyenPaymentLinkStatus | string;
  amount: AdyenAmount;
  merchantAccount: string;
  reference: string;
  manualCapture?: boolean;
}

export interface AdyenModificationResponse {
  pspReference: string;
  paymentPspReference: string;
  status: 'received' | string;
}

export interface AdyenServiceError {
  status?: number;
  errorCode?: string;
  message?: string;
  errorType?: string;
  pspReference?: string;
}

export interface AdyenNotificationRequestItem {
  pspReference: string;
  originalReference?: string;
  merchantAccountCode: string;
  merchantReference: string;
  eventDate: string;
  eventCode: string;
  amount: AdyenAmount;
  success: 'true' | 'false' | string;
  reason?: string;
  paymentMethod?: string;
  additionalData?: Record<string, string | Record<string, string>>;
}

export interface AdyenNotificationRequest {
  live: string;
  notificationItems: { NotificationRequestItem: AdyenNotificationRequestItem }[];
}

/** Payment link statuses Adyen documents. */
export type AdyenLinkStatus = 'active' | 'paymentPending' | 'completed' | 'paid' | 'expired';
