import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { TransactionService } from '../../database/transaction.service';
import {
  ProviderAccountsService,
  ResolvedAccount,
} from '../../providers/provider-accounts.service';
import type {
  OperationRequest,
  ProviderRefundState,
  RefundResult,
} from '../../providers/provider.interface';
import { Payment } from '../entities/payment.entity';
import { Refund } from '../entities/refund.entity';
import { PaymentStatusService } from '../payment-status.service';
import type { EventSource } from '../../domain/payment-status';
import type { OperationStage } from './operation-tracking';
import { releaseOperation } from './operation-lease';
import {
  afterRefusedResend,
  describeError,
  mayResend,
  nextLookAt,
  NOT_SENT_AGAIN,
  outcomeOf,
  ProviderOutcome,
} from './provider-outcome';

/**
 * Sends refunds and follows them until the provider's definite answer. A refund's amount stays
 * reserved while it is pending; only the provider's refusal, or its report that the refund
 * failed, frees it. A lost answer is looked up (where the provider can tell) before the refund
 * is sent again, always with the same idempotency key.
 */
@Injectable()
export class RefundTracker {
  private readonly logger = new Logger('Refunds');

  constructor(
    @InjectRepository(Refund) private readonly refunds: Repository<Refund>,
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
    private readonly tx: TransactionService,
    private readonly status: PaymentStatusService,
    private readonly accounts: ProviderAccountsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The first send, by the API request that created the refund (and holds its lease). */
  async send(
    refund: Refund,
    payment: Payment,
    resolved: ResolvedAccount,
    token: string,
  ): Promise<{ refund: Refund; outcome: ProviderOutcome<RefundResult> }> {
    const outcome = await this.call(resolved, refund, payment);
    return { refund: await this.record(refund, outcome, 'api', token), outcome };
  }

  /** The reconciler's look at a pending refund it holds the lease of (see PaymentOperationsService.reconcile). */
  async reconcile(refundId: string, token: string): Promise<void> {
    const refund = await this.refunds.findOneBy({ id: refundId });
    const payment = refund && (await this.payments.findOneBy({ id: refund.paymentId }));
    if (
      !refund ||
      !payment ||
      refund.status !== 'pending' ||
      !payment.providerAccountId ||
      !payment.providerPaymentId
    ) {
      if (refund) await this.tx.write((m) => releaseOperation(m, Refund, refund.id, token));
      return;
    }
    const resolved = await this.accounts.resolve(payment.providerAccountId);
    let state: ProviderRefundState | null | undefined;
    try {
      state = await this.lookup(resolved, this.request(refund, payment));
    } catch (error) {
      await this.record(refund, { kind: 'unknown', error: error as Error }, 'poll', token);
      return;
    }
    if (state) {
      await this.apply(refund, state, 'poll', token);
    } else if (refund.stage === 'accepted') {
      await this.reschedule(
        refund,
        token,
        state === null ? 'the provider does not show it yet' : null,
      );
    } else if (!mayResend(state === null, refund.createdAt)) {
      await this.reschedule(refund, token, NOT_SENT_AGAIN);
    } else {
      this.logger.log({
        msg: 'sending refund again',
        refundId: refund.id,
        attempts: refund.attempts,
      });
      const outcome = await this.call(resolved, refund, payment);
      if (outcome.kind !== 'refused')
        return void (await this.record(refund, outcome, 'poll', token));
      const second = await afterRefusedResend<RefundResult, ProviderRefundState>(outcome, () =>
        this.lookup(resolved, this.request(refund, payment)),
      );
      if ('state' in second) return void (await this.apply(refund, second.state, 'poll', token));
      await this.record(refund, second.outcome, 'poll', token);
    }
  }

  private lookup(
    resolved: ResolvedAccount,
    request: OperationRequest,
  ): Promise<ProviderRefundState | null | undefined> {
    return resolved.provider.getRefund
      ? resolved.provider.getRefund(resolved.context, request)
      : Promise.resolve(undefined);
  }

  private call(
    resolved: ResolvedAccount,
    refund: Refund,
    payment: Payment,
  ): Promise<ProviderOutcome<RefundResult>> {
    const request = this.request(refund, payment);
    return outcomeOf(() => resolved.provider.refund(resolved.context, request));
  }

  private request(refund: Refund, payment: Payment): OperationRequest {
    return {
      id: refund.id,
      paymentId: payment.id,
      providerPaymentId: payment.providerPaymentId!,
      providerReference: payment.providerReference ?? null,
      amount: { value: refund.amountValue, currency: refund.currency },
      idempotencyKey: refund.providerIdempotencyKey ?? refund.id,
      providerOperationId: refund.providerRefundId,
      reason: refund.reason,
    };
  }

  private record(
    refund: Refund,
    outcome: ProviderOutcome<RefundResult>,
    source: EventSource,
    token: string,
  ): Promise<Refund> {
    if (outcome.kind === 'answered') {
      const { providerRefundId, status } = outcome.result;
      return this.apply(
        refund,
        { providerRefundId, refundId: refund.id, status, providerStatus: status },
        source,
        token,
      );
    }
    return this.withOpen(refund, token, async (m, payment, current) => {
      if (outcome.kind === 'refused') {
        this.logger.warn({
          msg: 'refund refused by the provider',
          refundId: refund.id,
          code: outcome.error.code,
        });
        await this.status.changeRefund(m, payment, current, 'failed', source, {
          code: outcome.error.code,
          message: describeError(outcome.error),
        });
        return;
      }
      this.logger.warn({
        msg: 'refund outcome unknown; kept pending with its amount reserved',
        refundId: refund.id,
        error: describeError(outcome.error),
      });
      await this.keepOpen(
        m,
        current,
        current.stage === 'accepted' ? 'accepted' : 'unknown',
        describeError(outcome.error),
      );
    });
  }

  /** The provider's view of the refund: settled, or still open (it has it). */
  private apply(
    refund: Refund,
    state: ProviderRefundState,
    source: EventSource,
    token: string,
  ): Promise<Refund> {
    return this.withOpen(refund, token, async (m, payment, current) => {
      if (state.amount !== undefined && state.amount !== current.amountValue) {
        this.logger.warn({
          msg: 'provider reports another refund amount',
          refundId: refund.id,
          amount: state.amount,
          expected: current.amountValue,
        });
      }
      current.providerRefundId ??= state.providerRefundId;
      if (state.status === 'succeeded' || state.status === 'failed') {
        const failure =
          state.status === 'failed'
            ? (state.failure ?? {
                code: 'provider_failed',
                message: `the provider reports the refund ${state.providerStatus}`,
              })
            : undefined;
        await this.status.changeRefund(m, payment, current, state.status, source, failure);
        return;
      }
      // pending, or a status we do not map: the provider has it; its outcome follows.
      await this.keepOpen(m, current, 'accepted', null);
    });
  }

  private reschedule(refund: Refund, token: string, note: string | null): Promise<Refund> {
    return this.withOpen(refund, token, (m, _payment, current) =>
      this.keepOpen(m, current, current.stage ?? 'unknown', note),
    );
  }

  /** Runs `work` on the locked payment if the refund is still pending; gives the lease back either way. */
  private async withOpen(
    refund: Refund,
    token: string,
    work: (m: EntityManager, payment: Payment, current: Refund) => Promise<void>,
  ): Promise<Refund> {
    return this.tx.run(async (m) => {
      const payment = (await this.tx.lock(m, Payment, refund.paymentId))!;
      const current = (await m.findOneBy(Refund, { id: refund.id }))!;
      if (current.status === 'pending') await work(m, payment, current);
      await releaseOperation(m, Refund, refund.id, token);
      return current;
    });
  }

  private async keepOpen(
    m: EntityManager,
    refund: Refund,
    stage: OperationStage,
    lastError: string | null,
  ): Promise<void> {
    refund.stage = stage;
    refund.attempts += 1;
    refund.lastError = lastError;
    refund.nextAttemptAt = nextLookAt(
      this.config.reconciliation.retryScheduleSeconds,
      refund.attempts,
    );
    await m.update(
      Refund,
      { id: refund.id },
      {
        stage,
        attempts: refund.attempts,
        lastError,
        nextAttemptAt: refund.nextAttemptAt,
        providerRefundId: refund.providerRefundId,
      },
    );
  }
}
