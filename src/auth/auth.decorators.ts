import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Integration } from '../integrations/integration.entity';
import type { TokenPrincipal } from './oidc/token-principal';

export const AUTH_REQUIREMENT = 'auth:requirement';
export const READ_ONLY_ADMIN_ROUTE = 'auth:read-only-admin-route';
export type AuthRequirement = 'public' | 'integration' | 'admin';

/** Opt a route out of authentication (webhooks, health, the test checkout page). */
export const Public = () => SetMetadata(AUTH_REQUIREMENT, 'public');
/** An integration's API key, or an OIDC access token whose client is linked to an integration. */
export const IntegrationAuth = () => SetMetadata(AUTH_REQUIREMENT, 'integration');
/** An OIDC access token with the admin scope or role (or, for reads only, the read scope or viewer role). */
export const AdminAuth = () => SetMetadata(AUTH_REQUIREMENT, 'admin');
/**
 * An admin route that is not a GET but writes nothing (e.g. a routing simulation): read-only
 * tokens may call it, and it is not audited. Marked `x-paymentserver-read-only` in the OpenAPI
 * document, so clients (and the tests) can tell it from the writes.
 */
export const ReadOnlyAdminRoute = () =>
  applyDecorators(
    SetMetadata(READ_ONLY_ADMIN_ROUTE, true),
    ApiExtension('x-paymentserver-read-only', true),
  );

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
