import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
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
  constructor(
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
    @InjectRepository(Refund) private readonly refunds: Repository<Refund>,
  ) {}

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
    const payments = manager?.getRepository(Payment) ?? this.payments;
    const found: Payment[] = [];
    if (ref.paymentId) found.push(...(await this.byId(payments, accountId, ref.paymentId)));
    if (ref.providerPaymentId)
      found.push(...(await this.byProviderId(payments, accountId, ref.providerPaymentId)));
    if (ref.refundId) {
      const refunds = manager?.getRepository(Refund) ?? this.refunds;
      const refund = await refunds.findOneBy({ id: ref.refundId });
      if (refund) found.push(...(await this.byId(payments, accountId, refund.paymentId)));
    }
    return [...new Map(found.map((p) => [p.id, p])).values()];
  }

  private async byId(
    payments: Repository<Payment>,
    accountId: string,
    id: string,
  ): Promise<Payment[]> {
    const payment = await payments.findOneBy({ id, providerAccountId: accountId });
    return payment ? [payment] : [];
  }

  /** By the provider's payment id, or its later reference (a modification names the payment by that). */
  private async byProviderId(
    payments: Repository<Payment>,
    accountId: string,
    providerPaymentId: string,
  ): Promise<Payment[]> {
    const payment =
      (await payments.findOneBy({ providerAccountId: accountId, providerPaymentId })) ??
      (await payments.findOneBy({
        providerAccountId: accountId,
        providerReference: providerPaymentId,
      }));
    return payment ? [payment] : [];
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
