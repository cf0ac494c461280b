import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Integration } from '../integrations/integration.entity';
import type { TokenPrincipal } from './oidc/token-principal';

export const AUTH_REQUIREMENT = 'auth:requirement';
export const WRITES_NOTHING = 'auth:writes-nothing';
export type AuthRequirement = 'public' | 'integration' | 'admin';

/** Opt a route out of authentication (webhooks, health, the test checkout page). */
export const Public = () => SetMetadata(AUTH_REQUIREMENT, 'public');
/** An integration's API key, or an OIDC access token whose client is linked to an integration. */
export const IntegrationAuth = () => SetMetadata(AUTH_REQUIREMENT, 'integration');
/** An OIDC access token with the admin scope or role (or, for reads only, the read scope or viewer role). */
export const AdminAuth = () => SetMetadata(AUTH_REQUIREMENT, 'admin');
/**
 * An admin route that is not a GET but changes nothing (e.g. a routing simulation): it is not
 * audited when it runs. It stays a route for admins: read-only tokens may call only GET routes
 * (CONTRACT.md), and a read-only token refused here is audited like any refused write.
 */
export const WritesNothing = () => SetMetadata(WRITES_NOTHING, true);

export interface Principal {
  kind: 'integration' | 'admin';
  integration?: Integration;
  subject?: string;
  /** Set when the caller authenticated with an OIDC access token. */
  token?: TokenPrincipal;
  /** Admin callers: false for a read-only token (read scope or viewer role). */
  canWrite?: boolean;
}

export type AuthenticatedRequest = Request & { principal?: Principal };

export const CurrentIntegration = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Integration => {
    const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    return request.principal!.integration!;
  },
);
