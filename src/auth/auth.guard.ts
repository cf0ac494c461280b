import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AUTH_REQUIREMENT, AuthenticatedRequest, AuthRequirement } from './auth.decorators';
import { ApiKeyService } from '../integrations/api-key.service';
import { ForbiddenError, UnauthorizedError } from '../common/errors/domain-error';

/**
 * Global guard, deny by default: a route without an explicit requirement is refused.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirement = this.reflector.getAllAndOverride<AuthRequirement | undefined>(AUTH_REQUIREMENT, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (requirement === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (requirement === 'integration') {
      const key = request.headers['x-api-key'];
      if (typeof key === 'string' && key.length > 0) {
        const integration = await this.apiKeys.authenticate(key);
        if (!integration) throw new UnauthorizedError('Invalid API key');
        request.principal = { kind: 'integration', integration };
        return true;
      }
      throw new UnauthorizedError('Send an API key in X-Api-Key');
    }
    if (requirement === 'admin') {
      throw new UnauthorizedError('Admin routes need an OIDC bearer token');
    }
    throw new ForbiddenError('This route is not open to any caller');
  }
}
