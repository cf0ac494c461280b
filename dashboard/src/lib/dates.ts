const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const localDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const localShort = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

/** In the browser's time zone and locale. */
export function formatDateTime(iso: string): string {
  return local.format(new Date(iso));
}

/** Short, for dense tables: "12/2/26, 8:52 PM". */
export function formatShort(iso: string): string {
  return localShort.format(new Date(iso));
}

export function formatDate(iso: string): string {
  return localDate.format(new Date(iso));
}

/** "2026-11-27 10:15:00 UTC", for the hover text. */
export function formatUtc(iso: string): string {
  return `${new Date(iso)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')} UTC`;
}

/** Start of the local day `days` ago, as ISO 8601 (UTC) for the API. */
export function daysAgo(days: number, now = new Date()): string {
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate() - days);
  return start.toISOString();
}
