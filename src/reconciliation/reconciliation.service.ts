import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { Payment } from '../payments/entities/payment.entity';
import { PaymentUpdatesService, UpdateResult } from '../payments/payment-updates.service';
import { ProviderAccountsService } from '../providers/provider-accounts.service';
import { TransactionService } from '../database/transaction.service';

/** A single payment is polled at most this often on demand (e.g. by unverifiable webhooks). */
const ON_DEMAND_MIN_INTERVAL_MS = 10_000;

/**
 * Polls providers for payments that stay pending or authorized too long, so a lost webhook
 * never leaves a payment stuck. Each run polls at most `batchSize` payments (rate limit),
 * oldest poll first.
 */
@Injectable()
export class ReconciliationService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Reconciliation');
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
    private readonly updates: PaymentUpdatesService,
    private readonly accounts: ProviderAccountsService,
    private readonly tx: TransactionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.reconciliation.intervalSeconds;
    if (seconds > 0) {
      this.timer = setInterval(() => void this.runOnce(), seconds * 1000);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One pass over stale payments; returns how many were polled. */
  async runOnce(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
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
    } catch (error) {
      this.logger.warn({ msg: 'reconciliation run failed', error: (error as Error).message });
      return 0;
    } finally {
      this.running = false;
    }
  }

  /** Asks the provider for a payment's state now and applies it (source `poll`). */
  async reconcilePayment(paymentId: string): Promise<UpdateResult | 'not_pollable'> {
    const payment = await this.payments.findOneBy({ id: paymentId });
    if (!payment) return 'unknown_payment';
    return this.poll(payment);
  }

  /**
   * For a webhook that could not be verified: trust nothing in it, but look the payment up
   * at the provider, at most once per ON_DEMAND_MIN_INTERVAL_MS per payment.
   */
  async pollByProviderId(accountId: string, providerPaymentId: string): Promise<void> {
    const payment = await this.updates.findByProviderId(accountId, providerPaymentId);
    if (!payment || !['pending', 'authorized'].includes(payment.status)) return;
    if (
      payment.lastPolledAt &&
      Date.now() - payment.lastPolledAt.getTime() < ON_DEMAND_MIN_INTERVAL_MS
    )
      return;
    await this.poll(payment);
  }

  private async poll(payment: Payment): Promise<UpdateResult | 'not_pollable'> {
    const now = new Date();
    await this.tx.write((m) => m.update(Payment, { id: payment.id }, { lastPolledAt: now }));
    try {
      const resolved = await this.accounts.resolve(payment.providerAccountId!);
      if (!resolved.provider.capabilities.polling || !payment.providerPaymentId)
        return 'not_pollable';
      const state = await resolved.provider.getPayment(resolved.context, payment.providerPaymentId);
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
