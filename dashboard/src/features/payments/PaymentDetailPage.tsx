import type { ReactNode } from 'react';
import {
  Alert,
  Anchor,
  Card,
  Code,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconAlertTriangle, IconExternalLink } from '@tabler/icons-react';
import { Link, useParams } from 'react-router';
import { $api } from '../../api/client';
import { namesById, useAllProviderAccounts, useAllRoutingRules } from '../../api/lists';
import type { Payment, Refund } from '../../api/types';
import { DateTime } from '../../components/DateTime';
import { MoneyText } from '../../components/MoneyText';
import { PageHeader } from '../../components/PageHeader';
import { ErrorState, LoadingState } from '../../components/states';
import { TableScroll } from '../../components/TableScroll';
import { StatusBadge } from '../../components/StatusBadge';
import { pspDashboardUrl, useProviderLabel } from '../providers/provider-catalog';
import { failureText, providerPaymentId, refundable } from './payment-facts';
import { PaymentActions } from './PaymentActions';
import { PaymentTimeline } from './PaymentTimeline';
import { RoutingDecision } from './RoutingDecision';
import { usePaymentNotifications } from './use-payment-notifications';
import { WriteOnly } from '../../components/WriteOnly';
import { NeedsAttention } from './NeedsAttention';

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

function Summary({
  payment,
  refunds,
  testMode,
  accountName,
}: {
  payment: Payment;
  refunds: Refund[];
  testMode: boolean | undefined;
  accountName: string | undefined;
}) {
  const providerLabel = useProviderLabel();
  const currency = payment.amount.currency;
  const pspId = providerPaymentId(payment);
  const pspUrl = payment.provider ? pspDashboardUrl(payment.provider.name, pspId, testMode) : null;
  return (
    <Card withBorder>
      <SimpleGrid cols={{ base: 2, md: 3 }} spacing="md" verticalSpacing="sm">
        <Fact label="Amount">
          <MoneyText money={payment.amount} />
        </Fact>
        <Fact label="Captured">
          <MoneyText money={{ value: payment.amountCaptured, currency }} />
        </Fact>
        <Fact label="Refunded">
          <MoneyText money={{ value: payment.amountRefunded, currency }} />
        </Fact>
        <Fact label="Refundable">
          <span data-testid="refundable">
            <MoneyText money={{ value: refundable(payment, refunds).value, currency }} />
          </span>
        </Fact>
        <Fact label="Reference">{payment.reference}</Fact>
        <Fact label="Description">{payment.description}</Fact>
        <Fact label="Method">{payment.method ?? 'chosen by the customer'}</Fact>
        <Fact label="Capture">{payment.captureMode}</Fact>
        <Fact label="Customer">
          {[payment.customer?.name, payment.customer?.email, payment.customer?.country]
            .filter(Boolean)
            .join(' · ') || '—'}
        </Fact>
        <Fact label="Provider">
          {providerLabel(payment.provider?.name)}
          {payment.provider ? (
            <Text size="xs" c="dimmed">
              account {accountName ?? payment.provider.accountId}
            </Text>
          ) : null}
        </Fact>
        <Fact label="PSP payment id">
          {pspId ? <Code>{pspId}</Code> : '—'}
          {pspUrl ? (
            <Anchor
              href={pspUrl}
              target="_blank"
              rel="noopener noreferrer"
              size="sm"
              display="block"
            >
              Open in {providerLabel(payment.provider?.name)}{' '}
              <IconExternalLink size={12} aria-hidden />
            </Anchor>
          ) : null}
        </Fact>
        <Fact label="Created">
          <DateTime value={payment.createdAt} />
        </Fact>
        <Fact label="Updated">
          <DateTime value={payment.updatedAt} />
        </Fact>
        {payment.metadata && Object.keys(payment.metadata).length > 0 ? (
          <Fact label="Metadata">
            {Object.entries(payment.metadata).map(([key, value]) => (
              <Text size="sm" key={key}>
                {key}: {value}
              </Text>
            ))}
          </Fact>
        ) : null}
      </SimpleGrid>
    </Card>
  );
}

