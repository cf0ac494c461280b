import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * What goes wrong with one API call. Before the work: `hang` (never answered), `unavailable`
 * (503), `rate_limited` (429): the PSP did nothing. After the work (the PSP did it, but the
 * answer is lost): `reset_after_work` (the connection is reset instead of answered),
 * `unavailable_after_work` (a 503 instead of the answer), `hang_after_work` (never answered).
 */
export type Fault =
  | 'hang'
  | 'unavailable'
  | 'rate_limited'
  | 'reset_after_work'
  | 'unavailable_after_work'
  | 'hang_after_work';

/** Which API call a fault hits (default: the next one). */
export interface FaultMatch {
  method?: string;
  path?: RegExp;
}

/** One API call as the simulator received it. */
export interface SimCall {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The fault this call met, if any. */
  fault?: Fault;
}

export function json(status: number, body: unknown, contentType = 'application/json'): SimResponse {
  return { status, headers: { 'content-type': contentType }, body: JSON.stringify(body) };
}

export function text(status: number, body: string, contentType = 'text/plain'): SimResponse {
  return { status, headers: { 'content-type': contentType }, body };
}

export function redirect(location: string): SimResponse {
  return { status: 303, headers: { location } };
}

/**
 * The shared shell of every PSP simulator (test/simulators/<psp>/): a node:http server on a
 * free loopback port, a record of the API calls, switches that make the next API call hang or
 * answer 503, and webhook delivery that can drop webhooks. The hosted checkout pages are
 * exempt from the faults and the record: they are the customer's browser, not us.
 */
export abstract class PspSimulator {
  url = '';
  /** Webhooks sent (or dropped) so far, newest last. */
  readonly webhooks: {
    url: string;
    headers: Record<string, string>;
    body: string;
    dropped: boolean;
    status?: number;
  }[] = [];
  /** When true, webhooks are recorded but not delivered (a lost webhook). */
  dropWebhooks = false;
  /** Every API call, for assertions (method and path). */
  readonly calls: { method: string; path: string }[] = [];
  /** The same calls in full: headers (idempotency keys), body, the fault each met. */
  readonly requests: SimCall[] = [];
  private faults: { fault: Fault; match: FaultMatch }[] = [];
  private server?: http.Server | https.Server;
  private readonly sockets = new Set<Socket>();
  private readonly inFlight = new Set<Promise<unknown>>();

  protected abstract handle(request: SimRequest): Promise<SimResponse> | SimResponse;
  /** Requests the faults apply to (the PSP's API, not its hosted pages). */
  protected abstract isApi(request: SimRequest): boolean;

  /** The next API call (the next one that `match` fits) meets `fault`. */
  failNextCall(fault: Fault, match: FaultMatch = {}): void {
    this.faults.push({ fault, match });
  }

  /** The calls of one method whose path matches, in order. */
  callsTo(method: string, path: RegExp): SimCall[] {
    return this.requests.filter((call) => call.method === method && path.test(call.path));
  }

  /**
   * On a free port of 127.0.0.1, over plain HTTP; or, for a server in a container that requires
   * https (production), over TLS with `tls` on `host`.
   */
  async start(options: { host?: string; tls?: https.ServerOptions } = {}): Promise<this> {
    const host = options.host ?? '127.0.0.1';
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) =>
      void this.dispatch(req, res);
    this.server = options.tls
      ? https.createServer(options.tls, handler)
      : http.createServer(handler);
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `${options.tls ? 'https' : 'http'}://${host}:${port}`;
    return this;
  }

  /** Waits for webhooks in flight, then stops. */
  async stop(): Promise<void> {
    await this.settled();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  /** Waits for the webhooks in flight (sent with `later`). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Runs `send` after the current API call has been answered, as a PSP sends its webhooks. */
  protected later(send: () => Promise<unknown>): void {
    const delivery = new Promise((resolve) => setImmediate(resolve)).then(send);
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** Delivers a webhook like the PSP does (or records it as dropped). */
  protected async sendWebhook(
    url: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<void> {
    const record: (typeof this.webhooks)[number] = {
      url,
      headers,
      body,
      dropped: this.dropWebhooks,
    };
    this.webhooks.push(record);
    if (record.dropped) return;
    try {
      const response = await fetch(url, { method: 'POST', headers, body });
      record.status = response.status;
      await response.text();
    } catch {
      record.status = 0;
    }
  }

  /** Resends a recorded webhook byte for byte (a PSP retry). */
  async redeliver(index: number): Promise<number> {
    const hook = this.webhooks[index];
    const response = await fetch(hook.url, {
      method: 'POST',
      headers: hook.headers,
      body: hook.body,
    });
    await response.text();
    return response.status;
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://simulator');
    const request: SimRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    let fault: Fault | undefined;
    if (this.isApi(request)) {
      fault = this.takeFault(request);
      this.calls.push({ method: request.method, path: request.path });
      this.requests.push({
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
        ...(fault ? { fault } : {}),
      });
      if (fault === 'hang') return; // never answered; the socket is destroyed on stop()
      if (fault === 'unavailable') return void unavailable(res);
      if (fault === 'rate_limited') {
        res
          .writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' })
          .end('{"error":"too many requests"}');
        return;
      }
    }
    let response: SimResponse;
    try {
      response = await this.handle(request);
    } catch (error) {
      response = {
        status: 500,
        headers: { 'content-type': 'text/plain' },
        body: String((error as Error).stack),
      };
    }
    // The work is done; now its answer is lost.
    if (fault === 'hang_after_work') return;
    if (fault === 'reset_after_work') return void req.socket.destroy();
    if (fault === 'unavailable_after_work') return void unavailable(res);
    res.writeHead(response.status, response.headers ?? {}).end(response.body ?? '');
  }

  private takeFault(request: SimRequest): Fault | undefined {
    const index = this.faults.findIndex(
      ({ match }) =>
        (!match.method || match.method === request.method) &&
        (!match.path || match.path.test(request.path)),
    );
    if (index < 0) return undefined;
    return this.faults.splice(index, 1)[0].fault;
  }
}

function unavailable(res: http.ServerResponse): void {
  res
    .writeHead(503, { 'content-type': 'text/html' })
    .end('<html><body>503 Service Temporarily Unavailable</body></html>');
}

/**
 * What a PSP that stores idempotency keys remembers: per key, the request it came with and the
 * answer it got. A repeat (same key, same request) gets that answer and nothing is done again.
 */
export class IdempotencyStore {
  private readonly seen = new Map<string, { fingerprint: string; response: SimResponse }>();

  /** The stored answer for a repeat; `conflict` when the key came with another request before. */
  lookup(key: string, fingerprint: string): SimResponse | 'conflict' | undefined {
    const seen = this.seen.get(key);
    if (!seen) return undefined;
    return seen.fingerprint === fingerprint ? seen.response : 'conflict';
  }

  remember(key: string, fingerprint: string, response: SimResponse): void {
    this.seen.set(key, { fingerprint, response });
  }
}

/** A form to drive the hosted checkout: one button per outcome. */
export function checkoutPage(title: string, outcomes: string[]): SimResponse {
  const buttons = outcomes.map((o) => `<button name="outcome" value="${o}">${o}</button>`).join('');
  return {
    status: 200,
    headers: { 'content-type': 'text/html' },
    body: `<!doctype html><title>${title}</title><form method="post">${buttons}</form>`,
  };
}

export function formFields(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}
