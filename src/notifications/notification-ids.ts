/** Id prefixes of the notification tables (kept here so the shared id list stays untouched). */
export const NOTIFICATION_ID_PREFIX = {
  endpoint: 'ne',
  delivery: 'dlv',
  attempt: 'dat',
} as const;
