import * as http from 'node:http';
import type { IncomingMessage } from 'node:http';
import { problem } from '../errors/problem-details.filter';

/**
 * Only these request targets reach the application on the public listener: origin-form
 * `/webhooks/<provider>/<account id>` with an optional query. Anything else (absolute-form
 * targets, dot segments, percent-encoding, doubled slashes, other paths) never gets there,
 * so no parser or router downstream can read it as some other route.
 */
const WEBHOOK_TARGET = /^\/webhooks\/[A-Za-z0-9_-]{1,64}\/[A-Za-z0-9_-]{1,128}(?:\?[^#]*)?$/;
const WEBHOOK_METHODS = new Set(['POST', 'GET']);

const FROM_PUBLIC_LISTENER = Symbol('paymentserver.publicListener');

export function isWebhookRequestTarget(
  method: string | undefined,
  url: string | undefined,
): boolean {
  return WEBHOOK_METHODS.has(method ?? '') && WEBHOOK_TARGET.test(url ?? '');
}

/** True for requests that came in on the public listener (the guard checks their route again). */
export function cameFromPublicListener(req: IncomingMessage): boolean {
  return (
    (req as IncomingMessage & { [FROM_PUBLIC_LISTENER]?: boolean })[FROM_PUBLIC_LISTENER] === true
  );
}

export function markFromPublicListener(req: IncomingMessage): void {
  (req as IncomingMessage & { [FROM_PUBLIC_LISTENER]?: boolean })[FROM_PUBLIC_LISTENER] = true;
}

/**
 * The internet-facing listener: hands webhook requests to the same application as the
 * internal listener and answers 404 problem+json to everything else.
 */
export function createPublicListener(app: http.RequestListener): http.Server {
  const server = http.createServer((req, res) => {
    if (isWebhookRequestTarget(req.method, req.url)) {
      markFromPublicListener(req);
      app(req, res);
      return;
    }
    const body = JSON.stringify(
      problem(
        404,
        'not_found',
        'Not found',
        'Only /webhooks/{provider}/{providerAccountId} is served on this listener',
      ),
    );
    res.writeHead(404, {
      'content-type': 'application/problem+json',
      'content-length': Buffer.byteLength(body),
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  // Slow clients cannot hold the internet-facing sockets open for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}
