import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Integration } from '../integrations/integration.entity';
import type { TokenPrincipal } from './oidc/token-principal';

export const AUTH_REQUIREMENT = 'auth:requirement';
export type AuthRequirement = 'public' | 'integration' | 'admin';

/** Opt a route out of authentication (webhooks, health, the test checkout page). */
export const Public = () => SetMetadata(AUTH_REQUIREMENT, 'public');
/** An integration's API key, or an OIDC access token whose client is linked to an integration. */
export const IntegrationAuth = () => SetMetadata(AUTH_REQUIREMENT, 'integration');
/** An OIDC access token with the admin scope or role. */
export const AdminAuth = () => SetMetadata(AUTH_REQUIREMENT, 'admin');

export interface Principal {
  kind: 'integration' | 'admin';
  integration?: Integration;
  subject?: string;
  /** Set when the caller authenticated with an OIDC access token. */
  token?: TokenPrincipal;
}

export type AuthenticatedRequest = Request & { principal?: Principal };

export const CurrentIntegration = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Integration => {
    const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    return request.principal!.integration!;
  },
);
