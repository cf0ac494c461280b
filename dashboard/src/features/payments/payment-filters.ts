import { parseAmount } from '../../lib/money';
import type { paths } from '../../api/schema.gen';

export type PaymentQuery = NonNullable<
  paths['/api/v1/admin/payments']['get']['parameters']['query']
>;

/** The filter form as the URL keeps it: amounts in major units as typed, dates as local YYYY-MM-DD. */
export interface PaymentFilters {
  search: string;
  status: string;
  provider: string;
  method: string;
  integrationId: string;
  currency: string;
  amountMin: string;
  amountMax: string;
  createdFrom: string;
  createdTo: string;
  providerPaymentId: string;
  /** '' (any), 'true' or 'false'. */
  needsAttention: string;
}

export const EMPTY_FILTERS: PaymentFilters = {
  search: '',
  status: '',
  provider: '',
  method: '',
  integrationId: '',
  currency: '',
  amountMin: '',
  amountMax: '',
  createdFrom: '',
  createdTo: '',
  providerPaymentId: '',
  needsAttention: '',
};

const KEYS = Object.keys(EMPTY_FILTERS) as (keyof PaymentFilters)[];

export function filtersFromSearch(params: URLSearchParams): PaymentFilters {
  const filters = { ...EMPTY_FILTERS };
  for (const key of KEYS) filters[key] = params.get(key) ?? '';
  return filters;
}

export function filtersToSearch(filters: PaymentFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of KEYS) if (filters[key].trim()) params.set(key, filters[key].trim());
  return params;
}

/** What the free-text search means: a payment id opens it, an email searches customers, anything else is a reference. */
export function classifySearch(
  text: string,
): { kind: 'id' | 'email' | 'reference'; value: string } | null {
  const value = text.trim();
  if (!value) return null;
  if (/^pay_[A-Za-z0-9_-]+$/.test(value)) return { kind: 'id', value };
  if (value.includes('@')) return { kind: 'email', value };
  return { kind: 'reference', value };
}

/** Local midnight of a YYYY-MM-DD day, as ISO 8601 for the API; `plusDays` 1 gives the exclusive end. */
export function localDayStart(day: string, plusDays = 0): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + plusDays).toISOString();
}

/**
 * The API query for the filters, or the field errors that stop it (before any request): an
 * amount needs a currency and must parse in it; the date range ends with its last whole day.
 */
export function toApiQuery(filters: PaymentFilters): {
  query: PaymentQuery;
  errors: Partial<Record<keyof PaymentFilters, string>>;
} {
  const query: PaymentQuery = {};
  const errors: Partial<Record<keyof PaymentFilters, string>> = {};
  const search = classifySearch(filters.search);
  if (search?.kind === 'email') query.customerEmail = search.value;
  if (search?.kind === 'reference') query.reference = search.value;
  if (filters.status) query.status = filters.status as PaymentQuery['status'];
  if (filters.provider) query.provider = filters.provider;
  if (filters.method) query.method = filters.method as PaymentQuery['method'];
  if (filters.integrationId) query.integrationId = filters.integrationId;
  if (filters.currency) query.currency = filters.currency;
  if (filters.providerPaymentId.trim()) query.providerPaymentId = filters.providerPaymentId.trim();
  if (filters.needsAttention === 'true' || filters.needsAttention === 'false')
    query.needsAttention = filters.needsAttention === 'true';
  for (const key of ['amountMin', 'amountMax'] as const) {
    if (!filters[key].trim()) continue;
    if (!filters.currency) {
      errors[key] = 'Choose a currency first';
      continue;
    }
    const parsed = parseAmount(filters[key], filters.currency);
    if (parsed.ok) query[key] = parsed.value;
    else errors[key] = parsed.error;
  }
  if (
    query.amountMin !== undefined &&
    query.amountMax !== undefined &&
    query.amountMin > query.amountMax
  ) {
    errors.amountMax = 'Must not be below the minimum';
  }
  if (filters.createdFrom) query.createdFrom = localDayStart(filters.createdFrom);
  if (filters.createdTo) query.createdTo = localDayStart(filters.createdTo, 1);
  return { query, errors };
}
