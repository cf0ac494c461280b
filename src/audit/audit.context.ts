import { currentRequestContext } from '../common/logging/http-logger';

/** Who made an admin request, as the audit log records it. */
export interface AuditActor {
  sub: string | null;
  clientId: string | null;
  ip: string | null;
}

/** What one audited admin request is about; the row is filled in from this. */
export interface AuditRequest {
  actor: AuditActor;
  action: string;
  targetType: string;
  targetId: string | null;
  changedFields: string[];
  correlationId: string | null;
  /** The row written for this request, once one is (in the transaction of its change). */
  eventId?: string;
}

/** The audited admin request of each HTTP request that is one, by the request's context. */
const auditedRequests = new WeakMap<object, AuditRequest>();

/**
 * Makes `request` the audited admin request for the rest of the HTTP request this runs in. Called
 * by the audit interceptor before the route handler, so a service deep below can write the row
 * inside its own transaction without every signature in between carrying it.
 */
export function beginAuditedRequest(request: AuditRequest): void {
  const context = currentRequestContext();
  // Without it the row would silently not be written: refuse instead.
  if (!context) throw new Error('An audited request must run in an HTTP request context');
  auditedRequests.set(context, request);
}

/** The audited admin request the current code runs for; absent outside admin writes (shop API, jobs). */
export function currentAuditRequest(): AuditRequest | undefined {
  const context = currentRequestContext();
  return context && auditedRequests.get(context);
}
