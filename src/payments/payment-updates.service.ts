import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Payment } from './entities/payment.entity';
import { Refund } from './entities/refund.entity';
import { PaymentStatusService } from './payment-status.service';
import { TransactionService } from '../database/transaction.service';
import { RowStatements } from '../database/statements/row-statements';
import type { ProviderPaymentState, ProviderRefundState } from '../providers/provider.interface';
import type { EventSource } from '../domain/payment-status';
import { newId, ID_PREFIX } from '../common/ids/id';
import { untracked } from './operations/operation-tracking';

export type UpdateResult =
  'applied' | 'unchanged' | 'ignored' | 'unknown_payment' | 'unmapped_status';

/** Applies what a provider reports (by webhook or poll) through the state machine. */
@Injectable()
export class PaymentUpdatesService {
  private readonly logger = new Logger('PaymentUpdates');

  constructor(
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
    private readonly tx: TransactionService,
    private readonly status: PaymentStatusService,
    private readonly rows: RowStatements,
  ) {}

  /** By the provider's payment id, or by its later reference (a modification names the payment by that). */
  async findByProviderId(accountId: string, providerPaymentId: string): Promise<Payment | null> {
    return (
      (await this.payments.findOneBy({ providerAccountId: accountId, providerPaymentId })) ??
      (await this.payments.findOneBy({
        providerAccountId: accountId,
        providerReference: providerPaymentId,
      }))
    );
  }

  async applyPaymentState(
    accountId: string,
    state: ProviderPaymentState,
    source: EventSource,
  ): Promise<UpdateResult> {
    if (this.unmapped(accountId, state)) return 'unmapped_status';
    const found = await this.findByProviderId(accountId, state.providerPaymentId);
    if (!found) {
      this.logger.warn({
        msg: 'update for unknown payment',
        accountId,
        providerPaymentId: state.providerPaymentId,
      });
      return 'unknown_payment';
    }
    return this.applyPaymentStateById(accountId, found.id, state, source);
  }

  /** For a caller that has found the payment already: it is read once more, under the lock. */
  async applyPaymentStateById(
    accountId: string,
    paymentId: string,
    state: ProviderPaymentState,
    source: EventSource,
  ): Promise<UpdateResult> {
    if (this.unmapped(accountId, state)) return 'unmapped_status';
    return this.tx.run(async (m) => {
      const payment = await this.tx.lock(m, Payment, paymentId);
      if (!payment) return 'unknown_payment';
      return this.applyToLocked(m, accountId, payment, state, source);
    });
  }

  /** Applies in the caller's transaction, to a payment the caller holds locked. */
  async applyToLocked(
    m: EntityManager,
    accountId: string,
    payment: Payment,
    state: ProviderPaymentState,
    source: EventSource,
  ): Promise<UpdateResult> {
    if (this.unmapped(accountId, state)) return 'unmapped_status';
    if (state.providerReference && !payment.providerReference) {
      payment.providerReference = state.providerReference;
      await this.rows.update(m, Payment, payment.id, {
        providerReference: state.providerReference,
      });
    }
    // Written before the status change so its event already shows it; kept even when the
    // status does not move (a late report of the method).
    const methodUsed = state.methodUsed?.slice(0, 64);
    if (methodUsed && methodUsed !== payment.methodUsed) {
      payment.methodUsed = methodUsed;
      await this.rows.update(m, Payment, payment.id, { methodUsed });
    }
    return this.status.changePayment(m, payment, {
      to: state.status!,
      source,
      amountCaptured: state.amountCaptured,
      failure: state.failure,
      detail: `provider status ${state.providerStatus}`,
      chargebackReversed: state.chargebackReversed,
    });
  }

  /** Unknown provider statuses are never guessed. */
  private unmapped(accountId: string, state: ProviderPaymentState): boolean {
    if (state.status !== null) return false;
    this.logger.warn({
      msg: 'unmapped provider status',
      accountId,
      providerStatus: state.providerStatus,
    });
    return true;
  }

  async applyRefundState(
    accountId: string,
    providerPaymentId: string,
    state: ProviderRefundState,
    source: EventSource,
  ): Promise<UpdateResult> {
    if (state.status === null) {
      this.logger.warn({
        msg: 'unmapped provider refund status',
        accountId,
        providerStatus: state.providerStatus,
      });
      return 'unmapped_status';
    }
    const found = await this.findByProviderId(accountId, providerPaymentId);
    if (!found) return 'unknown_payment';
    return this.tx.run(async (m) => {
      const payment = (await this.tx.lock(m, Payment, found.id))!;
      let refund =
        (state.refundId
          ? await m.findOneBy(Refund, { id: state.refundId, paymentId: payment.id })
          : null) ??
        (await m.findOneBy(Refund, {
          providerRefundId: state.providerRefundId,
          paymentId: payment.id,
        }));
      if (!refund) {
        if (state.status !== 'succeeded' || state.amount === undefined) return 'ignored';
        // A refund made at the PSP's own dashboard: record it so the totals stay true.
        const now = new Date();
        refund = {
          id: newId(ID_PREFIX.refund),
          paymentId: payment.id,
          amountValue: state.amount,
          currency: payment.currency,
          status: 'pending',
          reason: 'refunded at the provider',
          providerRefundId: state.providerRefundId,
          ...untracked(now),
        };
        await m.insert(Refund, refund);
      }
      if (!refund.providerRefundId) refund.providerRefundId = state.providerRefundId;
      return this.status.changeRefund(m, payment, refund, state.status!, source, state.failure);
    });
  }
}
