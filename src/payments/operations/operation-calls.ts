import type { ResolvedAccount } from '../../providers/provider-accounts.service';
import type {
  CancelResult,
  CaptureResult,
  OperationRequest,
  ProviderOperationState,
} from '../../providers/provider.interface';
import type { Payment } from '../entities/payment.entity';
import type { OperationType, PaymentOperation } from '../entities/payment-operation.entity';
import { outcomeOf, ProviderOutcome } from './provider-outcome';

export type OperationResult = CaptureResult | CancelResult;

/** The provider's view of a capture or cancel, always under the operation's own idempotency key. */
export function operationRequest(op: PaymentOperation, payment: Payment): OperationRequest {
  return {
    id: op.id,
    paymentId: payment.id,
    providerPaymentId: payment.providerPaymentId!,
    providerReference: payment.providerReference ?? null,
    amount: { value: op.amountValue ?? payment.amountValue, currency: op.currency },
    idempotencyKey: op.providerIdempotencyKey ?? op.id,
    providerOperationId: op.providerOperationId,
  };
}

/** Sends the capture or cancel; what came back (an answer, a refusal or nothing known). */
export function sendOperation(
  resolved: ResolvedAccount,
  op: PaymentOperation,
  payment: Payment,
): Promise<ProviderOutcome<OperationResult>> {
  const request = operationRequest(op, payment);
  return outcomeOf<OperationResult>(() =>
    op.type === 'capture'
      ? resolved.provider.capture(resolved.context, request)
      : resolved.provider.cancel(resolved.context, request),
  );
}

/**
 * Asks the provider for the operation: its state; null when the provider has no such
 * operation (sending it is safe); undefined when it cannot tell (or has no lookup).
 */
export function lookUpOperation(
  resolved: ResolvedAccount,
  type: OperationType,
  request: OperationRequest,
): Promise<ProviderOperationState | null | undefined> {
  const provider = resolved.provider;
  if (type === 'capture')
    return provider.getCapture
      ? provider.getCapture(resolved.context, request)
      : Promise.resolve(undefined);
  return provider.getCancellation
    ? provider.getCancellation(resolved.context, request)
    : Promise.resolve(undefined);
}
