import type { PaymentStatus } from '../../../../src/domain/payment-status';
import { mapPspStatus } from '../../../../src/providers/connector/psp-status';
import { ProviderError } from '../../../../src/providers/provider-error';
import type { HttpResponse } from '../../../../src/providers/provider-http.client';
import type { ProviderPaymentState } from '../../../../src/providers/provider.interface';
import { parseJsonOr } from '../../../../src/providers/connector/connector-client';
import type { ExampleCharge, ExampleChargeStatus, ExampleErrorBody } from './example.types';

/** Leaving out a documented status fails to compile. */
export const EXAMPLE_STATUS_MAP: Readonly<Record<ExampleChargeStatus, PaymentStatus>> = {
  created: 'pending',
  authorised: 'authorized',
  captured: 'paid',
  declined: 'failed',
  voided: 'canceled',
  expired: 'expired',
};

export function exampleChargeState(charge: ExampleCharge): ProviderPaymentState {
  const status = mapPspStatus(EXAMPLE_STATUS_MAP, charge.status) ?? null;
  return {
    providerPaymentId: charge.id,
    status,
    providerStatus: charge.status,
    amountCaptured: charge.captured_amount,
    ...(status === 'failed'
      ? { failure: { code: 'declined', message: 'declined by the example PSP' } }
      : {}),
  };
}

/** The PSP's error body as one of our codes; 5xx stays retryable (fromHttpStatus). */
export function exampleError(response: HttpResponse): ProviderError {
  const { error } = parseJsonOr<ExampleErrorBody>(response.text);
  const message = `example PSP: ${error?.message ?? `HTTP ${response.status}`}`;
  if (error?.code === 'card_declined')
    return new ProviderError('declined', message, response.status);
  return ProviderError.fromHttpStatus(response.status, message);
}
