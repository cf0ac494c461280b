import { Badge } from '@mantine/core';

/** "enabled" / "disabled", never squeezed on a narrow card. */
export function EnabledBadge({ enabled }: { enabled: boolean }) {
  return (
    <Badge
      variant={enabled ? 'filled' : 'outline'}
      color={enabled ? 'blue' : 'gray'}
      tt="none"
      maw="none"
      style={{ flexShrink: 0 }}
      data-testid="enabled-badge"
    >
      {enabled ? 'enabled' : 'disabled'}
    </Badge>
  );
}
