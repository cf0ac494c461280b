import { Inject, Injectable, Logger } from '@nestjs/common';
import { FindOperator, In, IsNull, LessThan } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import {
  OPEN_WEBHOOK_STATUSES,
  WebhookDelivery,
  WebhookDeliveryStatus,
} from './webhook-delivery.entity';
import { PaymentUpdatesService } from '../payments/payment-updates.service';
import { OperationReportsService } from '../payments/operations/operation-reports.service';
import { ProviderAccountsService, ResolvedAccount } from '../providers/provider-accounts.service';
import type { WebhookNotification } from '../providers/provider.interface';
import { TransactionService } from '../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { redactText } from '../common/logging/redact';
import { MetricsService } from '../metrics/metrics.service';
import { paymentView, WebhookPaymentFinder } from './webhook-payment.finder';
import { Mismatch, signedFieldsMismatch } from './webhook-identity';
import { WebhookPollBudget } from './webhook-poll.budget';
import { nextRetryAt } from './webhook-retry.schedule';

/** How long a claimed delivery stays with its instance before another may take it over. */
export const WEBHOOK_LEASE_MS = 120_000;

export type ProcessOutcome = 'processed' | 'rejected' | 'failed' | 'dead' | 'deferred';

/**
 * Turns one stored delivery into status changes, safe to run again on the same delivery.
 * Each item is applied only to the local payment its signed fields name, after checking the
 * signed amount and currency; a mismatch is recorded (status `rejected`) and ignored. A failure
 * is retried with growing delays until the retry horizon, then the delivery is `dead`.
 */
@Injectable()
export class WebhookProcessorService {
  private readonly logger = new Logger('WebhookProcessor');

