import { fetchClient } from '../../api/client';
import type { Payment } from '../../api/types';
import { toCsv } from '../../lib/csv';
import { toDecimalString } from '../../lib/money';
import type { PaymentQuery } from './payment-filters';

/** Export stops here; narrow the filter for more. */
export const CSV_MAX_ROWS = 10_000;

const HEADER = [
  'id',
  'created_at_utc',
  'status',
  'currency',
  'amount',
  'amount_minor',
  'captured_minor',
  'refunded_minor',
  'reference',
  'description',
  'method',
  'customer_email',
  'provider',
  'provider_account_id',
  'provider_payment_id',
  'failure_code',
  'failure_message',
];

function row(p: Payment): unknown[] {
  return [
    p.id,
    p.createdAt,
    p.status,
    p.amount.currency,
    toDecimalString(p.amount.value, p.amount.currency),
    p.amount.value,
    p.amountCaptured,
    p.amountRefunded,
    p.reference,
    p.description,
    p.method,
    p.customer?.email,
    p.provider?.name,
    p.provider?.accountId,
    p.provider?.paymentId,
    p.failure?.code,
    p.failure?.message,
  ];
}

/** Every payment of the filter (all pages, up to CSV_MAX_ROWS) as CSV; `truncated` when more matched. */
export async function paymentsCsv(
  query: PaymentQuery,
  onProgress?: (rows: number) => void,
): Promise<{ csv: string; rows: number; truncated: boolean }> {
  const payments: Payment[] = [];
  let cursor: string | undefined;
  for (;;) {
    const { data, error } = await fetchClient.GET('/api/v1/admin/payments', {
      params: { query: { ...query, limit: 100, cursor } },
    });
    if (error || !data) throw error ?? new Error('empty answer');
    payments.push(...data.data);
    onProgress?.(payments.length);
    if (!data.nextCursor) break;
    if (payments.length >= CSV_MAX_ROWS)
      return {
        csv: toCsv(HEADER, payments.slice(0, CSV_MAX_ROWS).map(row)),
        rows: CSV_MAX_ROWS,
        truncated: true,
      };
    cursor = data.nextCursor;
  }
  return { csv: toCsv(HEADER, payments.map(row)), rows: payments.length, truncated: false };
}
