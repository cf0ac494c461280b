import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RowStatements } from '../database/statements/row-statements';
import { WebhookDelivery } from './webhook-delivery.entity';
import { paymentView, WebhookPaymentFinder } from './webhook-payment.finder';
import { Mismatch, signedFieldsMismatch } from './webhook-identity';
import { Payment } from '../payments/entities/payment.entity';
import { PaymentUpdatesService, UpdateResult } from '../payments/payment-updates.service';
import type { ResolvedAccount } from '../providers/provider-accounts.service';
import type { InboundWebhook, WebhookNotification } from '../providers/provider.interface';
import { TransactionService } from '../database/transaction.service';
import { MetricsService } from '../metrics/metrics.service';
import { afterCommit } from '../metrics/after-commit';
import { APP_CONFIG, AppConfig } from '../config/app.config';

export type DirectOutcome = 'processed' | 'rejected';

/** An item turned out to need the provider (a lookup): the delivery takes the stored path. */
class NeedsProvider extends Error {}

interface Applied {
  paymentId: string;
  providerStatus: string;
  result: UpdateResult;
}

interface Rejection extends Mismatch {
  paymentId: string | null;
}

/**
 * Processes a fresh verified delivery whose items carry the payment's new state (no fetch, no
 * lookup, no completion at the provider) and stores it, with its outcome, in the transaction
 * that applies it: one commit instead of three (store, apply, record). A repeat still fails on
 * the inbox's unique key, which rolls back whatever it changed. A delivery this path does not
 * take, or whose transaction fails, is stored first and processed by WebhookProcessorService,
 * so it is never lost; either way the provider is answered only after it is stored.
 */
@Injectable()
export class WebhookDirectProcessor {
  private readonly logger = new Logger('WebhookProcessor');
  /**
   * Even a dropped debug line costs a request-scoped child logger; the level is fixed at
   * start, so the line is not even built below it.
   */
  private readonly debugLogged: boolean;

  constructor(
    private readonly finder: WebhookPaymentFinder,
    private readonly updates: PaymentUpdatesService,
    private readonly tx: TransactionService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly rows: RowStatements,
  ) {
    this.debugLogged = config.logging.level === 'debug' || config.logging.level === 'trace';
  }

  /**
   * The outcome, once stored and applied; undefined when this path does not take the delivery
   * (nothing was written). Throws what the transaction throws: a unique violation is a repeat.
   */
  async storeAndApply(
    delivery: WebhookDelivery,
    resolved: ResolvedAccount,
    webhook: InboundWebhook,
  ): Promise<DirectOutcome | undefined> {
    const { provider, context: ctx, account } = resolved;
    if (!delivery.verified || provider.completeWebhookNotification) return undefined;
    let items: WebhookNotification[];
    try {
      items = provider.parseWebhook(ctx, webhook);
    } catch {
      // The stored path parses it again and records why it cannot be processed.
      return undefined;
    }
    if (!items.every((item) => item.payment && !item.fetchState && !item.refund && !item.operation))
      return undefined;

    let applied: Applied[] = [];
    let rejections: Rejection[] = [];
    let ignored = 0;
    let status: DirectOutcome;
    try {
      status = await this.tx.run(async (m) => {
        // A transaction the database aborted runs again from here.
        applied = [];
        rejections = [];
        ignored = 0;
        let paymentId: string | null = null;
        for (const item of items) {
          const found = await this.finder.find(account.id, item, m);
          if (found.conflict) {
            rejections.push({
              reason: 'payment_mismatch',
              detail: 'its ids name different payments',
              paymentId: null,
            });
            continue;
          }
          if (!found.payment && item.lookup && provider.resolveWebhookPayment)
            throw new NeedsProvider();
          if (!found.payment?.providerPaymentId) {
            ignored++;
            continue;
          }
          const payment = await this.locked(m, found.payment);
          if (!payment) {
            ignored++;
            continue;
          }
          paymentId ??= payment.id;
          const mismatch = signedFieldsMismatch(paymentView(payment), item);
          if (mismatch) {
            rejections.push({ ...mismatch, paymentId: payment.id });
            continue;
          }
          const state = { ...item.payment!, providerPaymentId: payment.providerPaymentId! };
          const result = await this.updates.applyToLocked(m, account.id, payment, state, 'webhook');
          applied.push({ paymentId: payment.id, providerStatus: state.providerStatus, result });
        }
        const outcome: DirectOutcome = rejections.length > 0 ? 'rejected' : 'processed';
        const now = new Date();
        await this.rows.insert(m, WebhookDelivery, {
          ...delivery,
          paymentId: paymentId ?? delivery.paymentId,
          status: outcome,
          attempts: 1,
          lastAttemptAt: now,
          nextAttemptAt: null,
          leaseToken: null,
          leaseExpiresAt: null,
          processedAt: now,
          error:
            rejections.length > 0
              ? rejections
                  .map((r) => `${r.reason}: ${r.detail}`)
                  .join('; ')
                  .slice(0, 1024)
              : null,
        });
        for (const r of rejections)
          afterCommit(m, () =>
            this.metrics.webhookRejections.inc({ provider: delivery.provider, reason: r.reason }),
          );
        return outcome;
      });
    } catch (error) {
      if (error instanceof NeedsProvider) return undefined;
      throw error;
    }
    this.report(delivery, applied, rejections, ignored);
    return status;
  }

  /**
   * SQLite runs one transaction at a time, so what it read inside one is already held; the
   * server databases read the row again with FOR UPDATE.
   */
  private async locked(m: EntityManager, found: Payment): Promise<Payment | null> {
    if (this.tx.dialect === 'better-sqlite3') return found;
    return this.tx.lock(m, Payment, found.id);
  }

  /** Logged after the commit, so a rolled-back repeat logs nothing. */
  private report(
    delivery: WebhookDelivery,
    applied: Applied[],
    rejections: Rejection[],
    ignored: number,
  ): void {
    const { id: deliveryId, providerAccountId } = delivery;
    for (const { paymentId, ...mismatch } of rejections)
      this.logger.warn({
        msg: 'webhook item rejected: its signed fields contradict the payment',
        deliveryId,
        providerAccountId,
        paymentId,
        ...mismatch,
      });
    if (ignored > 0)
      this.logger.log({
        msg: 'webhook item names no local payment; ignored',
        deliveryId,
        providerAccountId,
        items: ignored,
      });
    // Routine, one per webhook: the metrics count them; the line is for debugging.
    if (this.debugLogged)
      for (const a of applied) this.logger.debug({ msg: 'webhook applied', deliveryId, ...a });
  }
}
