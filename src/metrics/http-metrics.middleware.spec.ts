import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import { Histogram, Registry } from 'prom-client';
import { httpRequestTimer, routeLabel } from './http-metrics.middleware';

describe('routeLabel', () => {
  it('is the matched route pattern, not the path with its ids', () => {
    expect(routeLabel({ route: { path: '/api/v1/payments/:id' }, baseUrl: '' } as never)).toBe(
      '/api/v1/payments/:id',
    );
  });

  it('includes the mount path of a sub-router', () => {
    expect(routeLabel({ route: { path: '/:id' }, baseUrl: '/api/v1/payments' } as never)).toBe(
      '/api/v1/payments/:id',
    );
  });

  it('is "unmatched" when no route answered', () => {
    expect(routeLabel({ route: undefined, baseUrl: '' } as never)).toBe('unmatched');
  });

  it('is "unmatched" for a pattern that is not a string', () => {
    expect(routeLabel({ route: { path: /^\/pay_[a-z0-9]+$/ }, baseUrl: '' } as never)).toBe(
      'unmatched',
    );
  });
});

describe('httpRequestTimer', () => {
  function histogram() {
    const registry = new Registry();
    return new Histogram({
      name: 'h',
      help: 'h',
      labelNames: ['method', 'route', 'status_code'] as const,
      registers: [registry],
    });
  }

  it('observes once per request when the answer is finished, with the route known by then', async () => {
    const h = histogram();
    const req = { method: 'GET', baseUrl: '', route: undefined } as unknown as Request;
    const res = Object.assign(new EventEmitter(), { statusCode: 200 }) as unknown as Response;
    httpRequestTimer(h)(req, res);
    (req as { route?: unknown }).route = { path: '/api/v1/payments/:id' };
    res.statusCode = 404;
    res.emit('finish');
    res.emit('finish');
    const values = (await h.get()).values.filter((v) => v.metricName === 'h_count');
    expect(values).toEqual([
      {
        metricName: 'h_count',
        labels: { method: 'GET', route: '/api/v1/payments/:id', status_code: '404' },
        value: 1,
      },
    ]);
  });
});
