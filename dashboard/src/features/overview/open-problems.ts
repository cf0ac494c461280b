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

/** Statuses in which a payment can have a capture, cancel or refund left open at the provider. */
export const ATTENTION_STATUSES = ['authorized', 'paid', 'partially_refunded'] as const;
const ATTENTION_PAGES = 3;
export const ATTENTION_SHOWN = 5;

/**
 * Payments with `needsAttention` (refunds, captures or cancels the provider has not settled in
 * time). The list API cannot filter on it, so the newest payments in the statuses that can
 * have one are read: up to ATTENTION_PAGES pages of 100 per status.
 */
export async function paymentsNeedingAttention(): Promise<{
  payments: AdminPayment[];
  complete: boolean;
}> {
  const found: AdminPayment[] = [];
  let complete = true;
  for (const status of ATTENTION_STATUSES) {
    let cursor: string | undefined;
    for (let page = 0; ; page++) {
      if (page === ATTENTION_PAGES) {
        complete = false;
        break;
      }
      const { data, error } = await fetchClient.GET('/api/v1/admin/payments', {
        params: { query: { status, limit: 100, cursor } },
      });
      if (error || !data) throw error ?? new Error('empty answer');
      found.push(...data.data.filter((p) => p.needsAttention));
      if (!data.nextCursor) break;
      cursor = data.nextCursor;
    }
  }
  found.sort((a, b) => a.needsAttention!.since.localeCompare(b.needsAttention!.since));
  return { payments: found, complete };
}

/** The oldest few payments needing attention, each linked; the rest counted. */
export function attentionProblems(payments: AdminPayment[], complete: boolean): OpenProblem[] {
  const problems: OpenProblem[] = payments.slice(0, ATTENTION_SHOWN).map((p) => {
    const operations = p.needsAttention!.operations;
    const kinds = [...new Set(operations.map((o) => o.type))].join(' and ');
    return {
      key: `attention-${p.id}`,
      text: `Payment ${p.id} (${formatMoney(p.amount)}): ${operations.length} open ${kinds} ${operations.length === 1 ? 'needs' : 'need'} attention. ${p.needsAttention!.reason}`,
      to: `/payments/${p.id}`,
    };
  });
  const rest = payments.length - problems.length;
  if (rest > 0 || !complete)
    problems.push({
      key: 'attention-more',
      text: complete
        ? `${rest} more ${rest === 1 ? 'payment needs' : 'payments need'} attention (marked in their payment pages)`
        : `${rest > 0 ? `${rest} more payments need attention; ` : ''}only the newest payments were checked`,
    });
  return problems;
}
