import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThanOrEqual, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { toDecimalString } from '../common/money/money';
import { Payment } from '../payments/entities/payment.entity';
import { PaymentOperation } from '../payments/entities/payment-operation.entity';
import { Refund } from '../payments/entities/refund.entity';
import { ProviderAccountsService } from '../providers/provider-accounts.service';
import type { PaymentProvider } from '../providers/provider.interface';
import type { AttentionFilter } from '../payments/payment-filters';
import { TransactionService } from '../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { ConflictError, NotFoundError } from '../common/errors/domain-error';

export interface AttentionItem {
  /** contradiction: the provider reported what our records contradict (id: the payment's). */
  type: 'refund' | 'capture' | 'cancel' | 'contradiction';
  id: string;
  /**
   * unknown: the answer was lost; accepted: the provider has it; sending: the request died;
   * reported: a contradiction the provider reported, until an operator resolves it.
   */
  stage: string;
  since: string;
  why: string;
}

/**
 * Why an operator should look at a payment: a provider report our records contradict, and
 * operations the provider has not settled in time.
 */
export interface AttentionNote {
  since: string;
  reason: string;
  operations: AttentionItem[];
}

/**
 * Open captures, cancels and refunds older than PAYMENTSERVER_RECONCILE_ATTENTION_HOURS. Where
 * the provider has no API to look them up (Adyen), only its webhook can settle them: an
 * operator has to check the provider's own dashboard. Nothing is freed meanwhile. Worked out
 * when read, so it disappears as soon as the last open operation is settled.
 *
 * And a contradiction the provider reported (the payment's `attentionSince`, set by
 * PaymentStatusService), which stays until an operator resolves it.
 */
@Injectable()
export class AttentionService {
  private readonly logger = new Logger('Attention');

  constructor(
    @InjectRepository(PaymentOperation) private readonly operations: Repository<PaymentOperation>,
    @InjectRepository(Refund) private readonly refunds: Repository<Refund>,
    private readonly accounts: ProviderAccountsService,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * An operator checked the contradiction at the provider: it is cleared (audited, in the same
   * transaction). Status, money and the shop are left alone; open operations keep their own
   * attention until they are settled.
   */
  async resolve(paymentId: string, note?: string): Promise<Payment> {
    return this.tx.run(async (m) => {
      const payment = await this.tx.lock(m, Payment, paymentId);
      if (!payment) throw new NotFoundError('Payment', paymentId);
      if (!payment.attentionSince)
        throw new ConflictError(
          'nothing_to_resolve',
          'No contradiction reported by the provider is waiting on this payment',
        );
      this.logger.log({
        msg: 'contradiction resolved by an operator',
        paymentId,
        since: payment.attentionSince.toISOString(),
        reason: payment.attentionReason,
        note: note ?? null,
      });
      payment.version += 1;
      payment.attentionSince = null;
      payment.attentionReason = null;
      await m.update(
        Payment,
        { id: paymentId },
        { attentionSince: null, attentionReason: null, version: payment.version },
      );
      await this.audit.record(m, { changedFields: ['attentionSince', 'attentionReason'] });
      return payment;
    });
  }

  /** The list filter `needsAttention=true|false` as of `now`, by the same cutoff as the notes. */
  filter(needed: boolean | undefined, now = Date.now()): AttentionFilter | undefined {
    return needed === undefined ? undefined : { needed, cutoff: this.cutoff(now) };
  }

  async forPayments(payments: Payment[], now = Date.now()): Promise<Map<string, AttentionNote>> {
    const notes = new Map<string, AttentionNote>();
    if (payments.length === 0) return notes;
    // The contradiction first: money may have moved; an open operation only waits.
    for (const payment of payments) {
      if (!payment.attentionSince) continue;
      const item = contradictionItem(payment);
      notes.set(payment.id, { since: item.since, reason: item.why, operations: [item] });
    }
    const cutoff = this.cutoff(now);
    const ids = payments.map((p) => p.id);
    const [operations, refunds] = await Promise.all([
      this.operations.find({
        where: { paymentId: In(ids), status: 'pending', createdAt: LessThanOrEqual(cutoff) },
      }),
      this.refunds.find({
        where: { paymentId: In(ids), status: 'pending', createdAt: LessThanOrEqual(cutoff) },
      }),
    ]);
    const byId = new Map(payments.map((p) => [p.id, p]));
    const items: { paymentId: string; item: AttentionItem }[] = [
      ...operations.map((op) => ({
        paymentId: op.paymentId,
        item: this.item(byId.get(op.paymentId)!, op.type, op),
      })),
      ...refunds.map((refund) => ({
        paymentId: refund.paymentId,
        item: this.item(byId.get(refund.paymentId)!, 'refund', refund),
      })),
    ];
    for (const { paymentId, item } of items.sort((a, b) =>
      a.item.since.localeCompare(b.item.since),
    )) {
      const note = notes.get(paymentId);
      if (!note) notes.set(paymentId, { since: item.since, reason: item.why, operations: [item] });
      else {
        note.operations.push(item);
        if (item.since < note.since) note.since = item.since;
      }
    }
    return notes;
  }

  private cutoff(now: number): Date {
    return new Date(now - this.config.reconciliation.attentionHours * 3_600_000);
  }

  private item(
    payment: Payment,
    type: AttentionItem['type'],
    row: PaymentOperation | Refund,
  ): AttentionItem {
    const provider = payment.providerName ?? 'the provider';
    const since = row.createdAt.toISOString();
    const amount =
      row.amountValue === null
        ? ''
        : ` of ${row.currency} ${toDecimalString(row.amountValue, row.currency)}`;
    const what = `${type} ${row.id}${amount}`;
    let why: string;
    if (!this.canLookUp(payment, type)) {
      why = `${what} is still open at ${provider} since ${since}: ${provider} has no API to look it up, only its webhook settles it. Check it in ${provider}'s own dashboard; its amount stays reserved meanwhile.`;
    } else if (row.stage === 'accepted') {
      why = `${what} is still pending at ${provider} since ${since}; it is polled and not settled yet.`;
    } else {
      why = `${what}: whether ${provider} did it is unknown since ${since} (${row.lastError ?? 'no answer'}); it is looked up and sent again with the same idempotency key.`;
    }
    return { type, id: row.id, stage: row.stage ?? 'unknown', since, why };
  }

  /** Whether the connector can ask its provider about this kind of operation (Adyen cannot). */
  private canLookUp(payment: Payment, type: AttentionItem['type']): boolean {
    const provider: PaymentProvider | undefined = payment.providerName
      ? this.accounts.providerOf({ provider: payment.providerName })
      : undefined;
    if (!provider) return false;
    if (type === 'refund') return !!provider.getRefund;
    return !!(type === 'capture' ? provider.getCapture : provider.getCancellation);
  }
}

function contradictionItem(payment: Payment): AttentionItem {
  return {
    type: 'contradiction',
    id: payment.id,
    stage: 'reported',
    since: payment.attentionSince!.toISOString(),
    why: payment.attentionReason ?? 'the provider reported what our records contradict',
  };
}
