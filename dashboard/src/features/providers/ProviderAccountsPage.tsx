import { useState } from 'react';
import { Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { $api } from '../../api/client';
import { namesById, useAllIntegrations, useAllProviderAccounts } from '../../api/lists';
import type { ProviderAccount } from '../../api/types';
import { CopyField } from '../../components/CopyField';
import { confirmAction, notifyError, notifySuccess } from '../../components/feedback';
import { EnabledBadge } from '../../components/EnabledBadge';
import { PageHeader } from '../../components/PageHeader';
import { ResponsiveModal } from '../../components/ResponsiveModal';
import { EmptyState, QueryView } from '../../components/states';
import { providerInfo, providerLabel, useProviderCatalog } from './provider-catalog';
import { ProviderAccountForm } from './ProviderAccountForm';
import { WriteOnly } from '../../components/WriteOnly';
import { AccountHealthPanel } from './AccountHealthPanel';
import { TestConnectionButton } from './TestConnectionButton';

/** Which integrations may use the account, by name. */
function AllowedIntegrations({ ids }: { ids: string[] | null }) {
  const integrations = useAllIntegrations();
  const names = namesById(integrations.data);
  return (
    <Text size="sm" data-testid="allowed-integrations">
      Integrations:{' '}
      {ids && ids.length > 0
        ? ids.map((id) => names.get(id) ?? id).join(', ')
        : 'every integration'}
    </Text>
  );
}

function AccountCard({ account, onEdit }: { account: ProviderAccount; onEdit: () => void }) {
  const queryClient = useQueryClient();
  const patch = $api.useMutation('patch', '/api/v1/admin/provider-accounts/{id}');
  const remove = $api.useMutation('delete', '/api/v1/admin/provider-accounts/{id}');
  const providers = useProviderCatalog().data?.data;
  const info = providerInfo(providers, account.provider);
  const timeout = account.settings.requestTimeoutMs;

  const toggle = async () => {
    try {
      const saved = await patch.mutateAsync({
        params: { path: { id: account.id } },
        body: { enabled: !account.enabled },
      });
      notifySuccess(`${saved.name} is ${saved.enabled ? 'enabled' : 'disabled'}.`);
      await queryClient.invalidateQueries();
    } catch (error) {
      notifyError(error);
    }
  };
  const del = async () => {
    const confirmed = await confirmAction({
      title: 'Delete this provider account?',
      message: `Delete ${account.name}? Only an account without payments can be deleted; disable one that has them.`,
      confirmLabel: 'Delete account',
      danger: true,
    });
    if (!confirmed) return;
    try {
      await remove.mutateAsync({ params: { path: { id: account.id } } });
      notifySuccess(`Deleted ${account.name}.`);
      await queryClient.invalidateQueries();
    } catch (error) {
      notifyError(error, 'The account was not deleted');
    }
  };

  return (
    <Card withBorder data-account-id={account.id} aria-label={account.name} component="section">
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <div style={{ minWidth: 0 }}>
            <Title order={2} size="h4" className="break-anywhere">
              {account.name}
            </Title>
            <Text size="sm" c="dimmed">
              {providerLabel(account.provider, providers)} ·{' '}
              <span className="break-anywhere">{account.id}</span>
            </Text>
          </div>
          <Group gap={4} wrap="wrap" justify="flex-end">
            <Badge
              variant="outline"
              color={account.testMode ? 'gray' : 'blue'}
              tt="none"
              maw="none"
              style={{ flexShrink: 0 }}
            >
              {account.testMode ? 'test mode' : 'live'}
            </Badge>
            <EnabledBadge enabled={account.enabled} />
          </Group>
        </Group>
        <div>
          <Text size="xs" fw={600} c="dimmed">
            Webhook URL (register it at {providerLabel(account.provider, providers)})
          </Text>
          <CopyField value={account.webhookUrl} label="webhook URL" />
        </div>
        {info && info.credentials.length > 0 ? (
          <Text size="sm">
            Credentials:{' '}
            {info.credentials
              .filter((f) => f.required)
              .map((f) => `${f.label} set`)
              .join(' · ')}{' '}
            <Text span size="xs" c="dimmed">
              (write-only)
            </Text>
          </Text>
        ) : null}
        <Text size="sm">
          Timeout: {typeof timeout === 'number' ? `${timeout} ms` : 'server default'}
          {account.provider === 'test'
            ? ` · failure mode: ${String(account.settings.failureMode ?? 'none')}`
            : ''}
          {account.baseUrl ? ` · base URL ${account.baseUrl}` : ''}
        </Text>
        <AllowedIntegrations ids={account.integrationIds} />
        <AccountHealthPanel accountId={account.id} name={account.name} />
        <TestConnectionButton
          accountId={account.id}
          providerName={providerLabel(account.provider, providers)}
        />
        <WriteOnly>
          <Group gap="xs" mt="xs">
            <Button size="xs" variant="default" onClick={onEdit}>
              Edit
            </Button>
            <Button
              size="xs"
              variant="default"
              onClick={() => void toggle()}
              loading={patch.isPending}
            >
              {account.enabled ? 'Disable' : 'Enable'}
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
      </Stack>
    </Card>
  );
}

export default function ProviderAccountsPage() {
  const accounts = useAllProviderAccounts();
  const [editing, setEditing] = useState<ProviderAccount | 'new' | null>(null);

  return (
    <Stack gap="md">
      <PageHeader
        title="Provider accounts"
        description="Your contracts with payment service providers. Routing rules send payments to these accounts."
        actions={
          <WriteOnly>
            <Button
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={() => setEditing('new')}
            >
              Add account
            </Button>
          </WriteOnly>
        }
      />
      <QueryView
        query={accounts}
        loading="Loading provider accounts…"
        isEmpty={(rows) => rows.length === 0}
        empty={
          <EmptyState
            title="No provider accounts"
            description="Add the account of your PSP to take payments through it."
          />
        }
      >
        {(rows) => (
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            {rows.map((account) => (
              <AccountCard key={account.id} account={account} onEdit={() => setEditing(account)} />
            ))}
          </SimpleGrid>
        )}
      </QueryView>
      <ResponsiveModal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? 'Add provider account' : `Edit ${editing?.name ?? ''}`}
        size="lg"
      >
        {editing !== null ? (
          <ProviderAccountForm
            account={editing === 'new' ? undefined : editing}
            onDone={() => setEditing(null)}
          />
        ) : null}
      </ResponsiveModal>
    </Stack>
  );
}
