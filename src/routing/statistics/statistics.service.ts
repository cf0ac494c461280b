import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Payment } from '../../payments/entities/payment.entity';
import { ValidationError } from '../../common/errors/domain-error';
import { queryEndOfDay, queryInstant } from '../../common/time/query-instant';
import type { Money } from '../../common/money/money';
import type { StatisticsQuery, StatsGroup } from './statistics.dto';

/** Counted as paid: every status a payment only reaches after it was paid. */
export const PAID_STATUSES = ['paid', 'partially_refunded', 'refunded', 'charged_back'];

export interface StatisticsRow {
  key: string;
  count: number;
  paidCount: number;
  successRate: number;
  /** Net: captured less refunded less charged back. */
  volume: Money[];
  grossVolume: Money[];
  refundedVolume: Money[];
  chargedBackVolume: Money[];
  refundedCount: number;
  chargedBackCount: number;
}

type Sum = string | number | null;

interface RawRow {
  groupKey: string | null;
  currency: string;
  total: string | number;
  paid: Sum;
  gross: Sum;
  refunded: Sum;
  chargedBack: Sum;
  refundedCount: Sum;
  chargedBackCount: Sum;
}

interface Entry {
  count: bigint;
  paidCount: bigint;
  refundedCount: bigint;
  chargedBackCount: bigint;
  /** Per currency: captured, refunded and charged back sums of the paid payments. */
  sums: Map<string, { gross: bigint; refunded: bigint; chargedBack: bigint }>;
}

/**
 * Payment counts, conversion and paid volume, aggregated in the database (one query). Volume is
 * what was captured, and `volume` is net of refunds and chargebacks: a partially refunded
 * payment counts for what the merchant kept, not its gross amount.
 */
@Injectable()
export class StatisticsService {
  constructor(@InjectRepository(Payment) private readonly payments: Repository<Payment>) {}

  async summarise(query: StatisticsQuery): Promise<StatisticsRow[]> {
    const from = query.from ? queryInstant('from', query.from) : undefined;
    // A bare date includes that whole UTC day; the end of 9999-12-31 leaves no bound at all.
    const to = query.to ? queryEndOfDay('to', query.to) : undefined;
    if (from && to && from >= to) throw ValidationError.field('to', 'must be after from');
    const q = (column: string) => this.payments.manager.connection.driver.escape(column);
    const paid = `p.${q('status')} IN (${PAID_STATUSES.map((s) => `'${s}'`).join(', ')})`;
    const chargedBack = `p.${q('status')} = 'charged_back'`;
    const captured = `p.${q('amountCaptured')}`;
    const refunded = `p.${q('amountRefunded')}`;
    const key = this.keyExpression(query.groupBy ?? 'provider', q);
    const qb = this.payments
      .createQueryBuilder('p')
      .select(key, 'groupKey')
      .addSelect(`p.${q('currency')}`, 'currency')
      .addSelect('COUNT(*)', 'total')
      .addSelect(`SUM(CASE WHEN ${paid} THEN 1 ELSE 0 END)`, 'paid')
      .addSelect(`SUM(CASE WHEN ${paid} THEN ${captured} ELSE 0 END)`, 'gross')
      .addSelect(`SUM(CASE WHEN ${paid} THEN ${refunded} ELSE 0 END)`, 'refunded')
      .addSelect(
        `SUM(CASE WHEN ${chargedBack} THEN ${captured} - ${refunded} ELSE 0 END)`,
        'chargedBack',
      )
      .addSelect(`SUM(CASE WHEN ${paid} AND ${refunded} > 0 THEN 1 ELSE 0 END)`, 'refundedCount')
      .addSelect(`SUM(CASE WHEN ${chargedBack} THEN 1 ELSE 0 END)`, 'chargedBackCount')
      .groupBy(key)
      .addGroupBy(`p.${q('currency')}`);
    if (from) qb.andWhere('p.createdAt >= :from', { from });
    if (to) qb.andWhere('p.createdAt < :to', { to });
    if (query.integrationId) qb.andWhere('p.integrationId = :iid', { iid: query.integrationId });
    if (query.ruleId) {
      // `routing` is JSON text written by JSON.stringify: the rule id appears as exactly this member.
      qb.andWhere(`p.${q('routing')} LIKE :rule ESCAPE '!'`, {
        rule: `%${`"ruleId":${JSON.stringify(query.ruleId)}`.replace(/[!%_[\]]/g, (c) => `!${c}`)}%`,
      });
    }
    return this.combine(await qb.getRawMany<RawRow>());
  }

