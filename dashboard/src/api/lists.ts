import { useQuery } from '@tanstack/react-query';
import { fetchClient } from './client';
import type { Integration, NotificationEndpoint, ProviderAccount, RoutingRule } from './types';

/** Lists small enough to hold whole (for pickers and names): every page, up to 1000 rows. */
const MAX_PAGES = 10;

async function all<T>(
  load: (
    cursor: string | undefined,
  ) => Promise<{ data?: { data: T[]; nextCursor?: string | null }; error?: unknown }>,
): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { data, error } = await load(cursor);
    if (error || !data) throw error ?? new Error('empty answer');
    rows.push(...data.data);
    if (!data.nextCursor) break;
    cursor = data.nextCursor;
  }
  return rows;
}

export const listKeys = {
  integrations: ['all', 'integrations'] as const,
  providerAccounts: ['all', 'provider-accounts'] as const,
  routingRules: ['all', 'routing-rules'] as const,
  endpoints: ['all', 'notification-endpoints'] as const,
};

export function useAllIntegrations() {
  return useQuery({
    queryKey: listKeys.integrations,
    queryFn: () =>
      all<Integration>((cursor) =>
        fetchClient.GET('/api/v1/admin/integrations', {
          params: { query: { limit: 100, cursor } },
        }),
      ),
  });
}

export function useAllProviderAccounts() {
  return useQuery({
    queryKey: listKeys.providerAccounts,
    queryFn: () =>
      all<ProviderAccount>((cursor) =>
        fetchClient.GET('/api/v1/admin/provider-accounts', {
          params: { query: { limit: 100, cursor } },
        }),
      ),
  });
}

export function useAllRoutingRules() {
  return useQuery({
    queryKey: listKeys.routingRules,
    queryFn: () =>
      all<RoutingRule>((cursor) =>
        fetchClient.GET('/api/v1/admin/routing-rules', {
          params: { query: { limit: 100, cursor } },
        }),
      ),
  });
}

export function useAllEndpoints() {
  return useQuery({
    queryKey: listKeys.endpoints,
    queryFn: () =>
      all<NotificationEndpoint>((cursor) =>
        fetchClient.GET('/api/v1/admin/notification-endpoints', {
          params: { query: { limit: 100, cursor } },
        }),
      ),
  });
}

/** id → name, for showing names where the API gives ids. */
export function namesById<T extends { id: string; name: string }>(
  rows: T[] | undefined,
): Map<string, string> {
  return new Map((rows ?? []).map((row) => [row.id, row.name]));
}
