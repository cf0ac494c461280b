import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { AUTH_REQUIREMENT, AuthenticatedRequest, AuthRequirement } from './auth.decorators';
import { ApiKeyService } from '../integrations/api-key.service';
import { IntegrationsService } from '../integrations/integrations.service';
import { ForbiddenError, UnauthorizedError } from '../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { OidcStrategy } from './oidc/oidc.strategy';
import { adminAccess, TokenPrincipal } from './oidc/token-principal';
import { AuthFailureLimiter } from './auth-failure.limiter';
import { clientKey, RateLimitedError } from '../common/http/rate-limiter';
import { cameFromPublicListener } from '../common/http/public-listener';
import { DomainError } from '../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { describeAuditedRequest, isReadMethod } from '../audit/audited-route';

function hasBearer(request: AuthenticatedRequest): boolean {
  return /^bearer\s/i.test(request.headers.authorization ?? '');
}

/**
 * Global guard, deny by default: a route without an explicit requirement is refused.
 * Missing or invalid credentials are 401; valid credentials without the right are 403.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyService,
    private readonly integrations: IntegrationsService,
    private readonly oidc: OidcStrategy,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly failures: AuthFailureLimiter,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // Second line of defence behind the public listener's own filter: only webhook routes there.
    if (
      cameFromPublicListener(request) &&
      !String(request.route?.path ?? '').startsWith('/webhooks/')
    ) {
      throw new DomainError(
        'not_found',
        404,
        'Not found',
        'Only /webhooks/* is served on this listener',
      );
    }
    const requirement = this.reflector.getAllAndOverride<AuthRequirement | undefined>(
      AUTH_REQUIREMENT,
      [context.getHandler(), context.getClass()],
    );
    if (requirement === 'public') return true;
    const response = context.switchToHttp().getResponse<Response>();
    const ip = clientKey(request.ip ?? request.socket.remoteAddress);
    const wait = await this.failures.blockedFor(ip);
    if (wait !== undefined) {
      response.setHeader('Retry-After', String(wait));
      throw new RateLimitedError(
        'Too many failed authentication attempts from this address; retry later',
        wait,
      );
    }
    try {
      return await this.authenticate(requirement, context, request, response);
    } catch (error) {
      if (error instanceof UnauthorizedError) await this.failures.recordFailure(ip);
      throw error;
    }
  }

  private async authenticate(
    requirement: AuthRequirement | undefined,
    context: ExecutionContext,
    request: AuthenticatedRequest,
    response: Response,
  ): Promise<boolean> {
    if (requirement === 'integration') {
      const key = request.headers['x-api-key'];
      if (typeof key === 'string' && key.length > 0) {
        const integration = await this.apiKeys.authenticate(key);
        if (!integration) throw new UnauthorizedError('Invalid API key');
        request.principal = { kind: 'integration', integration };
        return true;
      }
      if (hasBearer(request)) {
        const token = await this.bearer(request, response);
        const integration = token.clientId
          ? await this.integrations.findByOidcClientId(token.clientId)
          : null;
        if (!integration)
          throw new ForbiddenError("The token's client is not linked to an integration");
        request.principal = { kind: 'integration', integration, subject: token.subject, token };
        return true;
      }
      throw new UnauthorizedError(
        'Send an API key in X-Api-Key or an OIDC access token as Authorization: Bearer',
      );
    }
    if (requirement === 'admin') {
      if (!hasBearer(request)) {
        response.setHeader('WWW-Authenticate', 'Bearer');
        throw new UnauthorizedError(
          'Admin routes need an OIDC access token as Authorization: Bearer',
        );
      }
      const token = await this.bearer(request, response);
      const access = adminAccess(token, this.config.security.oidc);
      // Read-only tokens: GET routes only (CONTRACT.md), whatever a route does.
      if (access === 'write' || (access === 'read' && isReadMethod(request.method))) {
        request.principal = {
          kind: 'admin',
          subject: token.subject,
          token,
          canWrite: access === 'write',
        };
        return true;
      }
      const oidc = this.config.security.oidc;
      response.setHeader('WWW-Authenticate', 'Bearer error="insufficient_scope"');
      const refusal = new ForbiddenError(
        access === 'read'
          ? `This token may only read (scope ${oidc.readScope} or role ${oidc.viewerRole}); writes need scope ${oidc.adminScope} or role ${oidc.adminRole}`
          : `Admin routes need scope ${oidc.adminScope} or role ${oidc.adminRole} (read only: scope ${oidc.readScope} or role ${oidc.viewerRole})`,
      );
      // A write refused to a valid token is an attempt the audit log shows.
      const attempt = describeAuditedRequest(this.reflector, context, request, token);
      if (attempt) await this.audit.failed(attempt, refusal.code);
      throw refusal;
    }
    throw new ForbiddenError('This route is not open to any caller');
  }

  private async bearer(request: AuthenticatedRequest, response: Response): Promise<TokenPrincipal> {
    try {
      return await this.oidc.verify(request, response);
    } catch (error) {
      response.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new UnauthorizedError(
        `Invalid bearer token: ${error instanceof Error ? error.message : 'rejected'}`,
      );
    }
  }
}
