import type { DeliveryCounts } from '../../api/types';

/** Share of finished deliveries that arrived (pending ones are not decided yet); null before any. */
export function successRate(counts: DeliveryCounts | undefined): number | null {
  if (!counts) return null;
  const decided = counts.delivered + counts.failing + counts.dead;
  return decided === 0 ? null : counts.delivered / decided;
}

export function formatRate(rate: number | null): string {
  return rate === null ? '—' : `${Math.floor(rate * 1000) / 10} %`;
}
