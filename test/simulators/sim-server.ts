import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault = 'hang' | '503';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export type SimHandler = (request: SimRequest) => Promise<SimResponse> | SimResponse;

/**
 * The plumbing every PSP simulator shares: a node:http server on a free loopback port, one
 * handler, and switches that make the next API call hang (never answer) or answer 503.
 */
export class SimServer {
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly faults: Fault[] = [];
  baseUrl = '';
  /** Every API call, for assertions (method and path). */
  readonly calls: { method: string; path: string }[] = [];

  constructor(
    private readonly handler: SimHandler,
    /** Paths the fault switches do not touch (hosted pages). */
    private readonly faultFree: (path: string) => boolean = () => false,
  ) {}

  /** The next API call (or the next `count`) fails this way. */
  failNext(fault: Fault, count = 1): void {
    for (let i = 0; i < count; i++) this.faults.push(fault);
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://sim');
    if (!this.faultFree(url.pathname)) {
      this.calls.push({ method: req.method ?? 'GET', path: url.pathname });
      const fault = this.faults.shift();
      if (fault === 'hang') return; // the socket stays open until the client gives up
      if (fault === '503') {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
        return;
      }
    }
    let response: SimResponse;
    try {
      response = await this.handler({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
      });
    } catch (error) {
      response = { status: 500, body: { message: (error as Error).message } };
    }
    const contentType = response.contentType ?? 'application/json';
    const payload =
      response.body === undefined ? '' : typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    res.writeHead(response.status, { 'content-type': contentType, ...(response.headers ?? {}) }).end(payload);
  }
}

export function formFields(raw: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(raw));
}

export function checkoutPage(title: string, outcomes: string[]): string {
  const buttons = outcomes.map((o) => `<button name="outcome" value="${o}">${o}</button>`).join('\n');
  return `<!doctype html><html><body><h1>${title}</h1><form method="post">${buttons}</form></body></html>`;
}
