import type { PaymentMethod } from '../domain/payment-status';
import type { RoutingRequest } from './routing.types';

/** The fields of a payment create body that routing looks at. */
export interface RoutablePaymentBody {
  amount: { value: number; currency: string };
  reference: string;
  method?: PaymentMethod;
  captureMode?: string;
  customer?: { email?: string; country?: string };
  metadata?: Record<string, string>;
  providerAccountId?: string;
}

/** One mapping from a create body to routing's input, for real creates and the simulation alike. */
export function routingRequestOf(body: RoutablePaymentBody): RoutingRequest {
  return {
    currency: body.amount.currency,
    amount: body.amount.value,
    method: body.method ?? null,
    captureMode: body.captureMode ?? 'automatic',
    country: body.customer?.country ?? null,
    email: body.customer?.email ?? null,
    reference: body.reference,
    metadata: body.metadata ?? null,
    providerAccountId: body.providerAccountId,
  };
}
