import { EntityManager } from 'typeorm';
import { Payment } from '../entities/payment.entity';
import { OperationStatus, PaymentOperation } from '../entities/payment-operation.entity';
import type { PaymentStatus } from '../../domain/payment-status';

export interface OperationSettlement {
  status: Exclude<OperationStatus, 'pending'>;
  providerOperationId?: string | null;
  failure?: { code: string; message: string };
}

/**
 * Settles a pending capture or cancel (on a payment locked by the caller) and clears the
 * payment's `pendingOperation`. It does not move the payment: the caller does that through
 * the status service. Returns false when the operation was settled already.
 */
export async function settleOperation(
  manager: EntityManager,
  payment: Payment,
  op: PaymentOperation,
  settlement: OperationSettlement,
): Promise<boolean> {
  const current = await manager.findOneBy(PaymentOperation, { id: op.id });
  if (!current || current.status !== 'pending') return false;
  const now = new Date();
  Object.assign(op, {
    status: settlement.status,
    providerOperationId: settlement.providerOperationId ?? current.providerOperationId,
    failureCode: settlement.failure?.code ?? null,
    failureMessage: settlement.failure?.message.slice(0, 1024) ?? null,
    leaseToken: null,
    leaseExpiresAt: null,
    updatedAt: now,
  });
  await manager.update(
    PaymentOperation,
    { id: op.id },
    {
      status: op.status,
      providerOperationId: op.providerOperationId,
      failureCode: op.failureCode,
      failureMessage: op.failureMessage,
      leaseToken: null,
      leaseExpiresAt: null,
      updatedAt: now,
    },
  );
  if (payment.pendingOperation?.id === op.id) {
    payment.pendingOperation = null;
    await manager.update(Payment, { id: payment.id }, { pendingOperation: null });
  }
  return true;
}

/**
 * What a payment status reported by the provider (webhook or poll) says about its open capture
 * or cancel: a paid payment was captured (and so not canceled); a canceled one was canceled
 * (and not captured); an expired or failed one was neither.
 */
export function settlementByStatus(
  type: PaymentOperation['type'],
  to: PaymentStatus,
): OperationSettlement | undefined {
  const done: PaymentStatus = type === 'capture' ? 'paid' : 'canceled';
  if (to === done) return { status: 'succeeded' };
  if (['paid', 'canceled', 'expired', 'failed', 'charged_back'].includes(to)) {
    return {
      status: 'failed',
      failure: { code: `payment_${to}`, message: `the payment became ${to} at the provider` },
    };
  }
  return undefined;
}

/** Called by the status service after a payment moved: settles the open operation that this decides. */
export async function settleOperationByStatus(
  manager: EntityManager,
  payment: Payment,
  to: PaymentStatus,
): Promise<void> {
  const open = payment.pendingOperation;
  if (!open) return;
  const settlement = settlementByStatus(open.type, to);
  if (!settlement) return;
  const op = await manager.findOneBy(PaymentOperation, { id: open.id });
  if (op) await settleOperation(manager, payment, op, settlement);
}
