import type { Request, Response } from 'express';
import type { Histogram } from 'prom-client';

export type HttpRequestHistogram = Histogram<'method' | 'route' | 'status_code'>;

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

/**
 * Times a request, once, when its answer has been handed to the socket. The request preamble
 * (common/http/request-preamble.ts) calls it first thing, so that answers from any middleware
 * after it (rate limits, body limits) are timed too.
 */
export function httpRequestTimer(
  histogram: HttpRequestHistogram,
): (req: Request, res: Response) => void {
  return (req, res) => {
    const started = process.hrtime.bigint();
    res.once('finish', () =>
      histogram.observe(
        { method: req.method, route: routeLabel(req), status_code: String(res.statusCode) },
        Number(process.hrtime.bigint() - started) / 1e9,
      ),
    );
  };
}
