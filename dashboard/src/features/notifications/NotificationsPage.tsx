import { useState } from 'react';
import { Anchor, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { $api } from '../../api/client';
import { namesById, useAllEndpoints, useAllIntegrations } from '../../api/lists';
import type { NotificationEndpoint } from '../../api/types';
import { confirmAction, notifyError, notifySuccess } from '../../components/feedback';
import { EnabledBadge } from '../../components/EnabledBadge';
import { PageHeader } from '../../components/PageHeader';
import { ResponsiveModal } from '../../components/ResponsiveModal';
import { EmptyState, QueryView } from '../../components/states';
import { formatRate, successRate } from './delivery-rate';
import { EndpointForm } from './EndpointForm';
import { RotateSecretForm } from './RotateSecretForm';
import { WriteOnly } from '../../components/WriteOnly';

type Dialog =
  | { kind: 'new' }
  | { kind: 'edit'; endpoint: NotificationEndpoint }
  | { kind: 'rotate'; endpoint: NotificationEndpoint };

function Counts({ id }: { id: string }) {
  const detail = $api.useQuery('get', '/api/v1/admin/notification-endpoints/{id}', {
    params: { path: { id } },
  });
  const counts = detail.data?.deliveryCounts;
  if (!counts) return <Text size="sm">{detail.isError ? 'Counts unavailable' : 'Counting…'}</Text>;
  return (
    <Text size="sm" data-testid="endpoint-counts">
      Success rate <b>{formatRate(successRate(counts))}</b> · {counts.delivered} delivered ·{' '}
      {counts.pending} pending · {counts.failing} failing · {counts.dead} dead
    </Text>
  );
}

function EndpointCard({
  endpoint,
  integration,
  onDialog,
}: {
  endpoint: NotificationEndpoint;
  integration: string;
  onDialog: (dialog: Dialog) => void;
}) {
  const queryClient = useQueryClient();
  const patch = $api.useMutation('patch', '/api/v1/admin/notification-endpoints/{id}');
  const remove = $api.useMutation('delete', '/api/v1/admin/notification-endpoints/{id}');
  const target =
    endpoint.type === 'webhook'
      ? endpoint.url
      : `exchange ${endpoint.exchange ?? 'paymentserver.events'}${endpoint.routingKeyPrefix ? `, keys ${endpoint.routingKeyPrefix}…` : ''}`;

  const toggle = async () => {
    try {
      const saved = await patch.mutateAsync({
        params: { path: { id: endpoint.id } },
        body: { enabled: !endpoint.enabled },
      });
      notifySuccess(`The endpoint is ${saved.enabled ? 'enabled' : 'disabled'}.`);
      await queryClient.invalidateQueries();
    } catch (error) {
      notifyError(error);
    }
  };
  const del = async () => {
    if (
      !(await confirmAction({
        title: 'Delete this endpoint?',
        message: `Delete the endpoint ${target} and its delivery history? The shop gets no more notifications there.`,
        confirmLabel: 'Delete endpoint',
        danger: true,
      }))
    )
      return;
    try {
      await remove.mutateAsync({ params: { path: { id: endpoint.id } } });
      notifySuccess('Deleted the endpoint.');
      await queryClient.invalidateQueries();
    } catch (error) {
      notifyError(error, 'The endpoint was not deleted');
    }
  };

  return (
    <Card
      withBorder
      component="section"
      aria-label={`Endpoint ${target}`}
      data-endpoint-id={endpoint.id}
    >
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <div style={{ minWidth: 0 }}>
            <Title order={2} size="h5" className="break-anywhere">
              {target}
            </Title>
            <Text size="sm" c="dimmed">
              {endpoint.type === 'webhook' ? 'HTTP webhook' : 'RabbitMQ'} · {integration}
            </Text>
          </div>
          <EnabledBadge enabled={endpoint.enabled} />
        </Group>
        {endpoint.disabledReason ? (
          <Text size="sm" c="red.9">
            Disabled by the server: {endpoint.disabledReason}
          </Text>
        ) : null}
        <Text size="sm">Events: {endpoint.events.join(', ')}</Text>
        <Counts id={endpoint.id} />
        <Group gap="xs">
          <Button size="xs" component={Link} to={`/notifications/${endpoint.id}`}>
            Deliveries
          </Button>
          <WriteOnly>
            <Button
              size="xs"
              variant="default"
              onClick={() => onDialog({ kind: 'edit', endpoint })}
            >
              Edit
            </Button>
            {endpoint.type === 'webhook' ? (
              <Button
                size="xs"
                variant="default"
                onClick={() => onDialog({ kind: 'rotate', endpoint })}
              >
                Rotate secret…
              </Button>
            ) : null}
            <Button
              size="xs"
              variant="default"
              onClick={() => void toggle()}
              loading={patch.isPending}
            >
              {endpoint.enabled ? 'Disable' : 'Enable'}
            </Button>
            <Button
              size="xs"
              variant="outline"
              color="red"
              onClick={() => void del()}
              loading={remove.isPending}
            >
              Delete…
            </Button>
          </WriteOnly>
        </Group>
      </Stack>
    </Card>
  );
}

export default function NotificationsPage() {
  const endpoints = useAllEndpoints();
  const integrations = useAllIntegrations();
  const totals = $api.useQuery('get', '/api/v1/admin/notification-endpoints/stats');
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const names = namesById(integrations.data);

  return (
    <Stack gap="md">
      <PageHeader
        title="Notifications"
        description="Where each shop hears about its payments' status changes: signed HTTP webhooks or RabbitMQ, at least once."
        actions={
          <WriteOnly>
            <Button
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={() => setDialog({ kind: 'new' })}
            >
              Add endpoint
            </Button>
          </WriteOnly>
        }
      />
      {totals.data ? (
        <Text size="sm">
          All endpoints: success rate <b>{formatRate(successRate(totals.data))}</b> ·{' '}
          {totals.data.delivered} delivered · {totals.data.pending} pending · {totals.data.failing}{' '}
          failing · {totals.data.dead} dead
        </Text>
      ) : null}
      <QueryView
        query={endpoints}
        loading="Loading endpoints…"
        isEmpty={(rows) => rows.length === 0}
        empty={
          <EmptyState
            title="No notification endpoints"
            description="Add one so a shop hears when its payments are paid, failed or refunded."
          />
        }
      >
        {(rows) => (
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {rows.map((endpoint) => (
              <EndpointCard
                key={endpoint.id}
                endpoint={endpoint}
                integration={names.get(endpoint.integrationId) ?? endpoint.integrationId}
                onDialog={setDialog}
              />
            ))}
          </SimpleGrid>
        )}
      </QueryView>
      <Text size="sm">
        Shops verify webhooks as described by{' '}
        <Anchor href="https://www.standardwebhooks.com/" target="_blank" rel="noopener noreferrer">
          Standard Webhooks
        </Anchor>
        .
      </Text>
      <ResponsiveModal
        opened={dialog !== null}
        onClose={() => setDialog(null)}
        size="lg"
        title={
          dialog?.kind === 'new'
            ? 'Add notification endpoint'
            : dialog?.kind === 'rotate'
              ? 'Rotate the signing secret'
              : 'Edit notification endpoint'
        }
      >
        {dialog?.kind === 'new' ? <EndpointForm onDone={() => setDialog(null)} /> : null}
        {dialog?.kind === 'edit' ? (
          <EndpointForm endpoint={dialog.endpoint} onDone={() => setDialog(null)} />
        ) : null}
        {dialog?.kind === 'rotate' ? (
          <RotateSecretForm endpoint={dialog.endpoint} onDone={() => setDialog(null)} />
        ) : null}
      </ResponsiveModal>
    </Stack>
  );
}
