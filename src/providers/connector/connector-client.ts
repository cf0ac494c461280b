import type { ProviderError } from '../provider-error';
import type { HttpRequest, HttpResponse } from '../provider-http.client';
import type { ProviderCallContext } from '../provider.interface';

/** One request as a connector names it: a path under the PSP's base URL and an unencoded body. */
export interface ConnectorRequest {
  method: HttpRequest['method'];
  path: string;
  body?: unknown;
  /** Sent under the spec's `idempotencyHeader`; the same on every retry of one operation. */
  idempotencyKey?: string;
}

/**
 * What a connector fills in so the shared `call` can speak to its PSP (Hyperswitch's
 * `ConnectorCommon`, ActiveMerchant's `test_url`/`live_url`/`commit`). Everything else (URL
 * joining, encoding, timeouts, logging, the 401 retry) lives once, in ConnectorClient.
 */
export interface ConnectorSpec {
  /** The PSP's base URL for this account: `account.baseUrl` (simulator, proxy), else test or live. */
  baseUrl(ctx: ProviderCallContext): string;
  /** The authentication headers; `renew` asks for a fresh token after a 401 (OAuth connectors). */
  authHeaders(
    ctx: ProviderCallContext,
    renew: boolean,
  ): Record<string, string> | Promise<Record<string, string>>;
  /** Further headers every request carries (accept, API version, PayPal's `prefer`). */
  headers?(request: ConnectorRequest): Record<string, string>;
  /** The header that carries the idempotency key (default `idempotency-key`). */
  idempotencyHeader?: string;
  /** How a body goes on the wire (default JSON). */
  encodeBody?(body: unknown): { contentType: string; body: string };
  /** A 2xx answer as the connector's result (default: its JSON); may throw for an error envelope. */
  readSuccess?(response: HttpResponse): unknown;
  /** A non-2xx answer as one of our ProviderErrors (PSP error codes, 5xx = provider_unavailable). */
  parseError(response: HttpResponse): ProviderError;
  /** Retry once with renewed auth headers on a 401 (a token revoked or expired early). */
  renewOnUnauthorized?: boolean;
}

function jsonBody(body: unknown): { contentType: string; body: string } {
  return { contentType: 'application/json', body: JSON.stringify(body) };
}

/** The one `call` of every connector: a connector supplies a ConnectorSpec, never its own transport. */
export class ConnectorClient {
  constructor(private readonly spec: ConnectorSpec) {}

  /** The PSP's parsed answer, or a ProviderError (its error parsing, or the transport's). */
  async call<T>(
    ctx: ProviderCallContext,
    method: HttpRequest['method'],
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<T> {
    const response = await this.send(ctx, { method, path, body, idempotencyKey });
    if (response.status < 200 || response.status >= 300) throw this.spec.parseError(response);
    return (this.spec.readSuccess ? this.spec.readSuccess(response) : response.json()) as T;
  }

  /** The raw answer, whatever its status (test-connection reads the status itself). */
  async send(ctx: ProviderCallContext, request: ConnectorRequest): Promise<HttpResponse> {
    const attempt = async (renew: boolean) => {
      const encoded =
        request.body === undefined ? undefined : (this.spec.encodeBody ?? jsonBody)(request.body);
      const headers: Record<string, string> = {
        ...(this.spec.headers?.(request) ?? {}),
        ...(await this.spec.authHeaders(ctx, renew)),
        ...(encoded ? { 'content-type': encoded.contentType } : {}),
        ...(request.idempotencyKey
          ? { [this.spec.idempotencyHeader ?? 'idempotency-key']: request.idempotencyKey }
          : {}),
      };
      return ctx.http.request({
        method: request.method,
        url: joinUrl(this.spec.baseUrl(ctx), request.path),
        headers,
        body: encoded?.body,
      });
    };
    const response = await attempt(false);
    if (response.status === 401 && this.spec.renewOnUnauthorized) return attempt(true);
    return response;
  }
}

/** `base` + `path` with exactly one slash between them. */
export function joinUrl(base: string, path: string): string {
  if (!path) return base;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** A body parsed as JSON, or `{}` when it is not (a proxy's or an outage page). */
export function parseJsonOr<T extends object>(text: string): Partial<T> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Partial<T>) : {};
  } catch {
    return {};
  }
}
