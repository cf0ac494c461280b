/**
 * The fixed list of provider error codes. Connectors map every PSP failure onto one of these;
 * routing falls back to another account only on the retryable ones.
 */
export const PROVIDER_ERROR_CODES = {
  timeout: { retryable: true, description: 'the provider did not answer in time' },
  connection_failed: { retryable: true, description: 'the provider could not be reached' },
  provider_unavailable: {
    retryable: true,
    description: 'the provider answered 5xx or is temporarily unavailable',
  },
  rate_limited: { retryable: true, description: 'the provider rate-limited us' },
  in_progress: {
    retryable: true,
    description:
      'the provider is still working on an earlier request with the same idempotency key',
  },
  invalid_credentials: { retryable: false, description: 'the provider refused our credentials' },
  declined: { retryable: false, description: 'the provider declined the payment' },
  invalid_request: { retryable: false, description: 'the provider refused the request as invalid' },
  not_found: { retryable: false, description: 'the provider does not know the object' },
  not_supported: { retryable: false, description: 'the provider cannot do this' },
  provider_error: { retryable: false, description: 'the provider failed in an unexpected way' },
} as const;

export type ProviderErrorCode = keyof typeof PROVIDER_ERROR_CODES;

export class ProviderError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.retryable = PROVIDER_ERROR_CODES[code].retryable;
  }

  /** The error class for an HTTP answer that is not a success. */
  static fromHttpStatus(status: number, message: string): ProviderError {
    if (status === 401 || status === 403)
      return new ProviderError('invalid_credentials', message, status);
    if (status === 404) return new ProviderError('not_found', message, status);
    if (status === 429) return new ProviderError('rate_limited', message, status);
    // 409 is how PSPs answer a repeat of an idempotent request they are still carrying out
    // (Adyen 704, PayPal PREVIOUS_REQUEST_IN_PROGRESS, Stripe idempotency_key_in_use): the
    // first request may yet succeed, so this is no answer, never a refusal.
    if (status === 409) return new ProviderError('in_progress', message, status);
    if (status === 402) return new ProviderError('declined', message, status);
    // 424: a dependency behind the PSP failed (Stripe): as unknown as a 5xx.
    if (status >= 500 || status === 424)
      return new ProviderError('provider_unavailable', message, status);
    if (status >= 400) return new ProviderError('invalid_request', message, status);
    return new ProviderError('provider_error', message, status);
  }
}

/** A webhook whose signature does not verify. */
export class WebhookVerificationError extends Error {}
