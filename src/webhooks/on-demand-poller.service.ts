import { Injectable, Logger } from '@nestjs/common';
import { Payment } from '../payments/entities/payment.entity';
import { ReconciliationService } from '../reconciliation/reconciliation.service';
import { MetricsService } from '../metrics/metrics.service';
import { WebhookPollBudget } from './webhook-poll.budget';

/** A single payment is polled at most this often on demand. */
const MIN_INTERVAL_MS = 10_000;
/** Only these can still change in a way a status poll sees and that the shop waits for. */
const POLLABLE = new Set(['pending', 'authorized']);

/**
 * Polls a local payment because an unauthenticated request named it (a webhook that did not
 * verify, a buyer back from PayPal): nothing in the request is trusted, the provider is asked.
 * At most once per payment per 10 s and within the account's webhook poll budget.
 */
@Injectable()
export class OnDemandPoller {
  private readonly logger = new Logger('OnDemandPoll');
  /** Payments this process polled on demand lately: concurrent requests poll once, not once each. */
  private readonly recent = new Map<string, number>();

  constructor(
    private readonly reconciliation: ReconciliationService,
    private readonly budget: WebhookPollBudget,
    private readonly metrics: MetricsService,
  ) {}

  /** True when the provider was asked (whatever it answered). */
  async pollIfDue(payment: Payment): Promise<boolean> {
    if (!POLLABLE.has(payment.status) || !payment.providerAccountId) return false;
    const now = Date.now();
    if (payment.lastPolledAt && now - payment.lastPolledAt.getTime() < MIN_INTERVAL_MS)
      return false;
    if (now - (this.recent.get(payment.id) ?? -Infinity) < MIN_INTERVAL_MS) return false;
    const provider = payment.providerName ?? 'unknown';
    if (!this.budget.take(payment.providerAccountId)) {
      this.metrics.webhookPolls.inc({ provider, outcome: 'over_budget' });
      this.logger.warn({
        msg: 'on-demand poll skipped: poll budget spent',
        paymentId: payment.id,
        providerAccountId: payment.providerAccountId,
      });
      return false;
    }
    this.metrics.webhookPolls.inc({ provider, outcome: 'allowed' });
    this.remember(payment.id, now);
    try {
      await this.reconciliation.reconcilePayment(payment.id);
    } catch {
      // The reconciler logged it; the scheduled reconciliation tries again.
    }
    return true;
  }

  private remember(paymentId: string, now: number): void {
    // Entries only ever come from polls the budget allowed, so the map stays small; old ones go.
    for (const [id, at] of this.recent) if (now - at >= MIN_INTERVAL_MS) this.recent.delete(id);
    this.recent.set(paymentId, now);
  }
}
