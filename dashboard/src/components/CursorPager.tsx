import { Button, Group, Text } from '@mantine/core';

/**
 * Newer/Older paging over a list route's `nextCursor`: `cursors` holds the cursors of the pages
 * walked so far (empty on the first page).
 */
export function CursorPager({
  cursors,
  setCursors,
  nextCursor,
}: {
  cursors: string[];
  setCursors: (update: (cursors: string[]) => string[]) => void;
  nextCursor: string | null | undefined;
}) {
  return (
    <Group justify="space-between" gap="xs">
      <Text size="sm" c="dimmed">
        Page {cursors.length + 1}
      </Text>
      <Group gap="xs">
        <Button
          variant="default"
          disabled={cursors.length === 0}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          Newer
        </Button>
        <Button
          variant="default"
          disabled={!nextCursor}
          onClick={() => nextCursor && setCursors((c) => [...c, nextCursor])}
        >
          Older
        </Button>
      </Group>
    </Group>
  );
}
