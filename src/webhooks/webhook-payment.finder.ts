import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RowStatements } from '../database/statements/row-statements';
import { Payment } from '../payments/entities/payment.entity';
import { Refund } from '../payments/entities/refund.entity';
import type { WebhookPaymentView, WebhookReference } from '../providers/provider.interface';

export interface FoundPayment {
  payment: Payment | null;
  /** The ids lead to different payments of this account. */
  conflict: boolean;
}

/**
 * Finds the local payment a webhook names, only among the payments of the account the
 * webhook came for. Ids that lead nowhere are ignored; ids that lead to different payments are
 * a conflict (a forged or spliced item).
 */
@Injectable()
export class WebhookPaymentFinder {
  constructor(private readonly rows: RowStatements) {}

  /** `manager`: read inside the caller's transaction. */
  async find(
    accountId: string,
    ref: WebhookReference,
    manager?: EntityManager,
  ): Promise<FoundPayment> {
    const found = await this.lookup(accountId, ref, manager);
    return { payment: found.length === 1 ? found[0] : null, conflict: found.length > 1 };
  }

  /** Every distinct local payment a list of references leads to (unverified bodies: what to poll). */
  async named(accountId: string, refs: WebhookReference[]): Promise<Payment[]> {
    const byId = new Map<string, Payment>();
    for (const ref of refs)
      for (const payment of await this.lookup(accountId, ref)) byId.set(payment.id, payment);
    return [...byId.values()];
  }

  /** The distinct payments the ids of one reference lead to. */
  private async lookup(
    accountId: string,
    ref: WebhookReference,
    manager?: EntityManager,
  ): Promise<Payment[]> {
    const found: Payment[] = [];
    const one = (where: Partial<Payment>) => this.rows.findOne(Payment, where, manager);
    const add = (payment: Payment | null) => payment && found.push(payment);
    if (ref.paymentId) add(await one({ id: ref.paymentId, providerAccountId: accountId }));
    if (ref.providerPaymentId)
      // By the provider's payment id, or its later reference (a modification names it by that).
      add(
        (await one({ providerAccountId: accountId, providerPaymentId: ref.providerPaymentId })) ??
          (await one({ providerAccountId: accountId, providerReference: ref.providerPaymentId })),
      );
    if (ref.refundId) {
      const refund = await this.rows.findOne(Refund, { id: ref.refundId }, manager);
      if (refund) add(await one({ id: refund.paymentId, providerAccountId: accountId }));
    }
    return [...new Map(found.map((p) => [p.id, p])).values()];
  }
}

export function paymentView(payment: Payment): WebhookPaymentView {
  return {
    id: payment.id,
    providerPaymentId: payment.providerPaymentId!,
    providerReference: payment.providerReference ?? null,
    captureMode: payment.captureMode,
    amount: { value: payment.amountValue, currency: payment.currency },
    status: payment.status,
  };
}
