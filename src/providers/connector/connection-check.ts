import { ProviderError } from '../provider-error';
import type { HttpResponse } from '../provider-http.client';

/** What a test connection found; never carries a credential. */
export interface ConnectionCheck {
  ok: boolean;
  outcome: 'ok' | 'unauthorized' | 'unreachable' | 'error';
  httpStatus: number | null;
  message: string;
  durationMs: number;
}

/**
 * Sends one cheap authenticated read-only request and classifies the answer: 2xx ok, 401/403
 * unauthorized, no answer (refused, timeout) unreachable, anything else error. The PSP's body
 * is not echoed: it may repeat what was sent.
 */
export async function probeConnection(
  label: string,
  send: () => Promise<HttpResponse>,
): Promise<ConnectionCheck> {
  const started = Date.now();
  const done = (
    outcome: ConnectionCheck['outcome'],
    httpStatus: number | null,
    message: string,
  ) => ({
    ok: outcome === 'ok',
    outcome,
    httpStatus,
    message,
    durationMs: Date.now() - started,
  });
  try {
    const response = await send();
    if (response.status >= 200 && response.status < 300)
      return done('ok', response.status, `${label} accepted the credentials`);
    if (response.status === 401 || response.status === 403)
      return done('unauthorized', response.status, `${label} refused the credentials`);
    return done('error', response.status, `${label} answered HTTP ${response.status}`);
  } catch (error) {
    if (
      error instanceof ProviderError &&
      (error.code === 'timeout' || error.code === 'connection_failed')
    )
      return done('unreachable', null, error.message);
    if (error instanceof ProviderError)
      return done('error', error.httpStatus ?? null, error.message);
    throw error;
  }
}
