import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = {
  pending: 'yellow',
  authorized: 'cyan',
  paid: 'green',
  partially_refunded: 'teal',
  refunded: 'gray',
  failed: 'red',
  canceled: 'gray',
  expired: 'gray',
  charged_back: 'red',
  succeeded: 'green',
  delivered: 'green',
  failing: 'orange',
  dead: 'red',
  closed: 'green',
  open: 'red',
  half_open: 'orange',
  received: 'blue',
  processed: 'green',
  rejected: 'red',
};

/** A status in words with a coloured dot: the text stays dark, so it reads at any size (AA). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge
      variant="dot"
      color={COLORS[status] ?? 'gray'}
      tt="none"
      size="md"
      radius="sm"
      data-status={status}
      maw="none"
      style={{ flexShrink: 0 }}
    >
      {status.replace(/_/g, ' ')}
    </Badge>
  );
}
