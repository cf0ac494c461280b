import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import {
  AUTH_REQUIREMENT,
  AuthenticatedRequest,
  AuthRequirement,
  WRITES_NOTHING,
} from '../auth/auth.decorators';
import type { TokenPrincipal } from '../auth/oidc/token-principal';
import { requestIdOf } from '../common/http/request-id';
import type { AuditRequest } from './audit.context';
import { AUDITED_ACTION, AuditedAction } from './audit.decorators';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const MAX_FIELDS = 50;

/** A request a read-only token may make: a GET (and HEAD, OPTIONS), never anything else. */
export function isReadMethod(method: string): boolean {
  return READ_METHODS.has(method.toUpperCase());
}

/** A route marked `@WritesNothing()`: admin-only like every write, but not audited when it runs. */
export function writesNothing(reflector: Reflector, context: ExecutionContext): boolean {
  return (
    reflector.getAllAndOverride<boolean | undefined>(WRITES_NOTHING, [
      context.getHandler(),
      context.getClass(),
    ]) === true
  );
}

const snake = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();

/** `/api/v1/admin/provider-webhooks/:id/replay` + `replay` → `provider_webhook.replay`. */
function derivedAction(routePath: string, handlerName: string): string {
  const resource = /\/admin\/([^/]+)/.exec(routePath)?.[1] ?? 'admin';
  return `${snake(resource).replace(/s$/, '')}.${snake(handlerName)}`;
}

/** Names of the fields a request body sets; values never leave the request. */
function fieldNames(body: unknown): string[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [];
  return Object.keys(body)
    .slice(0, MAX_FIELDS)
    .map((name) => name.slice(0, 64))
    .sort();
}

/**
 * The audit description of an admin request other than a read, or null (not an admin route, or a
 * GET). Shared by the guard (refusals) and the interceptor (which skips `@WritesNothing()` routes).
 */
export function describeAuditedRequest(
  reflector: Reflector,
  context: ExecutionContext,
  request: AuthenticatedRequest,
  token: TokenPrincipal | undefined,
): AuditRequest | null {
  const requirement = reflector.getAllAndOverride<AuthRequirement | undefined>(AUTH_REQUIREMENT, [
    context.getHandler(),
    context.getClass(),
  ]);
  if (requirement !== 'admin' || isReadMethod(request.method)) return null;
  const declared = reflector.get<AuditedAction | undefined>(AUDITED_ACTION, context.getHandler());
  const action =
    declared?.action ?? derivedAction(String(request.route?.path ?? ''), context.getHandler().name);
  const targetId = request.params?.[declared?.targetParam ?? 'id'];
  return {
    actor: {
      sub: token?.subject ?? null,
      clientId: token?.clientId ?? null,
      ip: request.ip ?? request.socket?.remoteAddress ?? null,
    },
    action,
    targetType: declared?.targetType ?? action.split('.')[0],
    targetId: typeof targetId === 'string' && targetId.length > 0 ? targetId.slice(0, 64) : null,
    changedFields: fieldNames(request.body),
    correlationId: requestIdOf(request) ?? null,
  };
}
