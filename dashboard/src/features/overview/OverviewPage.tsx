import { useState } from 'react';
import {
  Box,
  Card,
  Group,
  Progress,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { BarChart, CompositeChart } from '@mantine/charts';
import { useSearchParams } from 'react-router';
import { $api } from '../../api/client';
import type { StatisticsRow } from '../../api/types';
import { TableScroll } from '../../components/TableScroll';
import { MoneyText } from '../../components/MoneyText';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { currencyExponent } from '../../lib/currency';
import { daysAgo } from '../../lib/dates';
import { formatMoney, type Money } from '../../lib/money';
import { useProviderLabel } from '../providers/provider-catalog';
import { currenciesOf, dailySeries, totals, utcDays } from './overview-data';
import { OpenProblems } from './OpenProblems';

const PERIODS = ['7', '30', '90'];

function Kpi({
  label,
  children,
  testId,
}: {
  label: string;
  children: React.ReactNode;
  testId?: string;
}) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={testId}>
        {children}
      </Text>
    </Card>
  );
}

/** A chart with a name for assistive technology (the figure), its data shown in words nearby. */
function Chart({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Box component="figure" m={0} aria-label={label}>
      {children}
    </Box>
  );
}

function MoneyList({ list, skipZero = false }: { list: Money[]; skipZero?: boolean }) {
  if (skipZero) list = list.filter((m) => m.value !== 0);
  if (list.length === 0) return <>—</>;
  return (
    <>
      {list.map((m, i) => (
        <span key={m.currency}>
          {i > 0 ? ' · ' : ''}
          <MoneyText money={m} />
        </span>
      ))}
    </>
  );
}

const percent = (part: number, whole: number) =>
  whole === 0 ? '—' : `${Math.round((part / whole) * 1000) / 10} %`;

function Conversion({ byStatus }: { byStatus: StatisticsRow[] }) {
  const count = (status: string) => byStatus.find((r) => r.key === status)?.count ?? 0;
  const created = byStatus.reduce((n, r) => n + r.count, 0);
  const paid = byStatus.reduce((n, r) => n + r.paidCount, 0);
  const steps = [
    { label: 'Created', value: created },
    { label: 'Paid', value: paid },
  ];
  const lost = [
    ['failed', count('failed')],
    ['canceled', count('canceled')],
    ['expired', count('expired')],
    ['still pending or authorized', count('pending') + count('authorized')],
  ] as const;
  return (
    <Stack gap="xs">
      {steps.map((s) => (
        <div key={s.label}>
          <Group justify="space-between">
            <Text size="sm">{s.label}</Text>
            <Text size="sm" fw={600}>
              {s.value} ({percent(s.value, created)})
            </Text>
          </Group>
          <Progress
            value={created ? (s.value / created) * 100 : 0}
            aria-label={`${s.label}: ${percent(s.value, created)}`}
          />
        </div>
      ))}
      <Text size="xs">Not paid: {lost.map(([label, n]) => `${n} ${label}`).join(', ')}.</Text>
    </Stack>
  );
}

