import { vi } from 'vitest';

/** One request the dashboard sent: method, path with query, and the JSON body if any. */
export interface SentRequest {
  method: string;
  path: string;
  url: URL;
  body: unknown;
}

type Answer = { status?: number; body?: unknown } | undefined;
/** Answers synchronously, or later (a promise: the request stays in flight until it settles). */
type Handler = (request: SentRequest) => Answer | Promise<Answer>;

/**
 * A fake server for component tests. The API client (openapi-fetch) keeps the `fetch` it finds
 * when its module loads, so install this before importing anything that imports the client:
 *
 *   const api = vi.hoisted(() => installMockFetch());   // hoisted above the imports
 *
 * `api.on(handler)` answers requests (the first handler that returns something wins; unanswered
 * requests get 404), `api.sent` lists what was sent.
 */
export function installMockFetch() {
  const handlers: Handler[] = [];
  const sent: SentRequest[] = [];
  const fake = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = request.method === 'GET' ? '' : await request.text();
    const entry: SentRequest = {
      method: request.method,
      path: url.pathname + url.search,
      url,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
    sent.push(entry);
    for (const handler of handlers) {
      const answer = await handler(entry);
      if (answer) {
        const status = answer.status ?? 200;
        return new Response(JSON.stringify(answer.body ?? {}), {
          status,
          headers: {
            'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
          },
        });
      }
    }
    return new Response(JSON.stringify({ status: 404, title: 'Not Found' }), {
      status: 404,
      headers: { 'content-type': 'application/problem+json' },
    });
  });
  globalThis.fetch = fake as unknown as typeof fetch;
  return {
    sent,
    on(handler: Handler) {
      handlers.push(handler);
    },
    reset() {
      handlers.length = 0;
      sent.length = 0;
    },
  };
}
