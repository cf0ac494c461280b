import type { ReactNode } from 'react';
import {
  Alert,
  Anchor,
  Box,
  Card,
  Code,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { $api } from '../../api/client';
import { namesById, useAllProviderAccounts } from '../../api/lists';
import type { ProviderWebhookDetail } from '../../api/types';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { ErrorState, LoadingState } from '../../components/states';
import { StatusBadge } from '../../components/StatusBadge';
import { TableScroll } from '../../components/TableScroll';
import { useProviderLabel } from '../providers/provider-catalog';
import { prettyBody, STATUS_HELP } from './inbox-filters';
import { ReplayButton } from './ReplayButton';
import { WriteOnly } from '../../components/WriteOnly';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600}>
        {label}
      </Text>
      <div className="break-anywhere fact-value">{children}</div>
    </div>
  );
}

function Headers({ headers }: { headers: Record<string, string> }) {
  const entries = Object.entries(headers).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <Text size="sm">No headers were kept.</Text>;
  return (
    <TableScroll minWidth={340} label="Headers">
      <Table verticalSpacing={4} fz="sm" aria-label="Headers">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Header</Table.Th>
            <Table.Th>Value</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map(([name, value]) => (
            <Table.Tr key={name}>
              <Table.Td ff="monospace">{name}</Table.Td>
              <Table.Td
                ff="monospace"
                className="break-anywhere"
                data-masked={value === '[REDACTED]' || undefined}
              >
                {value}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </TableScroll>
  );
}

function WebhookView({ webhook }: { webhook: ProviderWebhookDetail }) {
  const providerLabel = useProviderLabel();
  const queryClient = useQueryClient();
  const accounts = useAllProviderAccounts();
  const accountName = namesById(accounts.data).get(webhook.providerAccountId);
  const queryKey = [
    'get',
    '/api/v1/admin/provider-webhooks/{id}',
    { params: { path: { id: webhook.id } } },
  ];

  return (
    <Stack gap="md">
      <Anchor component={Link} to="/provider-webhooks" size="sm">
        ← Provider webhooks
      </Anchor>
      <PageHeader
        title={
          <>
            Webhook from {providerLabel(webhook.provider)} <StatusBadge status={webhook.status} />
          </>
        }
        description={
          <Text span ff="monospace" className="break-anywhere">
            {webhook.id}
          </Text>
        }
        actions={
          <WriteOnly>
            <ReplayButton
              webhook={webhook}
              onReplayed={(after) => queryClient.setQueryData(queryKey, after)}
            />
          </WriteOnly>
        }
      />
      {webhook.error ? (
        <Alert
          color={webhook.status === 'processed' ? 'gray' : 'red'}
          variant="outline"
          icon={<IconAlertTriangle aria-hidden />}
          title={webhook.status === 'processed' ? 'Earlier error' : 'Why it is not applied'}
          data-testid="webhook-error"
        >
          <span className="break-anywhere">{webhook.error}</span>
        </Alert>
      ) : null}
      <Card withBorder>
        <SimpleGrid cols={{ base: 2, md: 3 }} spacing="md" verticalSpacing="sm">
          <Fact label="Status">
            {webhook.status}: {STATUS_HELP[webhook.status]}
          </Fact>
          <Fact label="Signature">
            {webhook.verified
              ? 'signed and verified'
              : "unsigned (the provider's state is fetched)"}
          </Fact>
          <Fact label="Provider account">
            <Anchor
              component={Link}
              to={`/provider-webhooks?providerAccountId=${encodeURIComponent(webhook.providerAccountId)}`}
              size="sm"
            >
              {accountName ?? webhook.providerAccountId}
            </Anchor>
          </Fact>
          <Fact label="Payment">
            {webhook.paymentId ? (
              <Anchor
                component={Link}
                to={`/payments/${webhook.paymentId}`}
                ff="monospace"
                size="sm"
              >
                {webhook.paymentId}
              </Anchor>
            ) : (
              'none named'
            )}
          </Fact>
          <Fact label="Attempts">{webhook.attempts}</Fact>
          <Fact label="Received">
            <DateTime value={webhook.receivedAt} />
          </Fact>
          <Fact label="Last attempt">
            <DateTime value={webhook.lastAttemptAt} />
          </Fact>
          <Fact label="Processed">
            <DateTime value={webhook.processedAt} />
          </Fact>
          <Fact label="Next attempt">
            <DateTime value={webhook.nextAttemptAt} />
          </Fact>
        </SimpleGrid>
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb={4}>
          Headers
        </Title>
        <Text size="xs" c="dimmed" mb="xs">
          Signature, authorization, token, key and cookie values are masked.
        </Text>
        <Headers headers={webhook.headers} />
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb={4}>
          Body
        </Title>
        <Text size="xs" c="dimmed" mb="xs">
          As received; signatures, secrets, tokens and card-like numbers masked.
        </Text>
        {/* A named, focusable region: keyboard users can scroll a long body too. */}
        <Box
          role="region"
          aria-label="Webhook body"
          tabIndex={0}
          className="table-scroll"
          mah={480}
          style={{ overflowY: 'auto' }}
        >
          <Code
            block
            data-testid="webhook-body"
            style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
          >
            {prettyBody(webhook.body)}
          </Code>
        </Box>
      </Card>
    </Stack>
  );
}

export default function ProviderWebhookDetailPage() {
  const { id = '' } = useParams();
  const webhook = $api.useQuery('get', '/api/v1/admin/provider-webhooks/{id}', {
    params: { path: { id } },
  });
  if (webhook.isPending) return <LoadingState label="Loading the webhook…" />;
  if (webhook.isError)
    return (
      <Stack>
        <Anchor component={Link} to="/provider-webhooks">
          ← Provider webhooks
        </Anchor>
        <ErrorState
          title={`Webhook ${id}`}
          error={webhook.error}
          onRetry={() => void webhook.refetch()}
        />
      </Stack>
    );
  return <WebhookView webhook={webhook.data} />;
}
