import { Table, Text } from '@mantine/core';
import { $api } from '../../api/client';
import type { RoutingRule } from '../../api/types';
import { TableScroll } from '../../components/TableScroll';
import { daysAgo } from '../../lib/dates';
import { toPercentages } from './weights';

const WINDOW_DAYS = 30;

/** Configured share of each target next to the share it actually got (last 30 days, by provider account). */
export function RuleSplit({
  rule,
  accountNames,
}: {
  rule: RoutingRule;
  accountNames: Map<string, string>;
}) {
  const stats = $api.useQuery('get', '/api/v1/admin/stats', {
    params: { query: { groupBy: 'account', ruleId: rule.id, from: daysAgo(WINDOW_DAYS) } },
  });
  const configured = toPercentages(rule.targets.map((t) => t.weight));
  const rows = stats.data?.data ?? [];
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  const observed = (id: string) => rows.find((r) => r.key === id)?.count ?? 0;
  const accounts = [
    ...rule.targets.map((t) => t.providerAccountId),
    ...rows
      .map((r) => r.key)
      .filter((key) => !rule.targets.some((t) => t.providerAccountId === key)),
  ];

  return (
    <TableScroll minWidth={320} label={`Split of ${rule.name}`}>
      <Table verticalSpacing={4} fz="sm" aria-label={`Split of ${rule.name}`}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Account</Table.Th>
            <Table.Th ta="right">Configured</Table.Th>
            <Table.Th ta="right">Observed ({WINDOW_DAYS} days)</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {accounts.map((id) => {
            const index = rule.targets.findIndex((t) => t.providerAccountId === id);
            const count = observed(id);
            return (
              <Table.Tr key={id}>
                <Table.Td className="break-anywhere">
                  {accountNames.get(id) ?? id}
                  {index === -1 ? ' (fallback)' : ''}
                </Table.Td>
                <Table.Td ta="right">{index === -1 ? '—' : `${configured[index]} %`}</Table.Td>
                <Table.Td ta="right" data-testid={`observed-${id}`}>
                  {stats.isPending
                    ? '…'
                    : total === 0
                      ? '—'
                      : `${Math.round((count / total) * 100)} % (${count})`}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {stats.isError ? <Text size="xs">Observed split unavailable.</Text> : null}
      {stats.isSuccess && total === 0 ? (
        <Text size="xs" c="dimmed">
          No payments took this rule in the last {WINDOW_DAYS} days.
        </Text>
      ) : null}
    </TableScroll>
  );
}
