import { Anchor, Badge, Group, Text, Timeline } from '@mantine/core';
import { IconArrowRight, IconBell, IconReceiptRefund, IconWebhook } from '@tabler/icons-react';
import { Link } from 'react-router';
import type { PaymentEvent, ProviderWebhook, Refund } from '../../api/types';
import { DateTime } from '../../components/DateTime';
import { MoneyText } from '../../components/MoneyText';
import { StatusBadge } from '../../components/StatusBadge';
import { useProviderLabel } from '../providers/provider-catalog';
import type { PaymentNotification } from './use-payment-notifications';

type Entry =
  | { kind: 'event'; at: string; event: PaymentEvent }
  | { kind: 'refund'; at: string; refund: Refund }
  | { kind: 'notification'; at: string; notification: PaymentNotification }
  | { kind: 'webhook'; at: string; webhook: ProviderWebhook };

const SOURCE: Record<string, string> = {
  api: 'by the API',
  webhook: 'by a provider webhook',
  poll: 'by polling the provider',
};

function EventItem({ event }: { event: PaymentEvent }) {
  const subject = event.refundId ? `Refund ${event.refundId}` : 'Payment';
  return (
    <>
      <Group gap={6} wrap="wrap">
        <Text size="sm" fw={600}>
          {subject}
        </Text>
        {event.fromStatus ? <StatusBadge status={event.fromStatus} /> : null}
        <IconArrowRight size={14} aria-label="to" />
        <StatusBadge status={event.toStatus} />
        {event.ignored ? (
          <Badge color="gray" variant="outline" tt="none">
            ignored (would move backwards)
          </Badge>
        ) : null}
      </Group>
      <Text size="xs" c="dimmed">
        {SOURCE[event.source] ?? event.source}
        {event.detail ? ` · ${event.detail}` : ''}
      </Text>
    </>
  );
}

function NotificationItem({
  notification: { endpoint, delivery },
}: {
  notification: PaymentNotification;
}) {
  const target = endpoint.url ?? endpoint.exchange ?? endpoint.id;
  const last = delivery.attempts?.[0];
  return (
    <>
      <Group gap={6} wrap="wrap">
        <Text size="sm" fw={600}>
          Shop notified: {delivery.eventType}
        </Text>
        <StatusBadge status={delivery.status} />
      </Group>
      <Text size="xs" c="dimmed" className="break-anywhere">
        {target} · {delivery.attemptCount} {delivery.attemptCount === 1 ? 'attempt' : 'attempts'}
        {last?.responseCode ? ` · last answer HTTP ${last.responseCode}` : ''}
        {delivery.lastError ? ` · ${delivery.lastError}` : ''}
      </Text>
    </>
  );
}

function WebhookItem({ webhook }: { webhook: ProviderWebhook }) {
  const providerLabel = useProviderLabel();
  return (
    <>
      <Group gap={6} wrap="wrap">
        <Text size="sm" fw={600}>
          Webhook from {providerLabel(webhook.provider)}
        </Text>
        <StatusBadge status={webhook.status} />
      </Group>
      <Text size="xs" c="dimmed" className="break-anywhere">
        <Anchor component={Link} to={`/provider-webhooks/${webhook.id}`} size="xs" ff="monospace">
          {webhook.id}
        </Anchor>{' '}
        · {webhook.verified ? 'signed' : 'unsigned'} · {webhook.attempts}{' '}
        {webhook.attempts === 1 ? 'attempt' : 'attempts'}
        {webhook.error ? ` · ${webhook.error}` : ''}
      </Text>
    </>
  );
}

/**
 * Status changes, refunds, provider webhooks and shop notifications of one payment, in the
 * order they happened.
 */
export function PaymentTimeline({
  events,
  refunds,
  notifications,
  webhooks = [],
}: {
  events: PaymentEvent[];
  refunds: Refund[];
  notifications: PaymentNotification[];
  webhooks?: ProviderWebhook[];
}) {
  const entries: Entry[] = [
    ...events.map((event) => ({ kind: 'event' as const, at: event.createdAt, event })),
    ...refunds.map((refund) => ({ kind: 'refund' as const, at: refund.createdAt, refund })),
    ...notifications.map((notification) => ({
      kind: 'notification' as const,
      at: notification.delivery.createdAt,
      notification,
    })),
    ...webhooks.map((webhook) => ({ kind: 'webhook' as const, at: webhook.receivedAt, webhook })),
  ].sort((a, b) => a.at.localeCompare(b.at));

  return (
    <Timeline bulletSize={22} lineWidth={2} aria-label="Timeline">
      {entries.map((entry, index) => (
        <Timeline.Item
          key={index}
          data-kind={entry.kind}
          bullet={
            entry.kind === 'notification' ? (
              <IconBell size={12} aria-hidden />
            ) : entry.kind === 'webhook' ? (
              <IconWebhook size={12} aria-hidden />
            ) : entry.kind === 'refund' ? (
              <IconReceiptRefund size={12} aria-hidden />
            ) : null
          }
          title={
            <Text size="xs" c="dimmed">
              <DateTime value={entry.at} />
            </Text>
          }
        >
          {entry.kind === 'event' ? <EventItem event={entry.event} /> : null}
          {entry.kind === 'notification' ? (
            <NotificationItem notification={entry.notification} />
          ) : null}
          {entry.kind === 'webhook' ? <WebhookItem webhook={entry.webhook} /> : null}
          {entry.kind === 'refund' ? (
            <Text size="sm">
              <b>Refund {entry.refund.id}</b> of <MoneyText money={entry.refund.amount} /> requested
              {entry.refund.reason ? ` (${entry.refund.reason})` : ''}
            </Text>
          ) : null}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
