import { Logger } from '@nestjs/common';
import { redactText } from '../common/logging/redact';
import { ProviderError } from './provider-error';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  json<T = any>(): T;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'timeout' | 'error';

/** Where call durations go (the provider-request histogram); labels are from small fixed sets. */
export interface ProviderCallObserver {
  observe(
    labels: { provider: string; method: string; status_class: StatusClass },
    seconds: number,
  ): void;
}

/** An HTTP status as its class; without one, how the call failed (a timeout or any other error). */
export function statusClass(status: number | undefined, errorCode?: string): StatusClass {
  if (status === undefined || status < 100 || status > 599)
    return errorCode === 'timeout' ? 'timeout' : 'error';
  return `${Math.floor(status / 100)}xx` as StatusClass;
}

/** An account's `settings.requestTimeoutMs` (100 to 60000), or undefined for the default. */
export function requestTimeoutSetting(
  settings: Record<string, unknown> | null | undefined,
): number | undefined {
  const value = settings?.requestTimeoutMs;
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 60_000
    ? value
    : undefined;
}

/**
 * The one HTTP client for provider calls: timeouts, transport-error mapping and scrubbed,
 * structured logging live here, not in the connectors. It returns every HTTP answer; the
 * connector decides what a status means (via ProviderError.fromHttpStatus or its own table).
 */
export class ProviderHttpClient {
  private readonly logger = new Logger('ProviderHttp');

  constructor(
    private readonly provider: string,
    private readonly accountId: string,
    /** Default per-call timeout, and an optional epoch-ms deadline no call may run past. */
    private readonly limits: { timeoutMs?: number; deadline?: number } = {},
    private readonly observer?: ProviderCallObserver,
  ) {}

  async request(request: HttpRequest): Promise<HttpResponse> {
    const started = Date.now();
    const remaining =
      this.limits.deadline === undefined ? Infinity : this.limits.deadline - started;
    if (remaining <= 0)
      throw new ProviderError(
        'timeout',
        `${this.provider} was not called: the time budget is spent`,
      );
    const timeoutMs = Math.min(
      request.timeoutMs ?? this.limits.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      remaining,
    );
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const failure = this.transportError(error);
      this.log(request, undefined, Date.now() - started, failure.code);
      this.observe(request, started, statusClass(undefined, failure.code));
      throw failure;
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The body stopped coming after the headers (timeout or reset): as retryable as no answer.
      const failure = this.transportError(error);
      this.log(request, undefined, Date.now() - started, failure.code);
      this.observe(request, started, statusClass(undefined, failure.code));
      throw failure;
    }
    this.log(request, response.status, Date.now() - started);
    this.observe(request, started, statusClass(response.status));
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: <T>() => {
        try {
          return JSON.parse(text) as T;
        } catch {
          throw new ProviderError(
            'provider_error',
            `provider answered non-JSON (HTTP ${response.status})`,
            response.status,
          );
        }
      },
    };
  }

  private transportError(error: unknown): ProviderError {
    const e = error as { name?: string; cause?: { code?: string }; message?: string };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
      return new ProviderError('timeout', `${this.provider} did not answer in time`);
    }
    return new ProviderError(
      'connection_failed',
      `${this.provider} could not be reached (${e?.cause?.code ?? e?.message ?? 'network error'})`,
    );
  }

  private observe(request: HttpRequest, started: number, status_class: StatusClass): void {
    this.observer?.observe(
      { provider: this.provider, method: request.method, status_class },
      (Date.now() - started) / 1000,
    );
  }

  private log(
    request: HttpRequest,
    status: number | undefined,
    durationMs: number,
    error?: string,
  ) {
    const url = new URL(request.url);
    const failed = error !== undefined || (status !== undefined && status >= 500);
    this.logger[failed ? 'warn' : 'debug']({
      msg: 'provider call',
      provider: this.provider,
      accountId: this.accountId,
      method: request.method,
      // Path only: query strings may carry ids or tokens.
      path: redactText(url.pathname),
      status,
      durationMs,
      error,
    });
  }
}
