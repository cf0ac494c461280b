import { useState } from 'react';
import { Anchor, List, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { $api, fetchClient } from '../../api/client';
import { useAllEndpoints, useAllProviderAccounts } from '../../api/lists';
import { LoadingState } from '../../components/states';
import {
  attentionProblems,
  countWebhooks,
  paymentsNeedingAttention,
  WEBHOOK_PROBLEM_STATUSES,
  webhookProblems,
  type OpenProblem as Problem,
} from './open-problems';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Things an operator should look at, each with a link: notification endpoints that fail or
 * were disabled, provider accounts whose circuit is open, provider webhooks failing, dead or
 * rejected, payments needing attention (a provider report our records contradict; a refund,
 * capture or cancel the provider has not settled in time), payments stuck in pending or waiting
 * for capture.
 */
export function OpenProblems() {
  const endpoints = useAllEndpoints();
  const accounts = useAllProviderAccounts();
  const [dayAgo] = useState(() => new Date(Date.now() - DAY_MS).toISOString());
  const stuck = $api.useQuery('get', '/api/v1/admin/payments/totals', {
    params: { query: { status: 'pending', createdTo: dayAgo } },
  });
  const uncaptured = $api.useQuery('get', '/api/v1/admin/payments/totals', {
    params: { query: { status: 'authorized', createdTo: dayAgo } },
  });
  const checks = useQuery({
    queryKey: ['open-problems', endpoints.data?.map((e) => e.id), accounts.data?.map((a) => a.id)],
    enabled: Boolean(endpoints.data && accounts.data),
    queryFn: async () => {
      const found: Problem[] = [];
      for (const endpoint of endpoints.data ?? []) {
        const target = endpoint.url ?? endpoint.exchange ?? endpoint.id;
        if (endpoint.disabledReason) {
          found.push({
            key: `ep-${endpoint.id}`,
            text: `Notification endpoint ${target} was disabled: ${endpoint.disabledReason}`,
            to: `/notifications/${endpoint.id}`,
          });
          continue;
        }
        const { data } = await fetchClient.GET('/api/v1/admin/notification-endpoints/{id}', {
          params: { path: { id: endpoint.id } },
        });
        const counts = data?.deliveryCounts;
        if (counts && (counts.failing > 0 || counts.dead > 0)) {
          found.push({
            key: `ep-${endpoint.id}`,
            text: `Notification endpoint ${target}: ${counts.failing} failing and ${counts.dead} dead deliveries`,
            to: `/notifications/${endpoint.id}`,
          });
        }
      }
      for (const account of accounts.data ?? []) {
        const { data } = await fetchClient.GET('/api/v1/admin/provider-accounts/{id}/health', {
          params: { path: { id: account.id } },
        });
        if (data && data.state !== 'closed') {
          found.push({
            key: `pa-${account.id}`,
            text: `Provider account ${account.name}: circuit ${data.state.replace('_', ' ')} after ${data.consecutiveFailures} failures (${data.lastFailure ?? 'no detail'})`,
            to: '/provider-accounts',
          });
        }
      }
      return found;
    },
  });

  const webhooks = useQuery({
    queryKey: ['open-problems', 'provider-webhooks'],
    queryFn: async () =>
      webhookProblems(
        await Promise.all(
          WEBHOOK_PROBLEM_STATUSES.map(async (status) => ({
            status,
            ...(await countWebhooks(status)),
          })),
        ),
      ),
  });
  const attention = useQuery({
    queryKey: ['open-problems', 'needs-attention'],
    queryFn: async () => {
      const { payments, total } = await paymentsNeedingAttention();
      return attentionProblems(payments, total);
    },
  });

  const problems: Problem[] = [
    ...(checks.data ?? []),
    ...(webhooks.data ?? []),
    ...(attention.data ?? []),
  ];
  if (stuck.data && stuck.data.count > 0) {
    problems.push({
      key: 'stuck',
      text: `${stuck.data.count} payments pending for more than a day`,
      to: `/payments?status=pending&createdTo=${dayAgo.slice(0, 10)}`,
    });
  }
  if (uncaptured.data && uncaptured.data.count > 0) {
    problems.push({
      key: 'uncaptured',
      text: `${uncaptured.data.count} authorized payments waiting for capture for more than a day`,
      to: `/payments?status=authorized&createdTo=${dayAgo.slice(0, 10)}`,
    });
  }

  if (
    (checks.isPending &&
      (endpoints.isPending || accounts.isPending || checks.fetchStatus === 'fetching')) ||
    webhooks.isPending ||
    attention.isPending
  )
    return <LoadingState label="Checking for problems…" />;
  const failed =
    checks.isError ||
    endpoints.isError ||
    accounts.isError ||
    webhooks.isError ||
    attention.isError;
  const incomplete = failed ? (
    <Text size="sm" data-testid="checks-failed">
      Some checks could not run; try again later.
    </Text>
  ) : null;
  if (problems.length === 0)
    return (
      incomplete ?? (
        <Text size="sm" data-testid="no-problems">
          Nothing needs attention.
        </Text>
      )
    );
  return (
    <>
      <List spacing="xs" size="sm" data-testid="problems">
        {problems.map((p) => (
          <List.Item key={p.key} data-problem={p.key}>
            {p.to ? (
              <Anchor component={Link} to={p.to} className="break-anywhere">
                {p.text}
              </Anchor>
            ) : (
              <Text span size="sm">
                {p.text}
              </Text>
            )}
          </List.Item>
        ))}
      </List>
      {incomplete}
    </>
  );
}
