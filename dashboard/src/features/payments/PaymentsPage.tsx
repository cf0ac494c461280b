import { useState } from 'react';
import { Anchor, Button, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconDownload } from '@tabler/icons-react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { $api } from '../../api/client';
import type { Payment } from '../../api/types';
import { DateTime } from '../../components/DateTime';
import { notifyError, notifySuccess } from '../../components/feedback';
import { MoneyText } from '../../components/MoneyText';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, QueryView } from '../../components/states';
import { TableScroll } from '../../components/TableScroll';
import { StatusBadge } from '../../components/StatusBadge';
import { download } from '../../lib/csv';
import { useProviderLabel } from '../providers/provider-catalog';
import {
  classifySearch,
  filtersFromSearch,
  filtersToSearch,
  toApiQuery,
  type PaymentFilters,
} from './payment-filters';
import { PaymentFiltersForm } from './PaymentFiltersForm';
import { PaymentTotals } from './PaymentTotals';
import { paymentsCsv } from './payments-csv';
import { CursorPager } from '../../components/CursorPager';

const PAGE_SIZE = 25;

/** On a phone: one compact card per payment instead of a wide table. */
function PaymentsList({ payments }: { payments: Payment[] }) {
  const providerLabel = useProviderLabel();
  return (
    <Stack gap="xs" role="list" aria-label="Payments">
      {payments.map((p) => (
        <Paper key={p.id} withBorder p="sm" role="listitem" data-payment-id={p.id}>
          <Group justify="space-between" wrap="nowrap" gap="xs">
            <Text fw={700}>
              <MoneyText money={p.amount} />
            </Text>
            <StatusBadge status={p.status} />
          </Group>
          <Anchor
            component={Link}
            to={`/payments/${p.id}`}
            ff="monospace"
            size="sm"
            className="break-anywhere"
          >
            {p.id}
          </Anchor>
          <Text size="xs" c="dimmed" className="break-anywhere">
            {[p.reference, p.customer?.email, providerLabel(p.provider?.name)]
              .filter(Boolean)
              .join(' · ')}
          </Text>
          <Text size="xs" c="dimmed">
            <DateTime value={p.createdAt} />
          </Text>
        </Paper>
      ))}
    </Stack>
  );
}

function PaymentsTable({ payments }: { payments: Payment[] }) {
  const providerLabel = useProviderLabel();
  return (
    <TableScroll minWidth={760} label="Payments">
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="Payments">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Created</Table.Th>
            <Table.Th>Payment</Table.Th>
            <Table.Th>Customer</Table.Th>
            <Table.Th ta="right">Amount</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Provider</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {payments.map((p) => (
            <Table.Tr key={p.id} data-payment-id={p.id}>
              <Table.Td>
                <DateTime value={p.createdAt} />
              </Table.Td>
              <Table.Td>
                <Anchor component={Link} to={`/payments/${p.id}`} ff="monospace" size="sm">
                  {p.id}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {p.reference}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{p.customer?.email ?? '—'}</Text>
              </Table.Td>
              <Table.Td ta="right">
                <MoneyText money={p.amount} />
              </Table.Td>
              <Table.Td>
                <StatusBadge status={p.status} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{providerLabel(p.provider?.name)}</Text>
                <Text size="xs" c="dimmed">
                  {p.method ?? 'any method'}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </TableScroll>
  );
}

export default function PaymentsPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const navigate = useNavigate();
  const filters = filtersFromSearch(searchParams);
  const { query } = toApiQuery(filters);
  // Cursor paging: the cursors of the pages before this one, to go back.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const page = $api.useQuery(
    'get',
    '/api/v1/admin/payments',
    { params: { query: { ...query, limit: PAGE_SIZE, cursor } } },
    { placeholderData: (previous) => previous },
  );
  const [exporting, setExporting] = useState<number | null>(null);
  const phone = useMediaQuery('(max-width: 48em)');

  const apply = (next: PaymentFilters) => {
    const search = classifySearch(next.search);
    if (search?.kind === 'id') {
      navigate(`/payments/${search.value}`);
      return;
    }
    setCursors([]);
    setSearchParams(filtersToSearch(next));
  };

  const exportCsv = async () => {
    setExporting(0);
    try {
      const result = await paymentsCsv(query, setExporting);
      download(`payments-${new Date().toISOString().slice(0, 10)}.csv`, result.csv);
      notifySuccess(
        result.truncated
          ? `Exported the first ${result.rows} payments; narrow the filter for the rest.`
          : `Exported ${result.rows} payments.`,
      );
    } catch (error) {
      notifyError(error, 'The export failed');
    } finally {
      setExporting(null);
    }
  };

  return (
    <Stack gap="md">
      <PageHeader
        title="Payments"
        description="Every payment of every integration, newest first."
        actions={
          <Button
            variant="default"
            leftSection={<IconDownload size={16} aria-hidden />}
            onClick={() => void exportCsv()}
            loading={exporting !== null}
            loaderProps={{ type: 'dots' }}
          >
            Export CSV
          </Button>
        }
      />
      <PaymentFiltersForm key={searchParams.toString()} initial={filters} onApply={apply} />
      <PaymentTotals query={query} />
      <QueryView
        query={page}
        loading="Loading payments…"
        isEmpty={(data) => data.data.length === 0 && cursors.length === 0}
        empty={
          <EmptyState
            title="No payments"
            description={
              searchParams.size > 0
                ? 'No payment matches these filters.'
                : 'Payments appear here as soon as a shop creates one.'
            }
          />
        }
      >
        {(data) => (
          <Stack gap="sm">
            {phone ? <PaymentsList payments={data.data} /> : <PaymentsTable payments={data.data} />}
            <CursorPager cursors={cursors} setCursors={setCursors} nextCursor={data.nextCursor} />
          </Stack>
        )}
      </QueryView>
    </Stack>
  );
}
