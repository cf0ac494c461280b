import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { LimitStore } from '../limit-store';

export const LIMIT_STORE = Symbol('LIMIT_STORE');
export const PUBLIC = 'bench:public';
export const Public = () => SetMetadata(PUBLIC, true);

export type IntegrationRequest = Request & { integrationId?: string };

/** Global and deny by default, like PaymentServer's: an API-key lookup by hash on every request. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(LIMIT_STORE) private readonly store: LimitStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (
      this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])
    )
      return true;
    const request = context.switchToHttp().getRequest<IntegrationRequest>();
    const key = request.headers['x-api-key'];
    const integration =
      typeof key === 'string' && key.length <= 512
        ? await this.store.integrationByKeyHash(createHash('sha256').update(key).digest('hex'))
        : undefined;
    if (!integration) throw new UnauthorizedException('Invalid API key');
    request.integrationId = integration.id;
    return true;
  }
}
