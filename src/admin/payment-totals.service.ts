import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Payment } from '../payments/entities/payment.entity';
import { applyPaymentFilters } from '../payments/payment-filters';
import { PAID_STATUSES } from '../routing/statistics/statistics.service';
import { AttentionService } from '../reconciliation/attention.service';
import type { PaymentTotalsDto, PaymentTotalsQuery } from './dto/payment-totals.dto';

interface RawTotals {
  currency: string;
  total: string | number;
  paid: string | number | null;
  amount: string | number | null;
  captured: string | number | null;
  refunded: string | number | null;
}

/** Counts and sums per currency of the payments an admin list filter matches, in one query. */
@Injectable()
export class PaymentTotalsService {
  constructor(
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
    private readonly attention: AttentionService,
  ) {}

  async totals(query: PaymentTotalsQuery): Promise<PaymentTotalsDto> {
    const q = (column: string) => `p.${this.payments.manager.connection.driver.escape(column)}`;
    const paid = `${q('status')} IN (${PAID_STATUSES.map((s) => `'${s}'`).join(', ')})`;
    const qb = applyPaymentFilters(
      this.payments.createQueryBuilder('p'),
      {
        integrationId: query.integrationId,
        provider: query.provider,
        attention: this.attention.filter(query.needsAttention),
      },
      query,
    )
      .select(q('currency'), 'currency')
      .addSelect('COUNT(*)', 'total')
      .addSelect(`SUM(CASE WHEN ${paid} THEN 1 ELSE 0 END)`, 'paid')
      .addSelect(`SUM(${q('amountValue')})`, 'amount')
      .addSelect(`SUM(${q('amountCaptured')})`, 'captured')
      .addSelect(`SUM(${q('amountRefunded')})`, 'refunded')
      .groupBy(q('currency'))
      .orderBy(q('currency'), 'ASC');
    const rows = await qb.getRawMany<RawTotals>();
    let count = 0n;
    const data = rows.map((row) => {
      const money = (value: bigint) => ({ value: toSafeNumber(value), currency: row.currency });
      const captured = BigInt(row.captured ?? 0);
      const refunded = BigInt(row.refunded ?? 0);
      count += BigInt(row.total);
      return {
        currency: row.currency,
        count: toSafeNumber(BigInt(row.total)),
        paidCount: toSafeNumber(BigInt(row.paid ?? 0)),
        amount: money(BigInt(row.amount ?? 0)),
        captured: money(captured),
        refunded: money(refunded),
        net: money(captured - refunded),
      };
    });
    return { count: toSafeNumber(count), data };
  }
}

/** Sums are exact integers from the database (strings on pg/mysql); beyond 2^53 they are refused, not rounded. */
function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`total out of range: ${value}`);
  return Number(value);
}
