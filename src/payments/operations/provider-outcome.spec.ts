import { ProviderError } from '../../providers/provider-error';
import {
  afterRefusedResend,
  mayResend,
  nextLookAt,
  outcomeOf,
  refusalProblem,
} from './provider-outcome';

describe('provider outcomes of a capture, cancel or refund', () => {
  it.each([
    ['invalid_request', 422],
    ['declined', 402],
    ['not_found', 404],
    ['not_supported', 422],
    ['invalid_credentials', 401],
  ] as const)('a %s refusal means not done', async (code, status) => {
    const outcome = await outcomeOf(() => Promise.reject(new ProviderError(code, 'no', status)));
    expect(outcome.kind).toBe('refused');
  });

  it.each([
    ['timeout', undefined],
    ['connection_failed', undefined],
    ['provider_unavailable', 503],
    ['rate_limited', 429],
    ['in_progress', 409],
    ['provider_error', 200],
  ] as const)('%s leaves the outcome unknown', async (code, status) => {
    const outcome = await outcomeOf(() => Promise.reject(new ProviderError(code, 'lost', status)));
    expect(outcome.kind).toBe('unknown');
  });

  it('a 409 (the same idempotency key still being carried out at the PSP) is no answer, never a refusal', async () => {
    const error = ProviderError.fromHttpStatus(
      409,
      'Adyen: 704 request already processed or in progress',
    );
    expect(error).toMatchObject({ code: 'in_progress', retryable: true, httpStatus: 409 });
    expect((await outcomeOf(() => Promise.reject(error))).kind).toBe('unknown');
  });

  it('a 424 (a dependency behind the PSP failed) is no answer either', async () => {
    const error = ProviderError.fromHttpStatus(424, 'Stripe: external dependency failed');
    expect(error).toMatchObject({ code: 'provider_unavailable', retryable: true });
    expect((await outcomeOf(() => Promise.reject(error))).kind).toBe('unknown');
  });

  it("an error that is not the provider's (a bug after the request left) is unknown too, never a refusal", async () => {
    expect((await outcomeOf(() => Promise.reject(new TypeError('x is undefined')))).kind).toBe(
      'unknown',
    );
  });

  it('an answer is an answer', async () => {
    expect(await outcomeOf(() => Promise.resolve({ status: 'succeeded' }))).toEqual({
      kind: 'answered',
      result: { status: 'succeeded' },
    });
  });

  it('turns refusals into the problems the shop gets', () => {
    expect(refusalProblem(new ProviderError('declined', 'no'))).toMatchObject({
      status: 422,
      code: 'provider_declined',
    });
    expect(refusalProblem(new ProviderError('not_supported', 'no'))).toMatchObject({
      status: 422,
      code: 'not_supported_by_provider',
    });
    expect(refusalProblem(new ProviderError('invalid_credentials', 'no'))).toMatchObject({
      status: 502,
      code: 'provider_invalid_credentials',
    });
  });

  it('looks again on the schedule, repeating its last step', () => {
    const now = Date.UTC(2026, 0, 1);
    const at = (attempts: number) =>
      (nextLookAt([30, 60, 3600], attempts, now).getTime() - now) / 1000;
    expect([at(0), at(1), at(2), at(3), at(10)]).toEqual([30, 30, 60, 3600, 3600]);
  });

  it('sends again without a lookup only while the first key is surely remembered', () => {
    const now = Date.UTC(2026, 0, 2);
    expect(mayResend(false, new Date(now - 3_600_000), now)).toBe(true);
    expect(mayResend(false, new Date(now - 25 * 3_600_000), now)).toBe(false);
    expect(mayResend(true, new Date(now - 30 * 86_400_000), now)).toBe(true);
  });

  describe('a refused re-send of an operation whose first answer was lost', () => {
    const refused = (code: 'invalid_request' | 'invalid_credentials') =>
      ({ kind: 'refused', error: new ProviderError(code, 'no', 422) }) as const;

    it('is settled by what the provider then shows', async () => {
      const second = await afterRefusedResend(refused('invalid_request'), async () => ({
        status: 'succeeded',
      }));
      expect(second).toEqual({ state: { status: 'succeeded' } });
    });

    it('is not done when the provider says it has none', async () => {
      const second = await afterRefusedResend(refused('invalid_request'), async () => null);
      expect(second).toEqual({ outcome: refused('invalid_request') });
    });

    it('stays unknown when the second look fails: the first attempt may have gone through', async () => {
      const second = await afterRefusedResend(refused('invalid_request'), () =>
        Promise.reject(new Error('timeout')),
      );
      expect(second).toMatchObject({ outcome: { kind: 'unknown' } });
    });

    it('stays unknown when our credentials were refused (a rotated key says nothing about it)', async () => {
      const second = await afterRefusedResend(
        refused('invalid_credentials'),
        async () => undefined,
      );
      expect(second).toMatchObject({ outcome: { kind: 'unknown' } });
    });
  });
});
