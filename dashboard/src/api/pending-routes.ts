/*
 * PENDING ROUTES: hand-typed calls to three admin routes of CONTRACT.md "Additions, version 2"
 * that other branches add to the server, written before they are merged:
 *
 *   GET  /api/v1/admin/audit-events     (the audit log)
 *   GET  /api/v1/admin/me               (who is signed in; `canWrite` false for read-only users)
 *   POST /api/v1/admin/routing/simulate (where a sample payment would go, and why)
 *
 * The shapes below follow the contract by hand, in the same form openapi-typescript generates,
 * on a client that shares the generated client's middleware (token, problems). Once the routes
 * are on the server and in its OpenAPI document, the lead can delete `PendingPaths` and
 * `pendingClient` and call them with `fetchClient` / `$api` from ./client (the generated types
 * then check them). Until then each screen treats a 404 from these routes as "this server does
 * not have it yet".
 */
import createFetchClient from 'openapi-fetch';
import { useQuery } from '@tanstack/react-query';
import { auth } from './client';
import type { components } from './schema.gen';
import { toProblem } from './problem';

export interface AuditEvent {
  id: string;
  at: string;
  actor: { sub: string | null; clientId: string | null; ip: string | null };
  action: string;
  targetType: string;
  targetId: string | null;
  outcome: 'succeeded' | 'failed';
  /** The problem `code` of a failed attempt (the server on main has it; not in the contract). */
  failureCode?: string | null;
  changedFields: string[];
  correlationId: string | null;
}

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
export interface AdminMe {
  canWrite: boolean;
  sub?: string;
  scopes?: string[];
}

/** A payment create body plus the integration whose routing is simulated. */
export type SimulateBody = components['schemas']['CreatePaymentDto'] & { integrationId: string };

export interface SimulateCandidate {
  providerAccountId: string;
  provider: string;
  role: 'target' | 'fallback' | 'default';
  eligible: boolean;
  why: string;
}

export interface SimulateResult {
  ruleId: string | null;
  reason: string;
  candidates: SimulateCandidate[];
}

type Problem = components['schemas']['ProblemDetailsDto'];

interface PendingPaths {
  '/api/v1/admin/audit-events': {
    get: {
      parameters: { query?: AuditEventsQuery };
      responses: {
        200: { content: { 'application/json': { data: AuditEvent[]; nextCursor: string | null } } };
        default: { content: { 'application/problem+json': Problem } };
      };
    };
  };
  '/api/v1/admin/me': {
    get: {
      responses: {
        200: { content: { 'application/json': AdminMe } };
        default: { content: { 'application/problem+json': Problem } };
      };
    };
  };
  '/api/v1/admin/routing/simulate': {
    post: {
      requestBody: { content: { 'application/json': SimulateBody } };
      responses: {
        200: { content: { 'application/json': SimulateResult } };
        default: { content: { 'application/problem+json': Problem } };
      };
    };
  };
}

const pendingClient = createFetchClient<PendingPaths>({ baseUrl: window.location.origin });
pendingClient.use(auth);

/** A 404 from one of these routes: the server does not have it (yet). */
export function isMissingRoute(error: unknown): boolean {
  return toProblem(error).status === 404;
}

export async function fetchAuditEvents(query: AuditEventsQuery) {
  const { data, error } = await pendingClient.GET('/api/v1/admin/audit-events', {
    params: { query },
  });
  if (error || !data) throw error ?? new Error('empty answer');
  return data;
}

export async function simulateRouting(body: SimulateBody): Promise<SimulateResult> {
  const { data, error } = await pendingClient.POST('/api/v1/admin/routing/simulate', { body });
  if (error || !data) throw error ?? new Error('empty answer');
  return data;
}

export async function fetchMe(): Promise<AdminMe> {
  const { data, error } = await pendingClient.GET('/api/v1/admin/me');
  if (error || !data) throw error ?? new Error('empty answer');
  return data;
}

/**
 * Whether to show write controls. Only an explicit `canWrite: false` hides them: a server
 * without the route (404) or a failed check leaves them shown, and the server refuses a
 * read-only user's writes (403) anyway.
 */
export function useCanWrite(): boolean {
  const me = useQuery({ queryKey: ['admin-me'], queryFn: fetchMe, staleTime: 5 * 60_000 });
  return me.data?.canWrite !== false;
}
