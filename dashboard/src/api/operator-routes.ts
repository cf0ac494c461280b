/*
 * The admin routes of CONTRACT.md "Additions, version 2" that the dashboard's audit log, simulate
 * box and read-only mode use, on the generated client (the server's OpenAPI document types their
 * paths, parameters and answers):
 *
 *   GET  /api/v1/admin/audit-events     (the audit log)
 *   GET  /api/v1/admin/me               (who is signed in; `canWrite` false for read-only users)
 *   POST /api/v1/admin/routing/simulate (where a sample payment would go, and why)
 *
 * The view types below are what the screens rely on. Each screen still treats a 404 as "this
 * server does not have it", for a dashboard served against an older server.
 */
import { useQuery } from '@tanstack/react-query';
import { fetchClient } from './client';
import type { components } from './schema.gen';
import { toProblem } from './problem';

export type AuditEvent = components['schemas']['AuditEventDto'];

export interface AuditEventsQuery {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  outcome?: 'succeeded' | 'failed';
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

/** Who is signed in, as the server sees it: only `canWrite` is relied on. */
export type AdminMe = components['schemas']['AdminMeDto'];

/** A payment create body plus the integration whose routing is simulated. */
export type SimulateBody = components['schemas']['CreatePaymentDto'] & { integrationId: string };

export type SimulateCandidate = components['schemas']['SimulatedCandidateDto'];

export type SimulateResult = components['schemas']['RoutingSimulationDto'];

/** A 404 from one of these routes: the server does not have it (yet). */
export function isMissingRoute(error: unknown): boolean {
  return toProblem(error).status === 404;
}

export async function fetchAuditEvents(query: AuditEventsQuery) {
  const { data, error } = await fetchClient.GET('/api/v1/admin/audit-events', {
    params: { query },
  });
  if (error || !data) throw error ?? new Error('empty answer');
  return data;
}

export async function simulateRouting(body: SimulateBody): Promise<SimulateResult> {
  const { data, error } = await fetchClient.POST('/api/v1/admin/routing/simulate', { body });
  if (error || !data) throw error ?? new Error('empty answer');
  return data;
}

export async function fetchMe(): Promise<AdminMe> {
  const { data, error } = await fetchClient.GET('/api/v1/admin/me');
  if (error || !data) throw error ?? new Error('empty answer');
  return data;
}

/**
 * Whether to show write controls. While the first answer is on its way they stay hidden, so a
 * read-only user never sees them flash up on a page load. Then only an explicit
 * `canWrite: false` hides them: a server without the route (404) or a failed check leaves them
 * shown, and the server refuses a read-only user's writes (403) anyway.
 */
export function useCanWrite(): boolean {
  const me = useQuery({ queryKey: ['admin-me'], queryFn: fetchMe, staleTime: 5 * 60_000 });
  if (me.isLoading) return false;
  return me.data?.canWrite !== false;
}
