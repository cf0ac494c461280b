import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  STRIPE_LOCALES,
  STRIPE_REFUND_STATUS_MAP,
  STRIPE_STATUS_MAP,
  stripeCancellationState,
  stripeCancelStep,
  stripeSessionState,
  stripeLocale,
  stripeError,
  stripeStatusKey,
  toStripeForm,
} from './stripe.mapper';
import { mapPspStatus } from '../connector/psp-status';
import type { StripeCheckoutSession, StripePaymentIntent } from './stripe.types';

function intent(status: string): StripePaymentIntent {
  return {
    id: 'pi_1',
    object: 'payment_intent',
    status,
    amount: 1050,
    amount_received: status === 'succeeded' ? 1050 : 0,
    amount_capturable: 0,
    currency: 'eur',
  };
}

function session(
  status: string,
  paymentStatus: string,
  pi: StripePaymentIntent | null,
): StripeCheckoutSession {
  return {
    id: 'cs_1',
    object: 'checkout.session',
    status,
    payment_status: paymentStatus,
    url: null,
    payment_intent: pi,
  };
}

describe('Stripe status mapping', () => {
  it.each([
    ['session.open', 'pending', session('open', 'unpaid', null)],
    ['session.expired', 'expired', session('expired', 'unpaid', null)],
    ['session.complete.unpaid', 'pending', session('complete', 'unpaid', null)],
    ['session.complete.paid', 'paid', session('complete', 'paid', null)],
    [
      'payment_intent.requires_payment_method',
      'pending',
      session('open', 'unpaid', intent('requires_payment_method')),
    ],
    [
      'payment_intent.requires_confirmation',
      'pending',
      session('open', 'unpaid', intent('requires_confirmation')),
    ],
    [
      'payment_intent.requires_action',
      'pending',
      session('open', 'unpaid', intent('requires_action')),
    ],
    ['payment_intent.processing', 'pending', session('complete', 'unpaid', intent('processing'))],
    [
      'payment_intent.requires_capture',
      'authorized',
      session('complete', 'unpaid', intent('requires_capture')),
    ],
    ['payment_intent.succeeded', 'paid', session('complete', 'paid', intent('succeeded'))],
    ['payment_intent.canceled', 'canceled', session('complete', 'unpaid', intent('canceled'))],
    [
      'session.complete+payment_intent.requires_payment_method',
      'failed',
      session('complete', 'unpaid', intent('requires_payment_method')),
    ],
  ])('%s is %s', (key, ours, s) => {
    expect(mapPspStatus(STRIPE_STATUS_MAP, key)).toBe(ours);
    expect(stripeStatusKey(s)).toBe(key);
    expect(stripeSessionState(s).status).toBe(ours);
  });

  it('covers every row of the table with a test', () => {
    expect(Object.keys(STRIPE_STATUS_MAP)).toHaveLength(12);
  });

  it('ignores an unknown status (null)', () => {
    expect(
      stripeSessionState(session('complete', 'unpaid', intent('requires_reauthorization'))),
    ).toMatchObject({ status: null, providerStatus: 'payment_intent.requires_reauthorization' });
  });

  it.each([
    ['pending', 'pending'],
    ['requires_action', 'pending'],
    ['succeeded', 'succeeded'],
    ['failed', 'failed'],
    ['canceled', 'failed'],
  ])('refund status %s is %s', (stripe, ours) => {
    expect(mapPspStatus(STRIPE_REFUND_STATUS_MAP, stripe)).toBe(ours);
  });
});

describe('Stripe cancel of a Checkout Session (PaymentIntents.d.ts, cancel)', () => {
  it.each([
    ['an open session is expired', session('open', 'unpaid', null), { step: 'expire' }, null],
    [
      'an open session whose first try was declined is expired',
      session('open', 'unpaid', intent('requires_payment_method')),
      { step: 'expire' },
      null,
    ],
    [
      'an authorization is canceled',
      session('complete', 'unpaid', intent('requires_capture')),
      { step: 'cancel', intentId: 'pi_1' },
      null,
    ],
    [
      'an expired session needs nothing more',
      session('expired', 'unpaid', null),
      { step: 'done' },
      { status: 'succeeded', providerStatus: 'session.expired' },
    ],
    [
      'a canceled PaymentIntent needs nothing more',
      session('complete', 'unpaid', intent('canceled')),
      { step: 'done' },
      { status: 'succeeded', providerStatus: 'payment_intent.canceled' },
    ],
  ])('%s', (_, s, step, state) => {
    expect(stripeCancelStep(s)).toEqual(step);
    expect(stripeCancellationState(s)).toEqual(state);
  });

  it.each([
    // The delayed payment failed: nothing to cancel, and Stripe refuses /cancel for it.
    ['requires_payment_method', 'session.complete+payment_intent.requires_payment_method'],
    ['succeeded', 'payment_intent.succeeded'],
    ['processing', 'payment_intent.processing'],
  ])(
    'a completed session whose PaymentIntent is %s cannot be canceled: failed, never sent again',
    (status, key) => {
      const s = session('complete', status === 'succeeded' ? 'paid' : 'unpaid', intent(status));
      const step = stripeCancelStep(s);
      expect(step).toEqual({ step: 'refused', reason: expect.stringContaining(`it is ${status}`) });
      expect(stripeCancellationState(s)).toEqual({
        status: 'failed',
        providerStatus: key,
        failure: { code: 'not_cancelable', message: expect.stringContaining('pi_1') },
      });
    },
  );
});

