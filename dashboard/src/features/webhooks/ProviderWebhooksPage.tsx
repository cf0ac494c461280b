import { useState } from 'react';
import { Anchor, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link, useSearchParams } from 'react-router';
import { $api } from '../../api/client';
import { namesById, useAllProviderAccounts } from '../../api/lists';
import type { ProviderWebhook } from '../../api/types';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, QueryView } from '../../components/states';
import { StatusBadge } from '../../components/StatusBadge';
import { TableScroll } from '../../components/TableScroll';
import { useProviderLabel } from '../providers/provider-catalog';
import {
  inboxApiQuery,
  inboxFiltersFromSearch,
  inboxFiltersToSearch,
  type InboxFilters,
} from './inbox-filters';
import { InboxFiltersForm } from './InboxFiltersForm';
import { CursorPager } from '../../components/CursorPager';

const PAGE_SIZE = 25;

function WebhookRow({ webhook, accountName }: { webhook: ProviderWebhook; accountName?: string }) {
  const providerLabel = useProviderLabel();
  return (
    <Table.Tr data-webhook-id={webhook.id}>
      <Table.Td>
        <DateTime value={webhook.receivedAt} format="short" />
      </Table.Td>
      <Table.Td>
        <Anchor
          component={Link}
          to={`/provider-webhooks/${webhook.id}`}
          ff="monospace"
          size="sm"
          aria-label={`Webhook ${webhook.id}`}
        >
          {webhook.id}
        </Anchor>
        <Text size="xs" c="dimmed">
          {providerLabel(webhook.provider)} · {accountName ?? webhook.providerAccountId}
        </Text>
      </Table.Td>
      <Table.Td>
        {webhook.paymentId ? (
          <Anchor component={Link} to={`/payments/${webhook.paymentId}`} ff="monospace" size="sm">
            {webhook.paymentId}
          </Anchor>
        ) : (
          <Text size="sm">—</Text>
        )}
      </Table.Td>
      <Table.Td>
        <StatusBadge status={webhook.status} />
        <Text size="xs" c="dimmed">
          {webhook.verified ? 'signed' : 'unsigned'} · {webhook.attempts}{' '}
          {webhook.attempts === 1 ? 'attempt' : 'attempts'}
        </Text>
      </Table.Td>
      <Table.Td className="break-anywhere">
        <Text size="sm" lineClamp={2}>
          {webhook.error ?? '—'}
        </Text>
        {webhook.nextAttemptAt ? (
          <Text size="xs" c="dimmed">
            next try <DateTime value={webhook.nextAttemptAt} format="short" />
          </Text>
        ) : null}
      </Table.Td>
    </Table.Tr>
  );
}

/** On a phone: one compact card per webhook instead of a wide table. */
function WebhookCards({
  webhooks,
  names,
}: {
  webhooks: ProviderWebhook[];
  names: Map<string, string>;
}) {
  const providerLabel = useProviderLabel();
  return (
    <Stack gap="xs" role="list" aria-label="Provider webhooks">
      {webhooks.map((webhook) => (
        <Paper key={webhook.id} withBorder p="sm" role="listitem" data-webhook-id={webhook.id}>
          <Group justify="space-between" wrap="nowrap" gap="xs">
            <Text size="sm" fw={600}>
              {providerLabel(webhook.provider)}
            </Text>
            <StatusBadge status={webhook.status} />
          </Group>
          <Anchor
            component={Link}
            to={`/provider-webhooks/${webhook.id}`}
            ff="monospace"
            size="sm"
            className="break-anywhere"
            aria-label={`Webhook ${webhook.id}`}
          >
            {webhook.id}
          </Anchor>
          <Text size="xs" c="dimmed" className="break-anywhere">
            {names.get(webhook.providerAccountId) ?? webhook.providerAccountId} ·{' '}
            {webhook.paymentId ?? 'no payment'} · {webhook.attempts}{' '}
            {webhook.attempts === 1 ? 'attempt' : 'attempts'}
          </Text>
          {webhook.error ? (
            <Text size="xs" className="break-anywhere" lineClamp={2}>
              {webhook.error}
            </Text>
          ) : null}
          <Text size="xs" c="dimmed">
            <DateTime value={webhook.receivedAt} />
          </Text>
        </Paper>
      ))}
    </Stack>
  );
}

/** The provider webhook inbox: what each PSP sent, whether it was applied, and why not. */
export default function ProviderWebhooksPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = inboxFiltersFromSearch(searchParams);
  // The cursors of the pages before this one (to go back), for these filters only.
  const filterKey = searchParams.toString();
  const [paging, setPaging] = useState<{ key: string; cursors: string[] }>({
    key: filterKey,
    cursors: [],
  });
  const cursors = paging.key === filterKey ? paging.cursors : [];
  const setCursors = (update: (c: string[]) => string[]) =>
    setPaging({ key: filterKey, cursors: update(cursors) });
  const accounts = useAllProviderAccounts();
  const names = namesById(accounts.data);
  const list = $api.useQuery(
    'get',
    '/api/v1/admin/provider-webhooks',
    { params: { query: inboxApiQuery(filters, cursors[cursors.length - 1], PAGE_SIZE) } },
    { placeholderData: (previous) => previous },
  );
  const filtered = Object.values(filters).some(Boolean);
  const phone = useMediaQuery('(max-width: 48em)');

  const apply = (next: InboxFilters) => setSearchParams(inboxFiltersToSearch(next));

  return (
    <Stack gap="md">
      <PageHeader
        title="Provider webhooks"
        description="What the PSPs sent, newest first: applied, failing (retried), dead or rejected. Open one to see its body and replay it."
      />
      <InboxFiltersForm
        // A new URL (a link from the overview, Back) starts the form afresh.
        key={filterKey}
        initial={filters}
        accounts={accounts.data ?? []}
        onApply={apply}
      />
      <QueryView
        query={list}
        loading="Loading provider webhooks…"
        isEmpty={(data) => data.data.length === 0 && cursors.length === 0}
        empty={
          <EmptyState
            title={filtered ? 'No webhooks match these filters' : 'No provider webhooks yet'}
            description={
              filtered
                ? 'Clear a filter to see more.'
                : "They appear here when a PSP calls an account's webhook URL."
            }
          />
        }
      >
        {(data) => (
          <Stack gap="sm">
            {phone ? (
              <WebhookCards webhooks={data.data} names={names} />
            ) : (
              <TableScroll minWidth={820} label="Provider webhooks">
                <Table verticalSpacing="xs" striped aria-label="Provider webhooks">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Received</Table.Th>
                      <Table.Th>Webhook</Table.Th>
                      <Table.Th>Payment</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>Last error</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.data.map((webhook) => (
                      <WebhookRow
                        key={webhook.id}
                        webhook={webhook}
                        accountName={names.get(webhook.providerAccountId)}
                      />
                    ))}
                  </Table.Tbody>
                </Table>
              </TableScroll>
            )}
            <CursorPager cursors={cursors} setCursors={setCursors} nextCursor={data.nextCursor} />
          </Stack>
        )}
      </QueryView>
    </Stack>
  );
}
