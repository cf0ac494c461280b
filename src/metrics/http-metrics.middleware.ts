import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Histogram } from 'prom-client';

/**
 * The route pattern that answered (`/api/v1/payments/:id`), never the raw path: that would put
 * payment ids into label values. Requests no route matched (404s, static files, answers from
 * middleware such as rate limits) share one label.
 */
export function routeLabel(req: Pick<Request, 'route' | 'baseUrl'>): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern !== 'string') return 'unmatched';
  return `${req.baseUrl ?? ''}${pattern}` || '/';
}

/** Times every request, once, when its answer has been handed to the socket. */
export function httpMetricsMiddleware(
  histogram: Histogram<'method' | 'route' | 'status_code'>,
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const end = histogram.startTimer();
    res.once('finish', () =>
      end({ method: req.method, route: routeLabel(req), status_code: String(res.statusCode) }),
    );
    next();
  };
}
