import {
  DomainError,
  ProviderFailureError,
  UnprocessableError,
} from '../../common/errors/domain-error';
import { redactText } from '../../common/logging/redact';
import { ProviderError, ProviderErrorCode } from '../../providers/provider-error';

/**
 * How a capture, cancel or refund call ended. Only a refusal by the provider itself means
 * "not done"; no answer (timeout, reset, 5xx) and a rate limit (429) leave it unknown.
 */
export type ProviderOutcome<T> =
  | { kind: 'answered'; result: T }
  | { kind: 'refused'; error: ProviderError }
  | { kind: 'unknown'; error: Error };

/**
 * The provider refused the request itself (4xx): nothing was done. 429 is not among them: it
 * also means "not done", but what the shop asked for is still wanted, so it is sent again later
 * with the same idempotency key, its amount kept reserved meanwhile.
 */
const REFUSALS: ReadonlySet<ProviderErrorCode> = new Set<ProviderErrorCode>([
  'invalid_request',
  'declined',
  'not_found',
  'not_supported',
  'invalid_credentials',
]);

export function isRefusal(error: unknown): error is ProviderError {
  return error instanceof ProviderError && REFUSALS.has(error.code);
}

export async function outcomeOf<T>(call: () => Promise<T>): Promise<ProviderOutcome<T>> {
  try {
    return { kind: 'answered', result: await call() };
  } catch (error) {
    if (isRefusal(error)) return { kind: 'refused', error };
    // Anything else (a transport error, a 5xx, an answer we could not read, a bug of ours
    // after the request left) may have happened at the provider.
    return { kind: 'unknown', error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** A provider error as it is stored and logged: code and scrubbed message, bounded. */
export function describeError(error: Error): string {
  const code = error instanceof ProviderError ? error.code : 'error';
  return `${code}: ${redactText(error.message)}`.slice(0, 1024);
}

/** A provider's refusal of a shop-initiated operation as the problem the shop gets. */
export function refusalProblem(error: ProviderError): DomainError {
  if (error.code === 'not_supported')
    return new UnprocessableError(
      'not_supported_by_provider',
      'Not supported by provider',
      redactText(error.message),
    );
  if (error.code === 'invalid_request' || error.code === 'declined') {
    return new UnprocessableError(
      `provider_${error.code}`,
      'Refused by provider',
      redactText(error.message),
    );
  }
  return new ProviderFailureError(`provider_${error.code}`, redactText(error.message));
}

/** When to look at an open operation next: the schedule's step for this attempt, the last one repeating. */
export function nextLookAt(
  scheduleSeconds: readonly number[],
  attempts: number,
  now = Date.now(),
): Date {
  const step =
    scheduleSeconds[Math.min(Math.max(attempts - 1, 0), scheduleSeconds.length - 1)] ?? 60;
  return new Date(now + step * 1000);
}

/**
 * Without a lookup, a re-send is safe only while the provider still remembers the idempotency
 * key of the first attempt (Adyen: at least 7 days). Past this age an operation whose outcome is
 * still unknown is not sent again: it waits for the provider's webhook or an operator.
 */
export const RESEND_WITHOUT_LOOKUP_MS = 24 * 3_600_000;

/** Whether an operation whose outcome is unknown may be sent again now. */
export function mayResend(lookedUp: boolean, createdAt: Date, now = Date.now()): boolean {
  return lookedUp || now - createdAt.getTime() < RESEND_WITHOUT_LOOKUP_MS;
}

export const NOT_SENT_AGAIN =
  'not sent again: the provider cannot be asked about it and its idempotency key may have expired; waiting for its webhook or an operator';

/**
 * A re-send (after the first attempt's answer was lost) came back refused. The earlier attempt
 * may be why, so the provider is asked once more (`lookUp`): what it shows settles the
 * operation. Otherwise the refusal means "not done" only when it can speak for that earlier
 * attempt: not when the second look failed (nothing says the first did not go through), and
 * not when our credentials were refused (nothing about the operation was asked). Then the
 * outcome stays unknown: the amount stays reserved and the operation is looked at again.
 */
export async function afterRefusedResend<T, S>(
  refused: { kind: 'refused'; error: ProviderError },
  lookUp: () => Promise<S | null | undefined>,
): Promise<{ state: S } | { outcome: ProviderOutcome<T> }> {
  let lookupFailed = false;
  const state = await lookUp().catch(() => {
    lookupFailed = true;
    return undefined;
  });
  if (state) return { state };
  if (lookupFailed || refused.error.code === 'invalid_credentials')
    return { outcome: { kind: 'unknown', error: refused.error } };
  return { outcome: refused };
}
