import type { NextFunction, Request, Response } from 'express';
import { problem } from '../errors/problem-details.filter';
import { requestIdOf } from './request-id';
import { clientKey, RateLimiter } from './rate-limiter';

/**
 * Limits webhook deliveries per source IP (`req.ip`: the peer, or X-Forwarded-For when the
 * peer is a loopback reverse proxy). Over the limit: 429 problem+json with Retry-After, before
 * the body is read or stored.
 */
export function webhookRateLimit(requestsPerMinute: number) {
  const limiter = new RateLimiter(requestsPerMinute, 60_000);
  return (req: Request, res: Response, next: NextFunction): void => {
    const decision = limiter.hit(clientKey(req.ip ?? req.socket.remoteAddress));
    if (decision.allowed) {
      next();
      return;
    }
    const body = {
      ...problem(
        429,
        'rate_limited',
        'Too many requests',
        'Too many webhook requests from this address; retry later',
      ),
      correlationId: requestIdOf(req),
    };
    res.setHeader('Retry-After', String(decision.retryAfterSeconds));
    res.status(429).type('application/problem+json').send(JSON.stringify(body));
  };
}
