import type { AuditEventsQuery } from '../../api/operator-routes';
import { localDayStart } from '../payments/payment-filters';

/** The audit log's filters as the URL keeps them; dates as local YYYY-MM-DD days. */
export interface AuditFilters {
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  outcome: string;
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FILTERS: AuditFilters = {
  actor: '',
  action: '',
  targetType: '',
  targetId: '',
  outcome: '',
  from: '',
  to: '',
};

const KEYS = Object.keys(EMPTY_AUDIT_FILTERS) as (keyof AuditFilters)[];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function auditFiltersFromSearch(params: URLSearchParams): AuditFilters {
  const filters = { ...EMPTY_AUDIT_FILTERS };
  for (const key of KEYS) filters[key] = params.get(key)?.trim() ?? '';
  return filters;
}

export function auditFiltersToSearch(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of KEYS) if (filters[key].trim()) params.set(key, filters[key].trim());
  return params;
}

/** Errors found before any request: days must be days, and in order. */
export function validateAuditFilters(
  filters: AuditFilters,
): Partial<Record<keyof AuditFilters, string>> {
  const errors: Partial<Record<keyof AuditFilters, string>> = {};
  if (filters.from && !DAY.test(filters.from)) errors.from = 'A day, YYYY-MM-DD';
  if (filters.to && !DAY.test(filters.to)) errors.to = 'A day, YYYY-MM-DD';
  if (!errors.from && !errors.to && filters.from && filters.to && filters.to < filters.from)
    errors.to = 'On or after the first day';
  return errors;
}

/** The API query: whole local days, `to` inclusive (sent as the next day's start). */
export function auditApiQuery(
  filters: AuditFilters,
  cursor?: string,
  limit = 50,
): AuditEventsQuery {
  const query: AuditEventsQuery = { limit, ...(cursor ? { cursor } : {}) };
  for (const key of ['actor', 'action', 'targetType', 'targetId'] as const)
    if (filters[key].trim()) query[key] = filters[key].trim();
  if (filters.outcome === 'succeeded' || filters.outcome === 'failed')
    query.outcome = filters.outcome;
  if (DAY.test(filters.from)) query.from = localDayStart(filters.from);
  if (DAY.test(filters.to)) query.to = localDayStart(filters.to, 1);
  return query;
}

/** Where an audit event's target can be seen, if the dashboard has a screen for it. */
export function targetLink(targetType: string, targetId: string | null): string | null {
  if (!targetId) return null;
  switch (targetType) {
    case 'payment':
      return `/payments/${targetId}`;
    case 'provider_account':
      return '/provider-accounts';
    case 'routing_rule':
      return '/routing';
    case 'notification_endpoint':
      return `/notifications/${targetId}`;
    case 'integration':
    case 'api_key':
      return '/integrations';
    case 'provider_webhook':
    case 'webhook_delivery':
      return `/provider-webhooks/${targetId}`;
    default:
      return null;
  }
}
