import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { assignRequestId } from './request-id';
import type { HeaderList } from './security-headers';

export interface RequestPreambleOptions {
  /** Set on every answer, in this order; routes may replace some (the dashboard's CSP). */
  headers: HeaderList;
  /** Paths whose answers also get `Cache-Control: no-store`. */
  noStore: RegExp;
  /** Starts timing the request (the HTTP metrics), when metrics are on. */
  time?: (req: Request, res: Response) => void;
}

/**
 * What every request gets before anything else runs: its timer, its id, and the fixed headers of
 * every answer (those of 429s, 413s and parse errors from the middleware after it included).
 * One middleware instead of four (metrics, request id, helmet, `no-store`): each Express layer
 * costs a route match and a `next()` per request, and the header values never change.
 */
export function requestPreamble(options: RequestPreambleOptions): RequestHandler {
  const { headers, noStore, time } = options;
  return (req: Request, res: Response, next: NextFunction) => {
    time?.(req, res);
    assignRequestId(req, res);
    for (const [name, value] of headers) res.setHeader(name, value);
    if (noStore.test(req.path)) res.setHeader('Cache-Control', 'no-store');
    next();
  };
}
