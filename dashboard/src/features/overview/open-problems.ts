import { fetchClient } from '../../api/client';
import type { AdminPayment, ProviderWebhookStatus } from '../../api/types';
import { formatMoney } from '../../lib/money';

export interface OpenProblem {
  key: string;
  text: string;
  /** Where to look at it; none when there is no screen that shows just these. */
  to?: string;
}

/** Inbox statuses an operator should look at: not applied and not going to be by itself. */
export const WEBHOOK_PROBLEM_STATUSES = ['failed', 'dead', 'rejected'] as const;

const WEBHOOK_WORDS: Record<(typeof WEBHOOK_PROBLEM_STATUSES)[number], string> = {
  failed: 'failing (retried automatically)',
  dead: 'dead (given up; replay them)',
  rejected: 'rejected (their signed fields contradict the payment)',
};

/** One problem per inbox status with webhooks in it; `more` when the count is a lower bound. */
export function webhookProblems(
  counts: { status: (typeof WEBHOOK_PROBLEM_STATUSES)[number]; count: number; more: boolean }[],
): OpenProblem[] {
  return counts
    .filter((c) => c.count > 0)
    .map((c) => ({
      key: `whk-${c.status}`,
      text: `${c.count}${c.more ? '+' : ''} provider ${c.count === 1 && !c.more ? 'webhook' : 'webhooks'} ${WEBHOOK_WORDS[c.status]}`,
      to: `/provider-webhooks?status=${c.status}`,
    }));
}

/** How many inbox webhooks have `status` (counted up to one page of 100). */
export async function countWebhooks(
  status: ProviderWebhookStatus,
): Promise<{ count: number; more: boolean }> {
  const { data, error } = await fetchClient.GET('/api/v1/admin/provider-webhooks', {
    params: { query: { status, limit: 100 } },
  });
  if (error || !data) throw error ?? new Error('empty answer');
  return { count: data.data.length, more: Boolean(data.nextCursor) };
}

export const ATTENTION_SHOWN = 5;
/** One page of the filtered list: the oldest few of it are shown, all of them are counted. */
const ATTENTION_READ = 100;

/**
 * Payments with `needsAttention` (a provider report our records contradict; refunds, captures or
 * cancels the provider has not settled in time), found by the list's own `needsAttention=true` filter, oldest problem first, and how
 * many there are in all (the totals of the same filter).
 */
export async function paymentsNeedingAttention(): Promise<{
  payments: AdminPayment[];
  total: number;
}> {
  const [list, totals] = await Promise.all([
    fetchClient.GET('/api/v1/admin/payments', {
      params: { query: { needsAttention: true, limit: ATTENTION_READ } },
    }),
    fetchClient.GET('/api/v1/admin/payments/totals', {
      params: { query: { needsAttention: true } },
    }),
  ]);
  if (list.error || !list.data) throw list.error ?? new Error('empty answer');
  if (totals.error || !totals.data) throw totals.error ?? new Error('empty answer');
  const payments = list.data.data.filter((p) => p.needsAttention);
  payments.sort((a, b) => a.needsAttention!.since.localeCompare(b.needsAttention!.since));
  return { payments, total: Math.max(totals.data.count, payments.length) };
}

/**
 * What a payment needing attention is about, in one line: a contradiction the provider reported
 * in its own words (money may have moved), else its open operations and the oldest one's reason.
 */
function attentionText(p: AdminPayment): string {
  const { reason, operations } = p.needsAttention!;
  const head = `Payment ${p.id} (${formatMoney(p.amount)})`;
  const contradiction = operations.find((o) => o.type === 'contradiction');
  const open = operations.filter((o) => o.type !== 'contradiction');
  const kinds = [...new Set(open.map((o) => o.type))].join(' and ');
  const waiting = `${open.length} open ${kinds} ${open.length === 1 ? 'needs' : 'need'} attention`;
  if (!contradiction) return `${head}: ${waiting}. ${reason}`;
  return `${head}: ${contradiction.why}${open.length > 0 ? `. Also ${waiting}` : ''}`;
}

/** The oldest few payments needing attention, each linked; the rest counted and linked. */
export function attentionProblems(payments: AdminPayment[], total: number): OpenProblem[] {
  const problems: OpenProblem[] = payments.slice(0, ATTENTION_SHOWN).map((p) => ({
    key: `attention-${p.id}`,
    text: attentionText(p),
    to: `/payments/${p.id}`,
  }));
  const rest = total - problems.length;
  if (rest > 0)
    problems.push({
      key: 'attention-more',
      text: `${rest} more ${rest === 1 ? 'payment needs' : 'payments need'} attention`,
      to: '/payments?needsAttention=true',
    });
  return problems;
}
