/** The example PSP's wire shapes: JSON, amounts in integer minor units, an `X-Api-Key` header. */

/** Every status the example PSP documents for a charge. */
export type ExampleChargeStatus =
  'created' | 'authorised' | 'captured' | 'declined' | 'voided' | 'expired';

export interface ExampleCharge {
  id: string;
  status: ExampleChargeStatus;
  merchant: string;
  /** Our payment id. */
  reference: string;
  amount: number;
  currency: string;
  captured_amount: number;
  capture: 'auto' | 'manual';
  redirect_url: string;
  return_url: string;
  cancel_url: string | null;
  notify_url: string;
}

export interface ExampleRefund {
  id: string;
  status: 'succeeded' | 'failed';
  amount: number;
}

export interface ExampleErrorBody {
  error?: { code?: string; message?: string };
}

/** The body of a webhook, signed with `Example-Signature: <hex HMAC-SHA256 of the body>`. */
export interface ExampleWebhook {
  type: 'charge.updated';
  charge: ExampleCharge;
}