  private keyExpression(groupBy: StatsGroup, q: (c: string) => string): string {
    switch (groupBy) {
      case 'provider':
        return `COALESCE(p.${q('providerName')}, 'none')`;
      case 'account':
        return `COALESCE(p.${q('providerAccountId')}, 'none')`;
      case 'status':
        return `p.${q('status')}`;
      case 'day':
        return this.dayExpression(`p.${q('createdAt')}`);
    }
  }

  /** The UTC calendar day of a timestamp column, as YYYY-MM-DD, in each dialect's own words. */
  private dayExpression(column: string): string {
    switch (this.payments.manager.connection.options.type) {
      case 'mysql':
      case 'mariadb':
        return `DATE_FORMAT(${column}, '%Y-%m-%d')`;
      case 'postgres':
        return `to_char(${column}, 'YYYY-MM-DD')`;
      case 'mssql':
        return `CONVERT(char(10), ${column}, 23)`;
      default:
        // SQLite stores UTC timestamps as 'YYYY-MM-DD HH:MM:SS.SSS' text.
        return `substr(${column}, 1, 10)`;
    }
  }

  /** Rows per (key, currency) → one row per key with sums per currency; integer sums stay exact. */
  private combine(raw: RawRow[]): StatisticsRow[] {
    const byKey = new Map<string, Entry>();
    for (const row of raw) {
      const key = String(row.groupKey ?? 'none');
      const entry: Entry = byKey.get(key) ?? {
        count: 0n,
        paidCount: 0n,
        refundedCount: 0n,
        chargedBackCount: 0n,
        sums: new Map(),
      };
      entry.count += BigInt(row.total);
      entry.paidCount += BigInt(row.paid ?? 0);
      entry.refundedCount += BigInt(row.refundedCount ?? 0);
      entry.chargedBackCount += BigInt(row.chargedBackCount ?? 0);
      const gross = BigInt(row.gross ?? 0);
      if (gross > 0n) {
        const sums = entry.sums.get(row.currency) ?? { gross: 0n, refunded: 0n, chargedBack: 0n };
        sums.gross += gross;
        sums.refunded += BigInt(row.refunded ?? 0);
        sums.chargedBack += BigInt(row.chargedBack ?? 0);
        entry.sums.set(row.currency, sums);
      }
      byKey.set(key, entry);
    }
    return [...byKey.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, e]) => {
        const currencies = [...e.sums.entries()].sort(([a], [b]) => a.localeCompare(b));
        const money = (
          pick: (s: { gross: bigint; refunded: bigint; chargedBack: bigint }) => bigint,
        ) => currencies.map(([currency, sums]) => ({ value: toSafeNumber(pick(sums)), currency }));
        return {
          key,
          count: toSafeNumber(e.count),
          paidCount: toSafeNumber(e.paidCount),
          // A ratio, not money: 4 decimals from integer arithmetic.
          successRate: e.count === 0n ? 0 : Number((e.paidCount * 10_000n) / e.count) / 10_000,
          volume: money((s) => s.gross - s.refunded - s.chargedBack),
          grossVolume: money((s) => s.gross),
          refundedVolume: money((s) => s.refunded),
          chargedBackVolume: money((s) => s.chargedBack),
          refundedCount: toSafeNumber(e.refundedCount),
          chargedBackCount: toSafeNumber(e.chargedBackCount),
        };
      });
  }
}

function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`statistic out of range: ${value}`);
  return Number(value);
}
