import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { AuthFailureLimiter } from './auth-failure.limiter';
import { AUTH_REQUIREMENT, WRITES_NOTHING, WritesNothing } from './auth.decorators';
import { AUDITED_ACTION } from '../audit/audit.decorators';
import type { TokenPrincipal } from './oidc/token-principal';
import { ForbiddenError } from '../common/errors/domain-error';
import { markFromPublicListener } from '../common/http/public-listener';
import { loadAppConfig } from '../config/app.config';
import { UnauthorizedError } from '../common/errors/domain-error';
import { RateLimitedError, RateLimiter, rateLimitThrottlers } from '../common/http/rate-limiter';
import { ThrottlerStorageService } from '@nestjs/throttler';

function context(
  request: Record<string, unknown>,
  requirement: string,
  response = { setHeader: jest.fn() },
): ExecutionContext {
  const handler = () => undefined;
  Reflect.defineMetadata(AUTH_REQUIREMENT, requirement, handler);
  return {
    getHandler: () => handler,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ExecutionContext;
}

describe('AuthGuard', () => {
  const config = loadAppConfig({
    NODE_ENV: 'development',
    PAYMENTSERVER_DB: 'memory',
    PAYMENTSERVER_AUTH_FAILURE_RATE_LIMIT: '2',
  });
  const apiKeys = {
    authenticate: jest.fn(async (key: string) => (key === 'good' ? { id: 'int_1' } : null)),
  };
  const limiter = () =>
    new AuthFailureLimiter(
      new RateLimiter(new ThrottlerStorageService(), rateLimitThrottlers(config.perimeter)),
    );
  const guard = () =>
    new AuthGuard(new Reflector(), apiKeys as never, {} as never, {} as never, config, limiter(), {
      failed: jest.fn(),
    } as never);

  it('refuses a non-webhook route reached through the public listener with 404, even a public one', async () => {
    const request = { route: { path: '/health/live' }, headers: {}, socket: {} };
    markFromPublicListener(request as never);
    await expect(guard().canActivate(context(request, 'public'))).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });

  it('lets a webhook route through on the public listener', async () => {
    const request = {
      route: { path: '/webhooks/:provider/:providerAccountId' },
      headers: {},
      socket: {},
    };
    markFromPublicListener(request as never);
    await expect(guard().canActivate(context(request, 'public'))).resolves.toBe(true);
  });

  it('blocks an address after its failures, with Retry-After, and not another address', async () => {
    const g = guard();
    const from = (ip: string, key: string) => ({
      route: { path: '/api/v1/payments' },
      headers: { 'x-api-key': key },
      ip,
      socket: {},
    });
    for (let i = 0; i < 2; i++) {
      await expect(
        g.canActivate(context(from('192.0.2.1', 'bad'), 'integration')),
      ).rejects.toBeInstanceOf(UnauthorizedError);
    }
    const response = { setHeader: jest.fn() };
    const blocked = g.canActivate(context(from('192.0.2.1', 'good'), 'integration', response));
    await expect(blocked).rejects.toBeInstanceOf(RateLimitedError);
    expect(response.setHeader).toHaveBeenCalledWith('Retry-After', expect.stringMatching(/^\d+$/));
    await expect(g.canActivate(context(from('192.0.2.2', 'good'), 'integration'))).resolves.toBe(
      true,
    );
  });

  it('counts IPv6 addresses of one /64 together', async () => {
    const g = guard();
    const from = (ip: string) => ({
      route: { path: '/api/v1/payments' },
      headers: { 'x-api-key': 'bad' },
      ip,
      socket: {},
    });
    await expect(
      g.canActivate(context(from('2001:db8:5:6::1'), 'integration')),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(
      g.canActivate(context(from('2001:db8:5:6::2'), 'integration')),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(
      g.canActivate(context(from('2001:db8:5:6::3'), 'integration')),
    ).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('denies a route without a requirement (deny by default)', async () => {
    const request = { route: { path: '/x' }, headers: {}, ip: '192.0.2.9', socket: {} };
    await expect(guard().canActivate(context(request, undefined as never))).rejects.toMatchObject({
      status: 403,
    });
  });
});

describe('AuthGuard admin roles', () => {
  const config = loadAppConfig({ NODE_ENV: 'development', PAYMENTSERVER_DB: 'memory' });
  const token = (scopes: string[], roles: string[] = []): TokenPrincipal => ({
    subject: 'someone',
    clientId: 'some-client',
    scopes,
    roles,
  });
  const setup = (principal: TokenPrincipal) => {
    const audit = { failed: jest.fn(async () => undefined) };
    const oidc = { verify: jest.fn(async () => principal) };
    const guard = new AuthGuard(
      new Reflector(),
      {} as never,
      {} as never,
      oidc as never,
      config,
      new AuthFailureLimiter(
        new RateLimiter(new ThrottlerStorageService(), rateLimitThrottlers(config.perimeter)),
      ),
      audit as never,
    );
    return { guard, audit };
  };
  /** An admin route `method path` handled by a handler with the given metadata. */
  const route = (method: string, path: string, metadata: Record<string, unknown> = {}) => {
    const handler = function update() {
      return undefined;
    };
    Reflect.defineMetadata(AUTH_REQUIREMENT, 'admin', handler);
    for (const [key, value] of Object.entries(metadata))
      Reflect.defineMetadata(key, value, handler);
    const request: Record<string, unknown> = {
      method,
      route: { path },
      params: { id: 'pa_1' },
      body: { name: 'x', credentials: { apiKey: 'secret-value' } },
      headers: { authorization: 'Bearer t' },
      ip: '192.0.2.7',
      socket: {},
    };
    const response = { setHeader: jest.fn() };
    const ctx = {
      getHandler: () => handler,
      getClass: () => class {},
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
    } as unknown as ExecutionContext;
    return { ctx, request, response };
  };

  it('lets scope paymentserver:admin write, marking the principal as able to', async () => {
    const { guard } = setup(token(['paymentserver:admin']));
    const { ctx, request } = route('PATCH', '/api/v1/admin/provider-accounts/:id');
    await expect(guard.canActivate(ctx)).resolves.toBe(true);
    expect(request.principal).toMatchObject({ kind: 'admin', canWrite: true });
  });

  it('lets role admin write even with the read scope as well', async () => {
    const { guard } = setup(token(['paymentserver:read'], ['admin']));
    await expect(guard.canActivate(route('DELETE', '/api/v1/admin/x/:id').ctx)).resolves.toBe(true);
  });

  it.each([
    ['scope paymentserver:read', token(['paymentserver:read'])],
    ['role viewer', token([], ['viewer'])],
  ])('lets %s read, marked as unable to write', async (_, principal) => {
    const { guard, audit } = setup(principal);
    const { ctx, request } = route('GET', '/api/v1/admin/provider-accounts');
    await expect(guard.canActivate(ctx)).resolves.toBe(true);
    expect(request.principal).toMatchObject({ kind: 'admin', canWrite: false });
    expect(audit.failed).not.toHaveBeenCalled();
  });

  it.each(['POST', 'PATCH', 'PUT', 'DELETE'])(
    'refuses a read-only token a %s with 403 and audits the attempt',
    async (method) => {
      const { guard, audit } = setup(token(['paymentserver:read']));
      const { ctx, response } = route(method, '/api/v1/admin/provider-accounts/:id', {
        [AUDITED_ACTION]: { action: 'provider_account.update' },
      });
      const refused = guard.canActivate(ctx);
      await expect(refused).rejects.toBeInstanceOf(ForbiddenError);
      await expect(refused).rejects.toMatchObject({
        status: 403,
        message: expect.stringContaining('may only read'),
      });
      expect(response.setHeader).toHaveBeenCalledWith(
        'WWW-Authenticate',
        'Bearer error="insufficient_scope"',
      );
      expect(audit.failed).toHaveBeenCalledWith(
        expect.objectContaining({
          action: 'provider_account.update',
          targetType: 'provider_account',
          targetId: 'pa_1',
          changedFields: ['credentials', 'name'],
          actor: { sub: 'someone', clientId: 'some-client', ip: '192.0.2.7' },
        }),
        'forbidden',
      );
      // Field names only: the value sent never reaches the audit call.
      expect(JSON.stringify((audit.failed.mock.calls as unknown[][])[0])).not.toContain(
        'secret-value',
      );
    },
  );

  it('refuses a read-only token a POST route marked @WritesNothing too, and audits the attempt', async () => {
    class RoutingController {
      @WritesNothing()
      simulate() {
        return undefined;
      }
    }
    const { guard, audit } = setup(token([], ['viewer']));
    const { ctx } = route('POST', '/api/v1/admin/routing/simulate', {
      [WRITES_NOTHING]: Reflect.getMetadata(WRITES_NOTHING, RoutingController.prototype.simulate),
    });
    await expect(guard.canActivate(ctx)).rejects.toMatchObject({ status: 403 });
    expect(audit.failed).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'routing.update' }),
      'forbidden',
    );
    // An admin may call it.
    const admin = setup(token(['paymentserver:admin']));
    await expect(admin.guard.canActivate(ctx)).resolves.toBe(true);
  });

  it('derives the action of a write route that names none from its path and handler', async () => {
    const { guard, audit } = setup(token([], ['viewer']));
    await expect(
      guard.canActivate(route('POST', '/api/v1/admin/routing-rules/:id').ctx),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(audit.failed).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'routing_rule.update', targetType: 'routing_rule' }),
      'forbidden',
    );
  });

  it('refuses a token with neither admin nor read access even a GET, without an audit row', async () => {
    const { guard, audit } = setup(token(['paymentserver:payments'], ['guest']));
    await expect(
      guard.canActivate(route('GET', '/api/v1/admin/provider-accounts').ctx),
    ).rejects.toMatchObject({ status: 403 });
    expect(audit.failed).not.toHaveBeenCalled();
  });
});
