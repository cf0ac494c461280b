import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';

const HEADER = 'x-request-id';
const SANE_ID = /^[\w.:-]{1,128}$/;

/** Echoes a sane incoming X-Request-Id or mints one, so logs and problem bodies correlate. */
export function assignRequestId(req: Request, res: Response): string {
  const incoming = req.headers[HEADER];
  const id = typeof incoming === 'string' && SANE_ID.test(incoming) ? incoming : randomUUID();
  (req as Request & { requestId?: string }).requestId = id;
  res.setHeader('X-Request-Id', id);
  return id;
}

export function requestIdOf(req: Request): string | undefined {
  return (req as Request & { requestId?: string }).requestId;
}
