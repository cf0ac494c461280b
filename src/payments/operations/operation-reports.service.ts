import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionService } from '../../database/transaction.service';
import type { WebhookOperationReport } from '../../providers/provider.interface';
import { Payment } from '../entities/payment.entity';
import { PaymentOperation } from '../entities/payment-operation.entity';
import { PaymentStateMachine } from '../payment-state-machine';
import { ChangeOutcome, PaymentStatusService } from '../payment-status.service';
import type { EventSource } from '../../domain/payment-status';
import { settleOperation } from './operation-settlement';

/**
 * Captures and cancels as the provider's webhooks report them: the open operation a report
 * is about is settled, and a success moves the payment. The shop's and the reconciler's side
 * of the same operations is PaymentOperationsService.
 */
@Injectable()
export class OperationReportsService {
  private readonly logger = new Logger('PaymentOperations');

  constructor(
    private readonly tx: TransactionService,
    private readonly status: PaymentStatusService,
  ) {}

  /**
   * A capture or cancel as a verified webhook reports it, for the payment its signed fields
   * named (the caller has checked them). The open operation it is about is settled by its id,
   * then a success moves the payment. A failure reported for a capture that had succeeded
   * already (Adyen CAPTURE_FAILED: rejected by the card scheme later) cannot undo `paid`: it
   * is recorded in the payment's history as an ignored change, for the operator to see.
   */
  async apply(
    paymentId: string,
    report: WebhookOperationReport,
    source: EventSource,
  ): Promise<ChangeOutcome> {
    return this.tx.run(async (m) => {
      const payment = await this.tx.lock(m, Payment, paymentId);
      if (!payment) return 'ignored';
      const op = await this.reportedOperation(m, payment, report);
      const label = `${report.type} ${report.providerOperationId} ${report.status} (${report.providerStatus})`;
      if (report.status === 'succeeded') {
        if (op)
          await settleOperation(m, payment, op, {
            status: 'succeeded',
            providerOperationId: report.providerOperationId,
          });
        return this.status.changePayment(m, payment, {
          to: report.type === 'capture' ? 'paid' : 'canceled',
          source,
          amountCaptured:
            report.type === 'capture' ? (report.amount ?? op?.amountValue ?? undefined) : undefined,
          detail: op ? `${label}: settles ${op.id}` : label,
        });
      }
      const failure = report.failure ?? {
        code: 'provider_failed',
        message: `the provider reports ${report.providerStatus}`,
      };
      if (op) {
        await settleOperation(m, payment, op, {
          status: 'failed',
          providerOperationId: report.providerOperationId,
          failure,
        });
        this.logger.warn({
          msg: 'operation failed at the provider',
          operationId: op.id,
          type: op.type,
          providerStatus: report.providerStatus,
          code: failure.code,
          source,
        });
        return 'applied';
      }
      if (report.type === 'capture' && PaymentStateMachine.wasCaptured(payment.status)) {
        this.logger.warn({
          msg: 'capture failed at the provider after it had succeeded; check the provider dashboard',
          paymentId,
          providerOperationId: report.providerOperationId,
          providerStatus: report.providerStatus,
        });
        await this.status.recordIgnoredChange(m, payment, {
          to: 'authorized',
          source,
          detail: `${label}: ${failure.message}; a captured payment cannot move back, check the provider's dashboard`,
        });
        return 'ignored';
      }
      return 'unchanged';
    });
  }

  /**
   * The payment's open operation that a report is about: of its type, and the one the
   * provider's answer named, or (that answer lost) a capture of the reported amount.
   */
  private async reportedOperation(
    m: EntityManager,
    payment: Payment,
    report: WebhookOperationReport,
  ): Promise<PaymentOperation | null> {
    const open = payment.pendingOperation;
    if (!open || open.type !== report.type) return null;
    const op = await m.findOneBy(PaymentOperation, { id: open.id, status: 'pending' });
    if (!op) return null;
    if (op.providerOperationId)
      return op.providerOperationId === report.providerOperationId ? op : null;
    const amount = op.amountValue ?? payment.amountValue;
    if (report.type === 'capture' && report.amount !== undefined && report.amount !== amount)
      return null;
    return op;
  }
}
