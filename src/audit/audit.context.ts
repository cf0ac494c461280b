import { AsyncLocalStorage } from 'node:async_hooks';

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

/**
 * The audited admin request the current code runs for. Set by the audit interceptor around the
 * route handler, so a service deep below can write the row inside its own transaction without
 * every signature in between carrying it; absent outside admin writes (shop API, jobs).
 */
export const auditRequests = new AsyncLocalStorage<AuditRequest>();
