import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { Payment } from '../payments/entities/payment.entity';
import { PaymentOperation } from '../payments/entities/payment-operation.entity';
import { Refund } from '../payments/entities/refund.entity';
import { PaymentUpdatesService, UpdateResult } from '../payments/payment-updates.service';
import { PaymentStatusService } from '../payments/payment-status.service';
import { PaymentOperationsService } from '../payments/operations/payment-operations.service';
import { RefundTracker } from '../payments/operations/refund-tracker.service';
import {
  claimOperation,
  newLeaseToken,
  releaseOperation,
} from '../payments/operations/operation-lease';
import { nextLookAt } from '../payments/operations/provider-outcome';
import { ProviderAccountsService } from '../providers/provider-accounts.service';
import { TransactionService } from '../database/transaction.service';
import { redactText } from '../common/logging/redact';

/**
 * Finds out what providers did when nobody told us. Each run (at most `batchSize` of each kind):
 * - captures and cancels, then refunds, that are still pending: each is taken with a lease (one
 *   instance at a time), looked up at its provider, sent again with the same idempotency key
 *   when the provider does not have it, or polled until the provider settles it;
 * - payments that stay pending or authorized too long: polled, oldest poll first, so a lost
 *   webhook never leaves a payment stuck;
 * - creates that never finished (stored `pending` before the provider call, outcome never
 *   stored): failed once no create can still be running.
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger('Reconciliation');
  private running = false;

  constructor(
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
    @InjectRepository(PaymentOperation) private readonly operations: Repository<PaymentOperation>,
    @InjectRepository(Refund) private readonly refunds: Repository<Refund>,
    private readonly updates: PaymentUpdatesService,
    private readonly operationsService: PaymentOperationsService,
    private readonly refundTracker: RefundTracker,
    private readonly accounts: ProviderAccountsService,
    private readonly tx: TransactionService,
    private readonly status: PaymentStatusService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One pass; returns how many operations, refunds and payments it looked at. */
  async runOnce(): Promise<number> {
    try {
      return await this.pass();
    } catch (error) {
      this.logger.warn({ msg: 'reconciliation run failed', error: (error as Error).message });
      return 0;
    }
  }

  /** One pass that throws what fails (ReconciliationJob records it); 0 while one is running. */
  async pass(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const operations = await this.reconcileOpen(this.operations, PaymentOperation, (id, token) =>
        this.operationsService.reconcile(id, token),
      );
      const refunds = await this.reconcileOpen(this.refunds, Refund, (id, token) =>
        this.refundTracker.reconcile(id, token),
      );
      const polled = await this.pollStalePayments();
      return operations + refunds + polled + (await this.closeUnfinishedCreates());
    } finally {
      this.running = false;
    }
  }

  /**
   * Due pending operations of one kind, each claimed by a conditional UPDATE before anything is
   * sent: when two instances run at once, each operation goes to exactly one of them.
   */
  private async reconcileOpen(
    repository: Repository<PaymentOperation> | Repository<Refund>,
    entity: typeof PaymentOperation | typeof Refund,
    reconcile: (id: string, token: string) => Promise<void>,
  ): Promise<number> {
    const now = new Date();
    const due = await (repository as Repository<PaymentOperation>)
      .createQueryBuilder('o')
      .select('o.id', 'id')
      .where('o.status = :pending', { pending: 'pending' })
      .andWhere(
        new Brackets((w) =>
          w.where('o.nextAttemptAt IS NULL').orWhere('o.nextAttemptAt <= :now', { now }),
        ),
      )
      .andWhere(
        new Brackets((w) =>
          w.where('o.leaseExpiresAt IS NULL').orWhere('o.leaseExpiresAt < :now', { now }),
        ),
      )
      .orderBy('o.nextAttemptAt', 'ASC')
      .limit(this.config.reconciliation.batchSize)
      .getRawMany<{ id: string }>();
    let looked = 0;
    for (const { id } of due) {
      const token = newLeaseToken();
      if (!(await this.tx.write((m) => claimOperation(m, entity, id, token, now)))) continue; // another instance has it
      looked++;
      try {
        await reconcile(id, token);
      } catch (error) {
        // Not a provider answer (those are recorded): our side failed. Look again later.
        const message = redactText((error as Error).message ?? String(error)).slice(0, 1024);
        this.logger.warn({ msg: 'operation reconciliation failed', id, error: message });
        await this.tx
          .write(async (m) => {
            const last = this.config.reconciliation.retryScheduleSeconds;
            await m.update(
              entity,
              { id, leaseToken: token },
              { lastError: message, nextAttemptAt: nextLookAt(last, last.length) },
            );
            await releaseOperation(m, entity, id, token);
          })
          .catch(() => undefined);
      }
    }
    return looked;
  }

  private async pollStalePayments(): Promise<number> {
    const { afterSeconds, batchSize } = this.config.reconciliation;
    const cutoff = new Date(Date.now() - afterSeconds * 1000);
    const due = await this.payments
      .createQueryBuilder('p')
      .where('p.status IN (:...statuses)', { statuses: ['pending', 'authorized'] })
      .andWhere('p.providerAccountId IS NOT NULL')
      .andWhere('p.updatedAt <= :cutoff', { cutoff })
      .andWhere(
        new Brackets((w) =>
          w.where('p.lastPolledAt IS NULL').orWhere('p.lastPolledAt <= :cutoff', { cutoff }),
        ),
      )
      .orderBy('p.lastPolledAt', 'ASC')
      .addOrderBy('p.updatedAt', 'ASC')
      .take(batchSize)
      .getMany();
    for (const payment of due) {
      // One failing provider must not stop the others; poll() has logged it.
      await this.poll(payment).catch(() => undefined);
    }
    return due.length;
  }

  /**
   * A payment is stored `pending` before its provider call, and the provider's answer (its id
   * and checkout URL) in a second transaction. When that second one never commits (the process
   * stopped, or the database failed it with a `503`), the payment stays `pending` with no
   * provider id: nothing can poll it, and its checkout was never handed out, so nobody can pay
   * it. Once it is older than any create can take (twice the routing time budget, at least a
   * minute, at least the poll delay), it fails with `create_incomplete`.
   */
  private async closeUnfinishedCreates(): Promise<number> {
    const { afterSeconds, batchSize } = this.config.reconciliation;
    const waitMs = Math.max(afterSeconds * 1000, 2 * this.config.routing.timeBudgetMs, 60_000);
    const cutoff = new Date(Date.now() - waitMs);
    const due = await this.payments
      .createQueryBuilder('p')
      .select('p.id', 'id')
      .where('p.status = :pending', { pending: 'pending' })
      .andWhere('p.providerPaymentId IS NULL')
      .andWhere('p.createdAt <= :cutoff', { cutoff })
      .orderBy('p.createdAt', 'ASC')
      .limit(batchSize)
      .getRawMany<{ id: string }>();
    let closed = 0;
    for (const { id } of due) {
      const outcome = await this.tx.run(async (m) => {
        const payment = await this.tx.lock(m, Payment, id);
        // Its create finished (or something else closed it) since the query above.
        if (!payment || payment.status !== 'pending' || payment.providerPaymentId) return;
        return this.status.changePayment(m, payment, {
          to: 'failed',
          source: 'poll',
          failure: {
            code: 'create_incomplete',
            message: 'the create did not finish: no provider outcome was stored',
          },
          detail: 'create never finished; its checkout was never handed out',
        });
      });
      if (outcome !== 'applied') continue;
      closed++;
      this.logger.warn({ msg: 'unfinished create failed', paymentId: id });
    }
    return closed;
  }

  /** Asks the provider for a payment's state now and applies it (source `poll`). */
  async reconcilePayment(paymentId: string): Promise<UpdateResult | 'not_pollable'> {
    const payment = await this.payments.findOneBy({ id: paymentId });
    if (!payment) return 'unknown_payment';
    return this.poll(payment);
  }

  private async poll(payment: Payment): Promise<UpdateResult | 'not_pollable'> {
    const now = new Date();
    await this.tx.write((m) => m.update(Payment, { id: payment.id }, { lastPolledAt: now }));
    try {
      const resolved = await this.accounts.resolve(payment.providerAccountId!);
      if (!resolved.provider.capabilities.polling || !payment.providerPaymentId)
        return 'not_pollable';
      const state = await resolved.provider.getPayment(
        resolved.context,
        payment.providerPaymentId,
        { createdAt: payment.createdAt },
      );
      const result = await this.updates.applyPaymentState(resolved.account.id, state, 'poll');
      this.logger.log({
        msg: 'payment polled',
        paymentId: payment.id,
        providerStatus: state.providerStatus,
        result,
      });
      return result;
    } catch (error) {
      this.logger.warn({
        msg: 'poll failed',
        paymentId: payment.id,
        error: (error as Error).message,
      });
      throw error;
    }
  }
}
