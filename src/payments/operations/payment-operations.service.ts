import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { TransactionService } from '../../database/transaction.service';
import { AuditService } from '../../audit/audit.service';
import { InvalidPaymentStateError } from '../../common/errors/domain-error';
import { newId, ID_PREFIX } from '../../common/ids/id';
import type { Money } from '../../common/money/money';
import {
  ProviderAccountsService,
  ResolvedAccount,
} from '../../providers/provider-accounts.service';
import type { ProviderOperationState } from '../../providers/provider.interface';
import { Payment } from '../entities/payment.entity';
import { OperationType, PaymentOperation } from '../entities/payment-operation.entity';
import { forbiddenInStatus, PaymentStateMachine } from '../payment-state-machine';
import { PaymentStatusService } from '../payment-status.service';
import type { EventSource } from '../../domain/payment-status';
import { sendingFirst, type OperationStage } from './operation-tracking';
import { newLeaseToken, releaseOperation } from './operation-lease';
import { OperationSettlement, settleOperation } from './operation-settlement';
import {
  lookUpOperation,
  operationRequest,
  OperationResult,
  sendOperation,
} from './operation-calls';
import {
  afterRefusedResend,
  describeError,
  mayResend,
  nextLookAt,
  NOT_SENT_AGAIN,
  ProviderOutcome,
  refusalProblem,
} from './provider-outcome';

/**
 * Captures and cancels, recorded (payment_operations) before the provider is called, so that
 * an answer that never comes leaves a pending operation instead of a forgotten one. Only a
 * definite answer settles it: the provider's own (now, or later by webhook or poll) or its
 * refusal. Until then the payment keeps its status and shows the operation as pending, and
 * no second capture or cancel is taken. What webhooks report is OperationReportsService's.
 */
@Injectable()
export class PaymentOperationsService {
  private readonly logger = new Logger('PaymentOperations');

  constructor(
    @InjectRepository(PaymentOperation) private readonly operations: Repository<PaymentOperation>,
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly status: PaymentStatusService,
    private readonly accounts: ProviderAccountsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The shop's capture or cancel: settled at once when the provider answers, failed (and the
   * refusal thrown) when it refuses, pending when the answer is lost.
   */
  async perform(
    paymentId: string,
    resolved: ResolvedAccount,
    type: OperationType,
    amount: Money | null,
  ): Promise<Payment> {
    const token = newLeaseToken();
    const { op, payment } = await this.open(paymentId, type, amount, token);
    const outcome = await sendOperation(resolved, op, payment);
    const after = await this.record(op, outcome, 'api', token);
    if (outcome.kind === 'refused') throw refusalProblem(outcome.error);
    return after;
  }

  /**
   * The reconciler's look at a pending operation it holds the lease of. Not known to have
   * reached the provider: look it up where the provider can tell, and send it again with the
   * same idempotency key only when it is not there. Accepted by the provider: ask for its
   * outcome where the provider can tell; otherwise its webhook will.
   */
  async reconcile(opId: string, token: string): Promise<void> {
    const op = await this.operations.findOneBy({ id: opId });
    const payment = op && (await this.payments.findOneBy({ id: op.paymentId }));
    if (
      !op ||
      !payment ||
      op.status !== 'pending' ||
      !payment.providerAccountId ||
      !payment.providerPaymentId
    ) {
      if (op) await this.tx.write((m) => releaseOperation(m, PaymentOperation, op.id, token));
      return;
    }
    const resolved = await this.accounts.resolve(payment.providerAccountId);
    const request = operationRequest(op, payment);
    let state: ProviderOperationState | null | undefined;
    try {
      state = await lookUpOperation(resolved, op.type, request);
    } catch (error) {
      await this.record(op, { kind: 'unknown', error: error as Error }, 'poll', token);
      return;
    }
    if (state) {
      await this.apply(op, state, 'poll', token);
    } else if (op.stage === 'accepted') {
      // The provider has it (an earlier answer said so) and reports nothing yet.
      await this.reschedule(op, token, state === null ? 'the provider does not show it yet' : null);
    } else if (!mayResend(state === null, op.createdAt)) {
      await this.reschedule(op, token, NOT_SENT_AGAIN);
    } else {
      await this.resend(resolved, op, payment, token);
    }
  }

  private async resend(
    resolved: ResolvedAccount,
    op: PaymentOperation,
    payment: Payment,
    token: string,
  ): Promise<void> {
    this.logger.log({
      msg: 'sending operation again',
      operationId: op.id,
      type: op.type,
      attempts: op.attempts,
    });
    const outcome = await sendOperation(resolved, op, payment);
    if (outcome.kind !== 'refused') return void (await this.record(op, outcome, 'poll', token));
    const second = await afterRefusedResend<OperationResult, ProviderOperationState>(outcome, () =>
      lookUpOperation(resolved, op.type, operationRequest(op, payment)),
    );
    if ('state' in second) return void (await this.apply(op, second.state, 'poll', token));
    await this.record(op, second.outcome, 'poll', token);
  }

