import type { SelectQueryBuilder } from 'typeorm';
import type { Payment } from './entities/payment.entity';
import { PaymentOperation } from './entities/payment-operation.entity';
import { Refund } from './entities/refund.entity';
import type { ListPaymentsQuery } from './dto/list-payments.query';
import type { PaymentScope } from './payments.service';
import { ValidationError } from '../common/errors/domain-error';
import { queryInstant } from '../common/time/query-instant';

/**
 * `needed`: only payments marked with a contradiction (`attentionSince`) or with a capture,
 * cancel or refund still `pending` that was sent at or before `cutoff` (the rule of
 * AttentionService.forPayments); `!needed`: only those with neither.
 */
export interface AttentionFilter {
  needed: boolean;
  cutoff: Date;
}

/** `!` escapes LIKE wildcards: it needs no doubling in any dialect's string literals. */
function likeLiteral(text: string): string {
  return text.replace(/[!%_[\]]/g, (c) => `!${c}`);
}

/**
 * Adds the scope and the list filters (everything but the cursor) to a query on payments `p`;
 * the payment list and the admin totals share it, so a total always describes its list.
 */
export function applyPaymentFilters(
  qb: SelectQueryBuilder<Payment>,
  scope: PaymentScope,
  query: ListPaymentsQuery,
): SelectQueryBuilder<Payment> {
  if (
    query.amountMin !== undefined &&
    query.amountMax !== undefined &&
    query.amountMin > query.amountMax
  ) {
    throw ValidationError.field('amountMax', 'must not be below amountMin');
  }
  if (scope.integrationId)
    qb.andWhere('p.integrationId = :integrationId', { integrationId: scope.integrationId });
  if (scope.provider) qb.andWhere('p.providerName = :provider', { provider: scope.provider });
  if (query.status) qb.andWhere('p.status = :status', { status: query.status });
  if (query.reference) qb.andWhere('p.reference = :reference', { reference: query.reference });
  if (query.createdFrom)
    qb.andWhere('p.createdAt >= :from', { from: queryInstant('createdFrom', query.createdFrom) });
  if (query.createdTo)
    qb.andWhere('p.createdAt < :to', { to: queryInstant('createdTo', query.createdTo) });
  if (query.currency) qb.andWhere('p.currency = :currency', { currency: query.currency });
  if (query.amountMin !== undefined)
    qb.andWhere('p.amountValue >= :amountMin', { amountMin: query.amountMin });
  if (query.amountMax !== undefined)
    qb.andWhere('p.amountValue <= :amountMax', { amountMax: query.amountMax });
  if (query.method) qb.andWhere('p.method = :method', { method: query.method });
  if (query.providerPaymentId)
    qb.andWhere('p.providerPaymentId = :providerPaymentId', {
      providerPaymentId: query.providerPaymentId,
    });
  if (query.customerEmail) {
    // `customer` is a JSON text column in every dialect, written by JSON.stringify: the email
    // appears as exactly this member. Lower-cased on both sides: emails are matched ignoring case.
    const member = `"email":${JSON.stringify(query.customerEmail.toLowerCase())}`;
    qb.andWhere(`LOWER(p.customer) LIKE :customerEmail ESCAPE '!'`, {
      customerEmail: `%${likeLiteral(member)}%`,
    });
  }
  if (scope.attention) addAttentionFilter(qb, scope.attention);
  return qb;
}

/** In the query itself (EXISTS on the indexed paymentId), so paging and totals stay exact. */
function addAttentionFilter(qb: SelectQueryBuilder<Payment>, filter: AttentionFilter): void {
  const open = (entity: typeof PaymentOperation | typeof Refund, alias: string) =>
    qb
      .subQuery()
      .select('1')
      .from(entity, alias)
      .where(`${alias}.paymentId = p.id`)
      .andWhere(`${alias}.status = 'pending'`)
      .andWhere(`${alias}.createdAt <= :attentionCutoff`)
      .getQuery();
  const any = `(p.attentionSince IS NOT NULL OR EXISTS ${open(PaymentOperation, 'att_op')} OR EXISTS ${open(Refund, 'att_re')})`;
  qb.andWhere(filter.needed ? any : `NOT ${any}`, { attentionCutoff: filter.cutoff });
}
