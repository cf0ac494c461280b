import { Fragment, useState } from 'react';
import {
  ActionIcon,
  Anchor,
  Button,
  Code,
  Group,
  Select,
  Stack,
  Table,
  Text,
  VisuallyHidden,
} from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { $api } from '../../api/client';
import type { NotificationDelivery } from '../../api/types';
import { DateTime } from '../../components/DateTime';
import { notifyError, notifySuccess } from '../../components/feedback';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, ErrorState, QueryView } from '../../components/states';
import { TableScroll } from '../../components/TableScroll';
import { StatusBadge } from '../../components/StatusBadge';
import { formatRate, successRate } from './delivery-rate';
import { WriteOnly } from '../../components/WriteOnly';

const STATUSES = ['all', 'pending', 'failing', 'delivered', 'dead'] as const;
type StatusFilter = (typeof STATUSES)[number];

function Attempts({ delivery }: { delivery: NotificationDelivery }) {
  if (!delivery.attempts?.length) return <Text size="sm">No attempt yet.</Text>;
  return (
    <Table fz="xs" verticalSpacing={2} aria-label="Attempts">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Started</Table.Th>
          <Table.Th>Outcome</Table.Th>
          <Table.Th>Answer</Table.Th>
          <Table.Th ta="right">Latency</Table.Th>
          <Table.Th>Error</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {delivery.attempts.map((a, i) => (
          <Table.Tr key={i}>
            <Table.Td>
              <DateTime value={a.startedAt} />
            </Table.Td>
            <Table.Td>
              <StatusBadge status={a.outcome} />
            </Table.Td>
            <Table.Td>{a.responseCode ? `HTTP ${a.responseCode}` : '—'}</Table.Td>
            <Table.Td ta="right">
              {a.durationMs !== null && a.durationMs !== undefined ? `${a.durationMs} ms` : '—'}
            </Table.Td>
            <Table.Td className="break-anywhere">{a.error ? <Code>{a.error}</Code> : '—'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function DeliveryRow({
  endpointId,
  delivery,
}: {
  endpointId: string;
  delivery: NotificationDelivery;
}) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const retry = $api.useMutation(
    'post',
    '/api/v1/admin/notification-endpoints/{id}/deliveries/{deliveryId}/retry',
  );
  const run = async () => {
    try {
      await retry.mutateAsync({ params: { path: { id: endpointId, deliveryId: delivery.id } } });
      notifySuccess(`Sending ${delivery.eventType} for ${delivery.paymentId} again.`);
      await queryClient.invalidateQueries();
    } catch (error) {
      notifyError(error, 'The delivery was not retried');
    }
  };
  return (
    <Fragment>
      <Table.Tr data-delivery-id={delivery.id}>
        <Table.Td>
          <ActionIcon
            variant="subtle"
            onClick={() => setOpen((o) => !o)}
            aria-expanded={open}
            aria-label={open ? 'Hide attempts' : 'Show attempts'}
          >
            {open ? (
              <IconChevronDown size={16} aria-hidden />
            ) : (
              <IconChevronRight size={16} aria-hidden />
            )}
          </ActionIcon>
        </Table.Td>
        <Table.Td>
          <DateTime value={delivery.createdAt} format="short" />
        </Table.Td>
        <Table.Td>
          <Anchor component={Link} to={`/payments/${delivery.paymentId}`} ff="monospace" size="sm">
            {delivery.paymentId}
          </Anchor>
          <Text size="xs" c="dimmed">
            {delivery.eventType}
          </Text>
        </Table.Td>
        <Table.Td>
          <StatusBadge status={delivery.status} />
        </Table.Td>
        <Table.Td>
          <Text size="sm">
            {delivery.attemptCount} {delivery.attemptCount === 1 ? 'attempt' : 'attempts'}
          </Text>
          <Text size="xs" c="dimmed">
            {delivery.lastResponseCode
              ? `last: HTTP ${delivery.lastResponseCode}`
              : delivery.lastError
                ? 'last: no answer'
                : 'not tried yet'}
          </Text>
        </Table.Td>
        <Table.Td>
          {delivery.status === 'delivered' ? (
            <DateTime value={delivery.deliveredAt} format="short" />
          ) : (
            <DateTime value={delivery.nextAttemptAt} format="short" />
          )}
        </Table.Td>
        <Table.Td ta="right">
          <WriteOnly>
            <Button
              size="xs"
              variant="default"
              onClick={() => void run()}
              loading={retry.isPending}
            >
              {delivery.status === 'delivered' ? 'Re-send' : 'Retry now'}
            </Button>
          </WriteOnly>
        </Table.Td>
      </Table.Tr>
      {open ? (
        <Table.Tr>
          <Table.Td colSpan={7}>
            <Attempts delivery={delivery} />
          </Table.Td>
        </Table.Tr>
      ) : null}
    </Fragment>
  );
}

export default function EndpointDeliveriesPage() {
  const { id = '' } = useParams();
  const [status, setStatus] = useState<StatusFilter>('all');
  const [cursors, setCursors] = useState<string[]>([]);
  const endpoint = $api.useQuery('get', '/api/v1/admin/notification-endpoints/{id}', {
    params: { path: { id } },
  });
  const deliveries = $api.useQuery(
    'get',
    '/api/v1/admin/notification-endpoints/{id}/deliveries',
    {
      params: {
        path: { id },
        query: {
          limit: 25,
          cursor: cursors[cursors.length - 1],
          ...(status === 'all' ? {} : { status }),
        },
      },
    },
    { placeholderData: (previous) => previous },
  );
  const e = endpoint.data;

  return (
    <Stack gap="md">
      <Anchor component={Link} to="/notifications" size="sm">
        ← Notifications
      </Anchor>
      <PageHeader
        title="Deliveries"
        description={
          e ? (
            <span className="break-anywhere">
              {e.url ?? e.exchange} · success rate {formatRate(successRate(e.deliveryCounts))}
            </span>
          ) : undefined
        }
      />
      {endpoint.isError ? (
        <ErrorState error={endpoint.error} onRetry={() => void endpoint.refetch()} />
      ) : null}
      <Select
        label="Status"
        w={240}
        maw="100%"
        allowDeselect={false}
        value={status}
        onChange={(value) => {
          setStatus((value ?? 'all') as StatusFilter);
          setCursors([]);
        }}
        data={STATUSES.map((s) => ({
          value: s,
          label:
            s === 'all'
              ? 'All'
              : `${s[0]!.toUpperCase()}${s.slice(1)}${e?.deliveryCounts ? ` (${e.deliveryCounts[s]})` : ''}`,
        }))}
      />
      <QueryView
        query={deliveries}
        loading="Loading deliveries…"
        isEmpty={(data) => data.data.length === 0 && cursors.length === 0}
        empty={
          <EmptyState
            title="No deliveries"
            description={
              status === 'all'
                ? 'Notifications appear here when payments of this integration change status.'
                : `No ${status} deliveries.`
            }
          />
        }
      >
        {(data) => (
          <Stack gap="sm">
            <TableScroll minWidth={760} label="Deliveries">
              <Table verticalSpacing="xs" aria-label="Deliveries">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>
                      <VisuallyHidden>Details</VisuallyHidden>
                    </Table.Th>
                    <Table.Th>Created</Table.Th>
                    <Table.Th>Payment and event</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Attempts</Table.Th>
                    <Table.Th>Delivered / next try</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.data.map((delivery) => (
                    <DeliveryRow key={delivery.id} endpointId={id} delivery={delivery} />
                  ))}
                </Table.Tbody>
              </Table>
            </TableScroll>
            <Group justify="flex-end" gap="xs">
              <Button
                variant="default"
                disabled={cursors.length === 0}
                onClick={() => setCursors((c) => c.slice(0, -1))}
              >
                Newer
              </Button>
              <Button
                variant="default"
                disabled={!data.nextCursor}
                onClick={() => data.nextCursor && setCursors((c) => [...c, data.nextCursor!])}
              >
                Older
              </Button>
            </Group>
          </Stack>
        )}
      </QueryView>
    </Stack>
  );
}
