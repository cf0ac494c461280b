import type { StatisticsRow } from '../../api/types';
import { toChartNumber, type Money } from '../../lib/money';

/** The value of `money` in `currency` (0 if none). */
export function amountIn(list: Money[] | undefined, currency: string): number {
  return list?.find((m) => m.currency === currency)?.value ?? 0;
}

/** Currencies that had paid volume, the busiest first. */
export function currenciesOf(rows: StatisticsRow[]): string[] {
  const counts = new Map<string, number>();
  for (const row of rows)
    for (const m of row.grossVolume)
      counts.set(m.currency, (counts.get(m.currency) ?? 0) + m.value);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([c]) => c);
}

/** Every UTC day from `fromIso` to today, so that days without payments show as zero. */
export function utcDays(fromIso: string, now = new Date()): string[] {
  const days: string[] = [];
  const day = new Date(`${fromIso.slice(0, 10)}T00:00:00Z`);
  const last = now.toISOString().slice(0, 10);
  while (day.toISOString().slice(0, 10) <= last && days.length < 400) {
    days.push(day.toISOString().slice(0, 10));
    day.setUTCDate(day.getUTCDate() + 1);
  }
  return days;
}

export interface DayPoint {
  day: string;
  payments: number;
  paid: number;
  successRate: number | null;
  net: number;
  refunded: number;
}

/** Chart rows per UTC day; volumes in major units of `currency` for plotting only. */
export function dailySeries(rows: StatisticsRow[], days: string[], currency: string): DayPoint[] {
  const byDay = new Map(rows.map((r) => [r.key, r]));
  return days.map((day) => {
    const row = byDay.get(day);
    const money = (list: Money[] | undefined) =>
      toChartNumber({ value: amountIn(list, currency), currency });
    return {
      day,
      payments: row?.count ?? 0,
      paid: row?.paidCount ?? 0,
      successRate: row && row.count > 0 ? Math.round(row.successRate * 1000) / 10 : null,
      net: money(row?.volume),
      refunded: money(row?.refundedVolume),
    };
  });
}

export interface Totals {
  count: number;
  paidCount: number;
  refundedCount: number;
  chargedBackCount: number;
  net: Money[];
  gross: Money[];
  refunded: Money[];
  chargedBack: Money[];
}

/** Sums over rows (any grouping), money per currency in integers. */
export function totals(rows: StatisticsRow[]): Totals {
  const sum = (pick: (r: StatisticsRow) => Money[]) => {
    const byCurrency = new Map<string, number>();
    for (const row of rows)
      for (const m of pick(row))
        byCurrency.set(m.currency, (byCurrency.get(m.currency) ?? 0) + m.value);
    return [...byCurrency.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, value]) => ({ currency, value }));
  };
  return {
    count: rows.reduce((n, r) => n + r.count, 0),
    paidCount: rows.reduce((n, r) => n + r.paidCount, 0),
    refundedCount: rows.reduce((n, r) => n + r.refundedCount, 0),
    chargedBackCount: rows.reduce((n, r) => n + r.chargedBackCount, 0),
    net: sum((r) => r.volume),
    gross: sum((r) => r.grossVolume),
    refunded: sum((r) => r.refundedVolume),
    chargedBack: sum((r) => r.chargedBackVolume),
  };
}