function RefundsTable({ refunds }: { refunds: Refund[] }) {
  if (refunds.length === 0) return <Text size="sm">No refunds.</Text>;
  return (
    <TableScroll minWidth={520} label="Refunds">
      <Table aria-label="Refunds" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Refund</Table.Th>
            <Table.Th ta="right">Amount</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Reason</Table.Th>
            <Table.Th>Created</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {refunds.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td ff="monospace">{r.id}</Table.Td>
              <Table.Td ta="right">
                <MoneyText money={r.amount} />
              </Table.Td>
              <Table.Td>
                <StatusBadge status={r.status} />
              </Table.Td>
              <Table.Td>{r.reason ?? '—'}</Table.Td>
              <Table.Td>
                <DateTime value={r.createdAt} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </TableScroll>
  );
}

export default function PaymentDetailPage() {
  const { id = '' } = useParams();
  const path = { params: { path: { id } } };
  const payment = $api.useQuery('get', '/api/v1/admin/payments/{id}', path);
  const events = $api.useQuery('get', '/api/v1/admin/payments/{id}/events', path);
  const refunds = $api.useQuery('get', '/api/v1/admin/payments/{id}/refunds', path);
  const accounts = useAllProviderAccounts();
  const rules = useAllRoutingRules();
  const notifications = usePaymentNotifications(payment.data);
  // The provider webhooks that named this payment (the inbox, newest first; one page of 100).
  const webhooks = $api.useQuery('get', '/api/v1/admin/provider-webhooks', {
    params: { query: { paymentId: id, limit: 100 } },
  });

  if (payment.isPending) return <LoadingState label="Loading the payment…" />;
  if (payment.isError) {
    return (
      <Stack>
        <Anchor component={Link} to="/payments">
          ← Payments
        </Anchor>
        <ErrorState
          title={`Payment ${id}`}
          error={payment.error}
          onRetry={() => void payment.refetch()}
        />
      </Stack>
    );
  }
  const p = payment.data;
  const refundRows = refunds.data?.data ?? [];
  const account = accounts.data?.find((a) => a.id === p.provider?.accountId);
  const failure = failureText(p);

  return (
    <Stack gap="md">
      <Anchor component={Link} to="/payments" size="sm">
        ← Payments
      </Anchor>
      <PageHeader
        title={
          <Group gap="sm" component="span" wrap="wrap">
            <MoneyText money={p.amount} />
            <StatusBadge status={p.status} />
          </Group>
        }
        description={
          <Text span ff="monospace" className="break-anywhere">
            {p.id}
          </Text>
        }
      />
      {failure ? (
        <Alert
          color="red"
          variant="outline"
          icon={<IconAlertTriangle aria-hidden />}
          title="Payment failed"
          data-testid="failure"
        >
          {failure}
        </Alert>
      ) : null}
      {p.needsAttention ? (
        <NeedsAttention
          payment={p}
          pspUrl={
            p.provider
              ? pspDashboardUrl(p.provider.name, providerPaymentId(p), account?.testMode)
              : null
          }
        />
      ) : null}
      <Summary
        payment={p}
        refunds={refundRows}
        testMode={account?.testMode}
        accountName={account?.name}
      />
      {refunds.isSuccess ? (
        <WriteOnly>
          <PaymentActions payment={p} refunds={refundRows} />
        </WriteOnly>
      ) : null}
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          Routing decision
        </Title>
        <RoutingDecision
          payment={p}
          accountNames={namesById(accounts.data)}
          ruleNames={namesById(rules.data)}
        />
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          Refunds
        </Title>
        {refunds.isError ? (
          <ErrorState error={refunds.error} onRetry={() => void refunds.refetch()} />
        ) : refunds.isPending ? (
          <LoadingState label="Loading refunds…" />
        ) : (
          <RefundsTable refunds={refundRows} />
        )}
      </Card>
      <Card withBorder>
        <Group justify="space-between" align="baseline" mb="xs" gap="xs">
          <Title order={2} size="h4">
            Timeline
          </Title>
          <Anchor component={Link} to={`/provider-webhooks?paymentId=${p.id}`} size="sm">
            Provider webhooks of this payment
          </Anchor>
        </Group>
        {events.isError ? (
          <ErrorState error={events.error} onRetry={() => void events.refetch()} />
        ) : events.isPending ? (
          <LoadingState label="Loading the history…" />
        ) : (
          <>
            <PaymentTimeline
              events={events.data.data}
              refunds={refundRows}
              notifications={notifications.data?.notifications ?? []}
              webhooks={webhooks.data?.data ?? []}
            />
            {webhooks.isError ? (
              <Text size="xs" mt="sm">
                Provider webhooks could not be loaded.
              </Text>
            ) : null}
            {webhooks.data?.nextCursor ? (
              <Text size="xs" mt="sm">
                Only the 100 most recent provider webhooks are shown.
              </Text>
            ) : null}
            {notifications.isError ? (
              <Text size="xs" mt="sm">
                Shop notifications could not be loaded.
              </Text>
            ) : null}
            {notifications.data && !notifications.data.complete ? (
              <Text size="xs" mt="sm">
                Only the most recent shop notifications are shown.
              </Text>
            ) : null}
          </>
        )}
      </Card>
    </Stack>
  );
}