export default function OverviewPage() {
  const providerLabel = useProviderLabel();
  const [params, setParams] = useSearchParams();
  const days = PERIODS.includes(params.get('days') ?? '') ? params.get('days')! : '30';
  // Whole UTC days, as the statistics group them.
  const from = `${daysAgo(Number(days) - 1).slice(0, 10)}T00:00:00.000Z`;
  const byDay = $api.useQuery('get', '/api/v1/admin/stats', {
    params: { query: { groupBy: 'day', from } },
  });
  const byProvider = $api.useQuery('get', '/api/v1/admin/stats', {
    params: { query: { groupBy: 'provider', from } },
  });
  const byStatus = $api.useQuery('get', '/api/v1/admin/stats', {
    params: { query: { groupBy: 'status', from } },
  });
  const [chosenCurrency, setCurrency] = useState<string | null>(null);

  const header = (
    <PageHeader
      title="Overview"
      description="Payments created in the period (UTC days), their outcome and volume."
      actions={
        <SegmentedControl
          aria-label="Period"
          value={days}
          onChange={(value) => setParams({ days: value })}
          data={PERIODS.map((d) => ({ value: d, label: `${d} days` }))}
        />
      }
    />
  );

  const problems = (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        Open problems
      </Title>
      <OpenProblems />
    </Card>
  );

  if (byDay.isPending || byProvider.isPending || byStatus.isPending) {
    return (
      <Stack>
        {header}
        <LoadingState label="Loading statistics…" />
      </Stack>
    );
  }
  if (byDay.isError || byProvider.isError || byStatus.isError) {
    return (
      <Stack>
        {header}
        <ErrorState
          error={byDay.error ?? byProvider.error ?? byStatus.error}
          onRetry={() =>
            void Promise.all([byDay.refetch(), byProvider.refetch(), byStatus.refetch()])
          }
        />
      </Stack>
    );
  }

  const sum = totals(byProvider.data.data);
  const currencies = currenciesOf(byDay.data.data);
  const currency =
    chosenCurrency && currencies.includes(chosenCurrency)
      ? chosenCurrency
      : (currencies[0] ?? 'EUR');
  const daily = dailySeries(byDay.data.data, utcDays(from), currency);
  const money = (value: number) =>
    formatMoney({ value: Math.round(value * 10 ** currencyDigits(currency)), currency });
  const providers = byProvider.data.data
    .filter((r) => r.key !== 'none')
    .map((r) => ({
      provider: providerLabel(r.key),
      payments: r.count,
      paid: r.paidCount,
      successRate: Math.round(r.successRate * 1000) / 10,
      volume: r.volume,
    }));
  const noRoute = byProvider.data.data.find((r) => r.key === 'none');

  return (
    <Stack gap="md">
      {header}
      {sum.count === 0 ? (
        <EmptyState
          title="No payments in this period"
          description="The charts fill as soon as shops create payments."
        />
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, xs: 2, lg: 4 }} spacing="sm">
            <Kpi label="Payments" testId="kpi-payments">
              {sum.count}
            </Kpi>
            <Kpi label="Success rate" testId="kpi-success">
              {percent(sum.paidCount, sum.count)}
            </Kpi>
            <Kpi label="Net volume" testId="kpi-net">
              <MoneyList list={sum.net} />
            </Kpi>
            <Kpi label="Refunds and chargebacks" testId="kpi-refunds">
              {sum.refundedCount} refunded · {sum.chargedBackCount} charged back
            </Kpi>
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            <Card withBorder>
              <Group justify="space-between" mb="xs" wrap="wrap">
                <Title order={2} size="h4">
                  Net volume per day
                </Title>
                {currencies.length > 1 ? (
                  <Select
                    aria-label="Currency"
                    size="xs"
                    w={110}
                    data={currencies}
                    value={currency}
                    onChange={setCurrency}
                    allowDeselect={false}
                  />
                ) : null}
              </Group>
              <Chart label={`Net volume and refunds per day in ${currency}`}>
                <BarChart
                  h={240}
                  data={daily}
                  dataKey="day"
                  type="stacked"
                  series={[
                    { name: 'net', label: `Net (${currency})`, color: 'blue.8' },
                    { name: 'refunded', label: `Refunded (${currency})`, color: 'orange.8' },
                  ]}
                  valueFormatter={money}
                  withLegend
                  tickLine="y"
                  xAxisProps={{ tickFormatter: shortDay }}
                />
              </Chart>
            </Card>
            <Card withBorder>
              <Title order={2} size="h4" mb="xs">
                Payments and success rate per day
              </Title>
              <Chart label="Payments, paid payments and success rate per day">
                <CompositeChart
                  h={240}
                  data={daily}
                  dataKey="day"
                  series={[
                    { name: 'payments', label: 'Payments', color: 'indigo.8', type: 'bar' },
                    { name: 'paid', label: 'Paid', color: 'teal.9', type: 'bar' },
                    {
                      name: 'successRate',
                      label: 'Success rate (%)',
                      color: 'orange.9',
                      type: 'line',
                      yAxisId: 'right',
                    },
                  ]}
                  withRightYAxis
                  rightYAxisProps={{ domain: [0, 100], unit: ' %' }}
                  withLegend
                  curveType="linear"
                  connectNulls
                  tickLine="y"
                  xAxisProps={{ tickFormatter: shortDay }}
                />
              </Chart>
            </Card>
            <Card withBorder>
              <Title order={2} size="h4" mb="xs">
                Per provider
              </Title>
              {providers.length === 0 ? (
                <Text size="sm">No provider took a payment in this period.</Text>
              ) : (
                <>
                  <Chart label="Payments and paid payments per provider">
                    <BarChart
                      h={180}
                      data={providers}
                      dataKey="provider"
                      series={[
                        { name: 'payments', label: 'Payments', color: 'indigo.8' },
                        { name: 'paid', label: 'Paid', color: 'teal.9' },
                      ]}
                      withLegend
                      tickLine="y"
                    />
                  </Chart>
                  <TableScroll minWidth={320} label="Per provider">
                    <Table fz="sm" verticalSpacing={4} mt="sm" aria-label="Per provider">
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>Provider</Table.Th>
                          <Table.Th ta="right">Payments</Table.Th>
                          <Table.Th ta="right">Success rate</Table.Th>
                          <Table.Th ta="right">Net volume</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {providers.map((p) => (
                          <Table.Tr key={p.provider}>
                            <Table.Td>{p.provider}</Table.Td>
                            <Table.Td ta="right">{p.payments}</Table.Td>
                            <Table.Td ta="right">{p.successRate} %</Table.Td>
                            <Table.Td ta="right">
                              <MoneyList list={p.volume} />
                            </Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </TableScroll>
                </>
              )}
              {noRoute ? (
                <Text size="xs" mt="xs">
                  {noRoute.count} payments were taken by no provider (declined or no route).
                </Text>
              ) : null}
            </Card>
            <Stack gap="md">
              <Card withBorder>
                <Title order={2} size="h4" mb="xs">
                  Conversion
                </Title>
                <Conversion byStatus={byStatus.data.data} />
              </Card>
              <Card withBorder>
                <Title order={2} size="h4" mb="xs">
                  Refunds and chargebacks
                </Title>
                <Text size="sm">
                  Captured <MoneyList list={sum.gross} />
                </Text>
                <Text size="sm">
                  Refunded <MoneyList list={sum.refunded} skipZero /> in{' '}
                  {plural(sum.refundedCount, 'payment')}
                </Text>
                <Text size="sm">
                  Charged back <MoneyList list={sum.chargedBack} skipZero /> in{' '}
                  {plural(sum.chargedBackCount, 'payment')}
                </Text>
              </Card>
            </Stack>
          </SimpleGrid>
        </>
      )}
      {problems}
    </Stack>
  );
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function shortDay(day: string): string {
  return day.slice(5);
}

function currencyDigits(currency: string): number {
  return currencyExponent(currency) ?? 2;
}
