import type { Response } from 'express';
import type { StoredResponse } from './idempotency.service';

/**
 * Puts what IdempotencyService.execute produced on the response: its status, the
 * Idempotent-Replayed header on a replay, and problem+json for a replayed error.
 */
export function idempotentReply<T>(res: Response, result: StoredResponse<T>): T {
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  res.status(result.status);
  if (result.status >= 400) res.type('application/problem+json');
  return result.body;
}
