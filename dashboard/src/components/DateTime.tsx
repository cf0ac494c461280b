import { formatDate, formatDateTime, formatShort, formatUtc } from '../lib/dates';

/** A timestamp in the browser's time zone; UTC on hover. */
export function DateTime({
  value,
  format = 'full',
}: {
  value: string | null | undefined;
  format?: 'full' | 'short' | 'date';
}) {
  if (!value) return <span>—</span>;
  const text =
    format === 'date'
      ? formatDate(value)
      : format === 'short'
        ? formatShort(value)
        : formatDateTime(value);
  return (
    <time dateTime={value} title={formatUtc(value)}>
      {text}
    </time>
  );
}