  constructor(
    private readonly updates: PaymentUpdatesService,
    private readonly operationReports: OperationReportsService,
    private readonly finder: WebhookPaymentFinder,
    private readonly budget: WebhookPollBudget,
    private readonly accounts: ProviderAccountsService,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Takes an open delivery for this instance (a conditional UPDATE); false when another holds it or it is settled. */
  claim(id: string, token: string, now = new Date()): Promise<boolean> {
    return this.take(id, token, In([...OPEN_WEBHOOK_STATUSES]), now);
  }

  /**
   * Takes a delivery whatever its status, for an operator's replay; false while another
   * instance (the intake, the retry job, another replay) is processing it.
   */
  claimForReplay(id: string, token: string, now = new Date()): Promise<boolean> {
    return this.take(id, token, undefined, now, true);
  }

  /**
   * Processes a delivery this instance has claimed under `token`, with its provider account
   * as it is now (the retry job and the operator's replay).
   */
  async processClaimed(delivery: WebhookDelivery, token: string): Promise<ProcessOutcome> {
    const account = await this.accounts.find(delivery.providerAccountId);
    let resolved: ResolvedAccount;
    try {
      if (!account) throw new Error('the provider account no longer exists');
      resolved = this.accounts.resolveAccount(account);
    } catch (error) {
      // Counted as a failed attempt, so that it too ends dead at the horizon, not leased forever.
      return this.fail(delivery, token, (error as Error).message);
    }
    return this.process(delivery, resolved, token);
  }

  /** Processes a delivery this instance holds under `token` and records the outcome. */
  async process(
    delivery: WebhookDelivery,
    resolved: ResolvedAccount,
    token: string,
  ): Promise<ProcessOutcome> {
    const now = new Date();
    if (!delivery.verified && !this.budget.take(delivery.providerAccountId)) {
      // Unsigned (Mollie): the fetch waits for the budget; waiting is not a failed attempt.
      this.metrics.webhookPolls.inc({ provider: delivery.provider, outcome: 'over_budget' });
      const wait =
        this.budget.waitMs(delivery.providerAccountId) + Math.round(Math.random() * 1000);
      await this.finish(delivery, token, 'received', {
        nextAttemptAt: new Date(now.getTime() + wait),
        error: 'waiting for the webhook poll budget',
      });
      return 'deferred';
    }
    if (!delivery.verified)
      this.metrics.webhookPolls.inc({ provider: delivery.provider, outcome: 'allowed' });
    const attempts = delivery.attempts + 1;
    try {
      const rejections = await this.apply(delivery, resolved);
      const status = rejections.length > 0 ? 'rejected' : 'processed';
      const error =
        rejections.length > 0
          ? rejections
              .map((r) => `${r.reason}: ${r.detail}`)
              .join('; ')
              .slice(0, 1024)
          : null;
      await this.finish(delivery, token, status, {
        attempts,
        lastAttemptAt: now,
        nextAttemptAt: null,
        processedAt: new Date(),
        error,
      });
      return status;
    } catch (error) {
      const message = redactText((error as Error).message ?? String(error)).slice(0, 1024);
      const next = nextRetryAt(this.policy(), attempts, delivery.receivedAt, now);
      const context = {
        deliveryId: delivery.id,
        provider: delivery.provider,
        providerAccountId: delivery.providerAccountId,
        attempts,
        error: message,
      };
      if (next) {
        this.logger.warn({
          msg: 'webhook processing failed; will retry',
          ...context,
          nextAttemptAt: next.toISOString(),
        });
      } else {
        this.logger.error({
          msg: 'webhook processing failed until the retry horizon; delivery is dead',
          ...context,
        });
      }
      const status = next ? 'failed' : 'dead';
      await this.finish(delivery, token, status, {
        attempts,
        lastAttemptAt: now,
        nextAttemptAt: next,
        error: message,
      });
      return status;
    }
  }

  /** Records that an open delivery cannot be processed at all (its account is gone), as a failed attempt. */
  async fail(delivery: WebhookDelivery, token: string, reason: string): Promise<ProcessOutcome> {
    const now = new Date();
    const attempts = delivery.attempts + 1;
    const next = nextRetryAt(this.policy(), attempts, delivery.receivedAt, now);
    this.logger.warn({
      msg: 'webhook cannot be processed',
      deliveryId: delivery.id,
      reason,
      dead: !next,
    });
    await this.finish(delivery, token, next ? 'failed' : 'dead', {
      attempts,
      lastAttemptAt: now,
      nextAttemptAt: next,
      error: reason,
    });
    return next ? 'failed' : 'dead';
  }

  /** Applies every item that fits its payment; returns the items' mismatches. */
  private async apply(delivery: WebhookDelivery, resolved: ResolvedAccount): Promise<Mismatch[]> {
    const { provider, context: ctx, account } = resolved;
    const webhook = { headers: delivery.headers, rawBody: Buffer.from(delivery.body, 'utf8') };
    const rejections: Mismatch[] = [];
    const reject = (mismatch: Mismatch, paymentId: string | null) => {
      rejections.push(mismatch);
      this.metrics.webhookRejections.inc({ provider: delivery.provider, reason: mismatch.reason });
      this.logger.warn({
        msg: 'webhook item rejected: its signed fields contradict the payment',
        deliveryId: delivery.id,
        providerAccountId: account.id,
        paymentId,
        ...mismatch,
      });
    };
    for (const item of provider.parseWebhook(ctx, webhook)) {
      let found = await this.finder.find(account.id, item);
      if (found.conflict) {
        reject({ reason: 'payment_mismatch', detail: 'its ids name different payments' }, null);
        continue;
      }
      if (!found.payment && item.lookup && provider.resolveWebhookPayment) {
        const providerPaymentId = await provider.resolveWebhookPayment(ctx, item);
        if (providerPaymentId) found = await this.finder.find(account.id, { providerPaymentId });
      }
      if (!found.payment?.providerPaymentId) {
        this.logger.log({
          msg: 'webhook item names no local payment; ignored',
          deliveryId: delivery.id,
          providerAccountId: account.id,
        });
        continue;
      }
      const payment = paymentView(found.payment);
      const mismatch = signedFieldsMismatch(payment, item);
      if (mismatch) {
        reject(mismatch, payment.id);
        continue;
      }
      const completed: WebhookNotification[] = provider.completeWebhookNotification
        ? await provider.completeWebhookNotification(ctx, item, payment)
        : [item];
      for (const next of completed) {
        const late = next === item ? null : signedFieldsMismatch(payment, next);
        if (late) {
          reject(late, payment.id);
          continue;
        }
        let state = next.payment;
        if (next.fetchState || (!next.payment && !next.refund && !next.operation))
          state = await provider.getPayment(ctx, payment.providerPaymentId, {
            createdAt: found.payment.createdAt,
          });
        if (state) {
          // Applied to the payment found, whatever id the item used for it.
          const result = await this.updates.applyPaymentStateById(
            account.id,
            payment.id,
            { ...state, providerPaymentId: payment.providerPaymentId },
            'webhook',
          );
          // Routine, one per webhook: the metrics count them; the line is for debugging.
          this.logger.debug({
            msg: 'webhook applied',
            deliveryId: delivery.id,
            paymentId: payment.id,
            providerStatus: state.providerStatus,
            result,
          });
        }
        if (next.operation) {
          // Settles the payment's open capture or cancel that the signed fields name.
          const result = await this.operationReports.apply(payment.id, next.operation, 'webhook');
          this.logger.debug({
            msg: 'webhook applied',
            deliveryId: delivery.id,
            paymentId: payment.id,
            providerStatus: next.operation.providerStatus,
            result,
          });
        }
        if (next.refund)
          await this.updates.applyRefundState(
            account.id,
            payment.providerPaymentId,
            next.refund,
            'webhook',
          );
      }
    }
    return rejections;
  }

  /** Each UPDATE is atomic and only takes a row that nobody holds (or whose lease ran out). */
  private async take(
    id: string,
    token: string,
    status: FindOperator<WebhookDeliveryStatus> | undefined,
    now: Date,
    byOperator = false,
  ): Promise<boolean> {
    const lease = { leaseToken: token, leaseExpiresAt: new Date(now.getTime() + WEBHOOK_LEASE_MS) };
    for (const leaseExpiresAt of [IsNull(), LessThan(now)]) {
      const where = { id, leaseExpiresAt, ...(status ? { status } : {}) };
      const result = byOperator
        ? // The operator's replay is audited with the claim that starts it.
          await this.tx.run(async (m) => {
            const claimed = await m.update(WebhookDelivery, where, lease);
            if (claimed.affected === 1) await this.audit.record(m);
            return claimed;
          })
        : await this.tx.write((m) => m.update(WebhookDelivery, where, lease));
      if (result.affected === 1) return true;
    }
    return false;
  }

  private async finish(
    delivery: WebhookDelivery,
    token: string,
    status: WebhookDeliveryStatus,
    changes: Partial<WebhookDelivery>,
  ): Promise<void> {
    const result = await this.tx.write((m) =>
      m.update(
        WebhookDelivery,
        { id: delivery.id, leaseToken: token },
        { ...changes, status, leaseToken: null, leaseExpiresAt: null },
      ),
    );
    if (result.affected !== 1) {
      // The lease ran out and another instance took the delivery over; its outcome stands.
      this.logger.warn({
        msg: 'webhook outcome not recorded: the lease was lost',
        deliveryId: delivery.id,
        status,
      });
      return;
    }
    Object.assign(delivery, changes, { status, leaseToken: null, leaseExpiresAt: null });
  }

  private policy() {
    const w = this.config.webhooks;
    return {
      baseSeconds: w.retryBaseSeconds,
      maxDelaySeconds: w.retryMaxDelaySeconds,
      horizonSeconds: w.retryHorizonSeconds,
    };
  }
}
