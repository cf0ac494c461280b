import { providerWebhookDtoStatusValues, type paths } from '../../api/schema.gen';
import type { ProviderWebhookDetail, ProviderWebhookStatus } from '../../api/types';

export type InboxQuery = NonNullable<
  paths['/api/v1/admin/provider-webhooks']['get']['parameters']['query']
>;

/** The inbox filters as the URL keeps them (so a filtered inbox can be linked to). */
export interface InboxFilters {
  providerAccountId: string;
  status: string;
  paymentId: string;
}

export const EMPTY_INBOX_FILTERS: InboxFilters = {
  providerAccountId: '',
  status: '',
  paymentId: '',
};

const KEYS = Object.keys(EMPTY_INBOX_FILTERS) as (keyof InboxFilters)[];

export const INBOX_STATUSES: readonly ProviderWebhookStatus[] = providerWebhookDtoStatusValues;

export function inboxFiltersFromSearch(params: URLSearchParams): InboxFilters {
  const filters = { ...EMPTY_INBOX_FILTERS };
  for (const key of KEYS) filters[key] = params.get(key)?.trim() ?? '';
  return filters;
}

export function inboxFiltersToSearch(filters: InboxFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of KEYS) if (filters[key].trim()) params.set(key, filters[key].trim());
  return params;
}

/** The API query: only the filters that are set; a status the server does not know is dropped. */
export function inboxApiQuery(filters: InboxFilters, cursor?: string, limit = 25): InboxQuery {
  const status = INBOX_STATUSES.find((s) => s === filters.status);
  return {
    limit,
    ...(cursor ? { cursor } : {}),
    ...(filters.providerAccountId.trim()
      ? { providerAccountId: filters.providerAccountId.trim() }
      : {}),
    ...(status ? { status } : {}),
    ...(filters.paymentId.trim() ? { paymentId: filters.paymentId.trim() } : {}),
  };
}

/** Errors found before any request: a payment id must look like one. */
export function validateInboxFilters(
  filters: InboxFilters,
): Partial<Record<keyof InboxFilters, string>> {
  const paymentId = filters.paymentId.trim();
  if (paymentId && !/^pay_[A-Za-z0-9_-]+$/.test(paymentId))
    return { paymentId: 'A payment id starts with pay_' };
  return {};
}

/** What a status means to an operator, in a few words. */
export const STATUS_HELP: Record<ProviderWebhookStatus, string> = {
  received: 'stored, not applied yet',
  processed: 'applied',
  failed: 'processing failed; retried automatically',
  dead: 'still failing at the retry horizon; given up',
  rejected: 'its signed fields contradict the payment; not applied',
};

/** The body for reading: JSON indented, anything else as received. */
export function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** The confirmation's text: what a replay does for a webhook in this state. */
export function replayExplanation(
  webhook: Pick<ProviderWebhookDetail, 'status' | 'verified'>,
): string {
  const how = webhook.verified
    ? 'Its signed fields are checked again and it is applied through the same path as on arrival.'
    : "It is unsigned: the payment's state is fetched from the provider again.";
  const effect =
    webhook.status === 'processed'
      ? 'It was applied already, so it changes nothing unless the payment missed it.'
      : webhook.status === 'rejected'
        ? 'It stays rejected while its fields contradict the payment.'
        : 'It counts as one more attempt.';
  return `${how} ${effect}`;
}

/** The message after a replay: how the webhook is now. */
export function replayOutcome(webhook: Pick<ProviderWebhookDetail, 'id' | 'status' | 'error'>): {
  ok: boolean;
  message: string;
} {
  if (webhook.status === 'processed')
    return { ok: true, message: `Replayed ${webhook.id}: processed.` };
  return {
    ok: false,
    message: `Replayed ${webhook.id}: still ${webhook.status}${webhook.error ? ` (${webhook.error})` : ''}.`,
  };
}
