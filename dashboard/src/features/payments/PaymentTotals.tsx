import { Group, Paper, Text } from '@mantine/core';
import { $api } from '../../api/client';
import { MoneyText } from '../../components/MoneyText';
import { ErrorState } from '../../components/states';
import type { PaymentQuery } from './payment-filters';

/** Counts and sums of every payment the filter matches (not only this page), per currency. */
export function PaymentTotals({ query }: { query: PaymentQuery }) {
  const { limit: _limit, cursor: _cursor, ...filters } = query;
  const totals = $api.useQuery('get', '/api/v1/admin/payments/totals', {
    params: { query: filters },
  });
  if (totals.isPending)
    return (
      <Text size="sm" c="dimmed">
        Totalling…
      </Text>
    );
  if (totals.isError)
    return (
      <ErrorState
        title="Totals unavailable"
        error={totals.error}
        onRetry={() => void totals.refetch()}
      />
    );
  const { count, data } = totals.data;
  return (
    <Paper withBorder p="sm" aria-label="Totals for this filter" role="region">
      <Group gap="lg" wrap="wrap">
        <Text size="sm">
          <b data-testid="total-count">{count}</b> {count === 1 ? 'payment' : 'payments'} match
        </Text>
        {data.map((t) => (
          <Text size="sm" key={t.currency} data-testid={`totals-${t.currency}`}>
            <b>{t.currency}</b>: <MoneyText money={t.amount} /> in {t.count} · captured{' '}
            <MoneyText money={t.captured} /> · refunded <MoneyText money={t.refunded} /> · net{' '}
            <MoneyText money={t.net} />
          </Text>
        ))}
      </Group>
    </Paper>
  );
}