  private async open(
    paymentId: string,
    type: OperationType,
    amount: Money | null,
    token: string,
  ): Promise<{ op: PaymentOperation; payment: Payment }> {
    return this.tx.run(async (m) => {
      const payment = (await this.tx.lock(m, Payment, paymentId))!;
      const allowed =
        type === 'capture'
          ? PaymentStateMachine.canCapture(payment.status)
          : PaymentStateMachine.canCancel(payment.status);
      if (!allowed) {
        throw forbiddenInStatus(type, payment.status);
      }
      const open = payment.pendingOperation;
      if (open) {
        throw new InvalidPaymentStateError(
          `The ${open.type} ${open.id} of this payment is still open at the provider; its outcome decides what may follow`,
        );
      }
      const now = new Date();
      const id = newId(ID_PREFIX.operation);
      const op: PaymentOperation = {
        id,
        paymentId,
        type,
        status: 'pending',
        amountValue: amount?.value ?? null,
        currency: payment.currency,
        providerOperationId: null,
        ...sendingFirst(id, token, now),
      };
      await m.insert(PaymentOperation, op);
      payment.pendingOperation = {
        id,
        type,
        amountValue: op.amountValue,
        stage: 'sending',
        createdAt: now.toISOString(),
      };
      await m.update(Payment, { id: paymentId }, { pendingOperation: payment.pendingOperation });
      // An operator's capture or cancel is audited with the operation it opens.
      await this.audit.record(m);
      return { op, payment };
    });
  }

  /** Records what one call to the provider ended with. */
  private record(
    op: PaymentOperation,
    outcome: ProviderOutcome<OperationResult>,
    source: EventSource,
    token: string,
  ): Promise<Payment> {
    if (outcome.kind === 'answered') {
      const result = outcome.result;
      const state: ProviderOperationState = {
        status: result.status,
        providerStatus: result.status,
        providerOperationId: result.providerOperationId,
        amountCaptured: 'amountCaptured' in result ? result.amountCaptured : undefined,
      };
      return this.apply(op, state, source, token);
    }
    return this.withOpen(op, token, async (m, payment, current) => {
      if (outcome.kind === 'refused') {
        await settleOperation(m, payment, current, {
          status: 'failed',
          failure: { code: outcome.error.code, message: describeError(outcome.error) },
        });
        this.logger.warn({
          msg: 'operation refused by the provider',
          operationId: op.id,
          type: op.type,
          code: outcome.error.code,
        });
        return;
      }
      this.logger.warn({
        msg: 'operation outcome unknown; kept pending',
        operationId: op.id,
        type: op.type,
        error: describeError(outcome.error),
      });
      await this.keepOpen(
        m,
        payment,
        current,
        current.stage === 'accepted' ? 'accepted' : 'unknown',
        describeError(outcome.error),
      );
    });
  }

  /** Applies the provider's view of the operation: settled, or still open (accepted). */
  private apply(
    op: PaymentOperation,
    state: ProviderOperationState,
    source: EventSource,
    token: string,
  ): Promise<Payment> {
    return this.withOpen(op, token, async (m, payment, current) => {
      if (state.status === 'pending') {
        if (state.providerOperationId) current.providerOperationId = state.providerOperationId;
        await this.keepOpen(m, payment, current, 'accepted', null);
        return;
      }
      const settlement: OperationSettlement = {
        status: state.status,
        providerOperationId: state.providerOperationId,
        failure: state.failure,
      };
      await settleOperation(m, payment, current, settlement);
      this.logger.log({
        msg: 'operation settled',
        operationId: op.id,
        type: op.type,
        status: state.status,
        providerStatus: state.providerStatus,
        source,
      });
      if (state.status !== 'succeeded') return;
      await this.status.changePayment(m, payment, {
        to: op.type === 'capture' ? 'paid' : 'canceled',
        source,
        amountCaptured:
          op.type === 'capture'
            ? (state.amountCaptured ?? current.amountValue ?? undefined)
            : undefined,
        detail: `${op.type} ${op.id} succeeded`,
      });
    });
  }

  private reschedule(op: PaymentOperation, token: string, note: string | null): Promise<Payment> {
    return this.withOpen(op, token, (m, payment, current) =>
      this.keepOpen(m, payment, current, current.stage ?? 'unknown', note),
    );
  }

  /**
   * Runs `work` on the locked payment with the operation as stored, if it is still pending (a
   * webhook or poll may have settled it meanwhile), and gives the lease back either way.
   */
  private async withOpen(
    op: PaymentOperation,
    token: string,
    work: (m: EntityManager, payment: Payment, current: PaymentOperation) => Promise<void>,
  ): Promise<Payment> {
    return this.tx.run(async (m) => {
      const payment = (await this.tx.lock(m, Payment, op.paymentId))!;
      const current = await m.findOneBy(PaymentOperation, { id: op.id });
      if (current?.status === 'pending') await work(m, payment, current);
      await releaseOperation(m, PaymentOperation, op.id, token);
      return payment;
    });
  }

  /** Still open: one more attempt counted, the next look scheduled, the payment's mirror updated. */
  private async keepOpen(
    m: EntityManager,
    payment: Payment,
    op: PaymentOperation,
    stage: OperationStage,
    lastError: string | null,
  ): Promise<void> {
    const attempts = op.attempts + 1;
    const now = new Date();
    await m.update(
      PaymentOperation,
      { id: op.id },
      {
        stage,
        attempts,
        lastError,
        providerOperationId: op.providerOperationId,
        nextAttemptAt: nextLookAt(
          this.config.reconciliation.retryScheduleSeconds,
          attempts,
          now.getTime(),
        ),
        updatedAt: now,
      },
    );
    if (payment.pendingOperation?.id === op.id && payment.pendingOperation.stage !== stage) {
      payment.pendingOperation = { ...payment.pendingOperation, stage };
      await m.update(Payment, { id: payment.id }, { pendingOperation: payment.pendingOperation });
    }
  }
}
