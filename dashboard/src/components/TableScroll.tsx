import type { ReactNode } from 'react';
import { Box } from '@mantine/core';

/**
 * A table that scrolls sideways inside its own box on narrow screens (the page itself never
 * does). The box is a named, focusable region, so keyboard users can scroll it too.
 */
export function TableScroll({
  label,
  minWidth,
  children,
}: {
  label: string;
  minWidth: number;
  children: ReactNode;
}) {
  return (
    <Box role="region" aria-label={label} tabIndex={0} className="table-scroll">
      <Box miw={minWidth}>{children}</Box>
    </Box>
  );
}
