import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { AuthFailureLimiter } from './auth-failure.limiter';
import { AUTH_REQUIREMENT } from './auth.decorators';
import { markFromPublicListener } from '../common/http/public-listener';
import { loadAppConfig } from '../config/app.config';
import { UnauthorizedError } from '../common/errors/domain-error';
import { RateLimitedError } from '../common/http/rate-limiter';

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
    PAYMENTSERVER_DB: 'memory',
    PAYMENTSERVER_AUTH_FAILURE_RATE_LIMIT: '2',
  });
  const apiKeys = {
    authenticate: jest.fn(async (key: string) => (key === 'good' ? { id: 'int_1' } : null)),
  };
  const guard = () =>
    new AuthGuard(
      new Reflector(),
      apiKeys as never,
      {} as never,
      {} as never,
      config,
      new AuthFailureLimiter(config),
    );

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