describe('Stripe form encoding', () => {
  it('uses bracket notation for nested objects and arrays and skips undefined', () => {
    const form = toStripeForm({
      mode: 'payment',
      line_items: [{ quantity: 1, price_data: { unit_amount: 1050 } }],
      skip: undefined,
      metadata: { a: 'b c' },
    });
    expect(decodeURIComponent(form)).toBe(
      'mode=payment&line_items[0][quantity]=1&line_items[0][price_data][unit_amount]=1050&metadata[a]=b+c',
    );
  });
});

describe('Stripe Checkout locale', () => {
  it('offers exactly the locales of the installed stripe package (SessionCreateParams.Locale)', () => {
    // The package's exports hide its type files from require.resolve.
    const types = readFileSync(
      join(__dirname, '../../../node_modules/stripe/cjs/resources/Checkout/Sessions.d.ts'),
      'utf8',
    );
    const line = /type Locale = ([^;]+);/.exec(types)![1];
    const sdk = [...line.matchAll(/'([^']+)'/g)].map((m) => m[1]).filter((l) => l !== 'auto');
    expect([...STRIPE_LOCALES].sort()).toEqual(sdk.sort());
  });

  it.each([
    ['nl', 'nl'],
    ['nl-NL', 'nl'],
    ['pt-BR', 'pt-BR'],
    ['pt_BR', 'pt-BR'],
    ['pt-PT', 'pt'],
    ['fr-CA', 'fr-CA'],
    ['fr-BE', 'fr'],
    ['en-GB', 'en-GB'],
    ['en-US', 'en'],
    ['zh-TW', 'zh-TW'],
    ['zh-HK', 'zh-HK'],
    ['zh-MO', 'zh-HK'],
    ['zh-CN', 'zh'],
    ['es-MX', 'es-419'],
    ['es-ES', 'es'],
    ['no', 'nb'],
    ['no-NO', 'nb'],
    ['nb-NO', 'nb'],
    ['hi', 'hi-IN'],
    ['ko', 'ko'],
    ['id', 'id'],
    ['ms-MY', 'ms'],
    ['mt', 'mt'],
    ['th', 'th'],
    ['vi', 'vi'],
  ])('%s is %s', (ours, stripe) => {
    expect(stripeLocale(ours)).toBe(stripe);
  });

  it.each(['xx', 'ar-SA', '', null, undefined])(
    'a language Checkout does not offer (%p) is left to Checkout',
    (ours) => {
      expect(stripeLocale(ours)).toBeUndefined();
    },
  );
});

describe('Stripe errors', () => {
  const answer = (status: number, error: Record<string, string>) =>
    stripeError({
      status,
      headers: new Headers(),
      text: JSON.stringify({ error }),
    } as unknown as Parameters<typeof stripeError>[0]);

  it.each([
    [400, { type: 'idempotency_error', message: 'Keys for idempotent requests…' }, 'in_progress'],
    [409, { type: 'idempotency_error', code: 'idempotency_key_in_use' }, 'in_progress'],
    [402, { type: 'card_error', code: 'card_declined' }, 'declined'],
    [400, { type: 'invalid_request_error', code: 'parameter_missing' }, 'invalid_request'],
    // As the SDK reads it (cjs/Error.js): 429, or 400 with code rate_limit, is a rate limit.
    [429, { type: 'invalid_request_error', code: 'rate_limit' }, 'rate_limited'],
    [400, { type: 'invalid_request_error', code: 'rate_limit' }, 'rate_limited'],
    [404, { type: 'invalid_request_error', code: 'rate_limit' }, 'not_found'],
  ])('HTTP %d %j → %s', (status, error, code) => {
    expect(answer(status, error).code).toBe(code);
  });

  it('a 400 rate_limit is retryable, never a refusal', () => {
    const error = answer(400, {
      type: 'invalid_request_error',
      code: 'rate_limit',
      message: 'Too many requests hit the API too quickly.',
    });
    expect(error).toMatchObject({ code: 'rate_limited', retryable: true, httpStatus: 400 });
    expect(error.message).toContain('Too many requests');
  });
});
