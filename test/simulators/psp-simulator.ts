import * as http from 'node:http';
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

export type Fault = 'hang' | 'unavailable';

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
  private faults: Fault[] = [];
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly inFlight = new Set<Promise<unknown>>();

  protected abstract handle(request: SimRequest): Promise<SimResponse> | SimResponse;
  /** Requests the faults apply to (the PSP's API, not its hosted pages). */
  protected abstract isApi(request: SimRequest): boolean;

  /** The next API call hangs (until the simulator stops) or answers 503. */
  failNextCall(fault: Fault): void {
    this.faults.push(fault);
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.dispatch(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
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
    if (this.isApi(request)) {
      this.calls.push({ method: request.method, path: request.path });
      const fault = this.faults.shift();
      if (fault === 'hang') return; // never answered; the socket is destroyed on stop()
      if (fault === 'unavailable') {
        res
          .writeHead(503, { 'content-type': 'text/html' })
          .end('<html><body>503 Service Temporarily Unavailable</body></html>');
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
    res.writeHead(response.status, response.headers ?? {}).end(response.body ?? '');
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
