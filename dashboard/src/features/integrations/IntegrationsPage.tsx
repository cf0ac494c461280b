import { useState } from 'react';
import {
  Badge,
  Button,
  Card,
  Group,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { IconKey, IconPlus } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { $api } from '../../api/client';
import { namesById, useAllIntegrations, useAllProviderAccounts } from '../../api/lists';
import type { Integration } from '../../api/types';
import { DateTime } from '../../components/DateTime';
import { TableScroll } from '../../components/TableScroll';
import { confirmAction, notifyError, notifySuccess } from '../../components/feedback';
import { PageHeader } from '../../components/PageHeader';
import { ResponsiveModal } from '../../components/ResponsiveModal';
import { SecretOnce } from '../../components/SecretOnce';
import { EmptyState, QueryView } from '../../components/states';
import { IntegrationForm } from './IntegrationForm';
import { WriteOnly } from '../../components/WriteOnly';

type Dialog =
  | { kind: 'new' }
  | { kind: 'edit'; integration: Integration }
  | { kind: 'key'; integration: Integration; key: string };

function IntegrationCard({
  integration,
  accountName,
  onDialog,
}: {
  integration: Integration;
  accountName: string | undefined;
  onDialog: (d: Dialog) => void;
}) {
  const queryClient = useQueryClient();
  const newKey = $api.useMutation('post', '/api/v1/admin/integrations/{id}/api-keys');
  const revoke = $api.useMutation('delete', '/api/v1/admin/integrations/{id}/api-keys/{keyId}');
  const remove = $api.useMutation('delete', '/api/v1/admin/integrations/{id}');

  const createKey = async () => {
    try {
      const created = await newKey.mutateAsync({ params: { path: { id: integration.id } } });
      notifySuccess(`Created API key ${created.id}. Copy it now.`);
      onDialog({ kind: 'key', integration, key: created.key });
      await queryClient.invalidateQueries();
    } catch (error) {
      notifyError(error, 'No key was created');
    }
  };
  const revokeKey = async (keyId: string, prefix: string) => {
    if (
      !(await confirmAction({
        title: 'Revoke this API key?',
        message: `Revoke the key ${prefix}…? Requests with it are refused from now on.`,
        confirmLabel: 'Revoke key',
        danger: true,
      }))
    )
      return;
    try {
      await revoke.mutateAsync({ params: { path: { id: integration.id, keyId } } });
      notifySuccess(`Revoked the key ${prefix}….`);
      await queryClient.invalidateQueries();
    } catch (error) {
      notifyError(error, 'The key was not revoked');
    }
  };
  const del = async () => {
    if (
      !(await confirmAction({
        title: 'Delete this integration?',
        message: `Delete ${integration.name}? Its API keys stop working.`,
        confirmLabel: 'Delete integration',
        danger: true,
      }))
    )
      return;
    try {
      await remove.mutateAsync({ params: { path: { id: integration.id } } });
      notifySuccess(`Deleted ${integration.name}.`);
      await queryClient.invalidateQueries();
    } catch (error) {
      notifyError(error, 'The integration was not deleted');
    }
  };
  const active = integration.apiKeys.filter((k) => !k.revokedAt);

  return (
    <Card
      withBorder
      component="section"
      aria-label={integration.name}
      data-integration-id={integration.id}
    >
      <Stack gap="xs">
        <div>
          <Title order={2} size="h4" className="break-anywhere">
            {integration.name}
          </Title>
          <Text size="sm" c="dimmed" className="break-anywhere">
            {integration.id}
          </Text>
        </div>
        <Text size="sm">
          Default provider account:{' '}
          {integration.defaultProviderAccountId
            ? (accountName ?? integration.defaultProviderAccountId)
            : 'none'}
          {integration.oidcClientId ? ` · OIDC client ${integration.oidcClientId}` : ''}
        </Text>
        <TableScroll minWidth={340} label={`API keys of ${integration.name}`}>
          <Table fz="sm" verticalSpacing={4} aria-label={`API keys of ${integration.name}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>API key</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {integration.apiKeys.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={4}>No API keys yet.</Table.Td>
                </Table.Tr>
              ) : null}
              {integration.apiKeys.map((key) => (
                <Table.Tr key={key.id} data-key-id={key.id}>
                  <Table.Td ff="monospace">{key.prefix}…</Table.Td>
                  <Table.Td>
                    <DateTime value={key.createdAt} format="short" />
                  </Table.Td>
                  <Table.Td>
                    {key.revokedAt ? (
                      <Badge variant="outline" color="gray" tt="none">
                        revoked
                      </Badge>
                    ) : (
                      <Badge variant="dot" color="green" tt="none">
                        active
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td ta="right">
                    {key.revokedAt ? null : (
                      <WriteOnly>
                        <Button
                          size="compact-xs"
                          variant="outline"
                          color="red"
                          onClick={() => void revokeKey(key.id, key.prefix)}
                        >
                          Revoke…
                        </Button>
                      </WriteOnly>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
        <WriteOnly>
          <Group gap="xs">
            <Button
              size="xs"
              leftSection={<IconKey size={14} aria-hidden />}
              onClick={() => void createKey()}
              loading={newKey.isPending}
            >
              New API key
            </Button>
            <Button
              size="xs"
              variant="default"
              onClick={() => onDialog({ kind: 'edit', integration })}
            >
              Edit
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
          </Group>
        </WriteOnly>
        {active.length === 0 && integration.apiKeys.length > 0 ? (
          <Text size="xs">Every key is revoked: the shop cannot call the payment API.</Text>
        ) : null}
      </Stack>
    </Card>
  );
}

export default function IntegrationsPage() {
  const integrations = useAllIntegrations();
  const accounts = useAllProviderAccounts();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const names = namesById(accounts.data);

  return (
    <Stack gap="md">
      <PageHeader
        title="Integrations and API keys"
        description="The shops that use this server. Each calls the payment API with its own API key and sees only its own payments."
        actions={
          <WriteOnly>
            <Button
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={() => setDialog({ kind: 'new' })}
            >
              Add integration
            </Button>
          </WriteOnly>
        }
      />
      <QueryView
        query={integrations}
        loading="Loading integrations…"
        isEmpty={(rows) => rows.length === 0}
        empty={
          <EmptyState title="No integrations" description="Add the shop that will take payments." />
        }
      >
        {(rows) => (
          <Stack gap="md">
            {rows.map((integration) => (
              <IntegrationCard
                key={integration.id}
                integration={integration}
                accountName={names.get(integration.defaultProviderAccountId ?? '')}
                onDialog={setDialog}
              />
            ))}
          </Stack>
        )}
      </QueryView>
      <ResponsiveModal
        opened={dialog !== null}
        onClose={() => setDialog(null)}
        size="lg"
        title={
          dialog?.kind === 'new'
            ? 'Add integration'
            : dialog?.kind === 'key'
              ? `New API key for ${dialog.integration.name}`
              : `Edit ${dialog?.integration.name ?? ''}`
        }
      >
        {dialog?.kind === 'new' ? <IntegrationForm onDone={() => setDialog(null)} /> : null}
        {dialog?.kind === 'edit' ? (
          <IntegrationForm integration={dialog.integration} onDone={() => setDialog(null)} />
        ) : null}
        {dialog?.kind === 'key' ? (
          <Stack>
            <SecretOnce label="API key (header X-Api-Key)" secret={dialog.key} />
            <Group justify="flex-end">
              <Button onClick={() => setDialog(null)}>Done</Button>
            </Group>
          </Stack>
        ) : null}
      </ResponsiveModal>
    </Stack>
  );
}
