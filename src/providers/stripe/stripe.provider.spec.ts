import type { HttpRequest } from '../provider-http.client';
import type { OperationRequest } from '../provider.interface';
import { recordingContext } from '../../../test/support/provider-context';
import { refusal } from '../capabilities';
import { StripeProvider } from './stripe.provider';

const credentials = { secretKey: 'sk_test_abcdefgh12345678', webhookSecret: 'whsec_abcdefgh' };

const operation: OperationRequest = {
  id: 'op_1',
  paymentId: 'pay_1',
  providerPaymentId: 'cs_test_1',
  providerReference: null,
  amount: { value: 700, currency: 'EUR' },
  idempotencyKey: 'op_1',
  providerOperationId: null,
};

/** Stripe answers: the session names its PaymentIntent; the capture answers `intent`. */
function stripe(intent: Record<string, unknown>, seen: HttpRequest[]) {
  return recordingContext(
    { provider: 'stripe', credentials },
    (request) =>
      request.url.includes('/v1/checkout/sessions/')
        ? {
            id: 'cs_test_1',
            object: 'checkout.session',
            status: 'complete',
            payment_intent: 'pi_1',
          }
        : { id: 'pi_1', object: 'payment_intent', amount: 1050, ...intent },
    seen,
  );
}

describe('StripeProvider.capabilities', () => {
  it.each([
    ['EUR', 49, '0.50'],
    ['GBP', 29, '0.30'],
    ['HKD', 399, '4.00'],
    ['JPY', 49, '50'],
    ['CZK', 1499, '15.00'],
  ])('refuses %s %i (minor units) as below Stripe’s minimum of %s', (currency, amount, shown) => {
    const provider = new StripeProvider();
    expect(refusal(provider, { currency, amount, method: 'card' })?.what).toBe(
      `${currency} payments below ${shown}`,
    );
    expect(refusal(provider, { currency, amount: amount + 1, method: 'card' })).toBeNull();
  });
});

describe('StripeProvider.capture', () => {
  it('reports what Stripe received once the PaymentIntent succeeded', async () => {
    const seen: HttpRequest[] = [];
    const result = await new StripeProvider().capture(
      stripe({ status: 'succeeded', amount_received: 700 }, seen),
      operation,
    );
    expect(result).toEqual({
      status: 'succeeded',
      amountCaptured: 700,
      providerOperationId: 'pi_1',
    });
    expect(seen.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      'GET /v1/checkout/sessions/cs_test_1',
      'POST /v1/payment_intents/pi_1/capture',
    ]);
  });

  it('a PaymentIntent still processing is pending, with nothing captured yet', async () => {
    const result = await new StripeProvider().capture(
      stripe({ status: 'processing', amount_received: 0 }, []),
      operation,
    );
    expect(result).toEqual({ status: 'pending', amountCaptured: 0, providerOperationId: 'pi_1' });
  });
});

describe('StripeProvider.testConnection', () => {
  it('probes with a read the connector needs (Checkout Sessions), not the balance', async () => {
    const seen: HttpRequest[] = [];
    const ctx = recordingContext(
      { provider: 'stripe', credentials },
      () => ({ object: 'list', data: [], has_more: false }),
      seen,
    );
    await new StripeProvider().testConnection(ctx);
    expect(
      seen.map((r) => `${r.method} ${new URL(r.url).pathname}${new URL(r.url).search}`),
    ).toEqual(['GET /v1/checkout/sessions?limit=1']);
  });
});

describe('StripeProvider.refund', () => {
  it('sends the PaymentIntent id once form-encoded, not encoded twice', async () => {
    const seen: HttpRequest[] = [];
    const ctx = recordingContext(
      { provider: 'stripe', credentials },
      (request) =>
        request.url.includes('/v1/checkout/sessions/')
          ? { id: 'cs_test_1', status: 'complete', payment_intent: 'pi_1/odd' }
          : { id: 're_1', object: 'refund', status: 'succeeded', amount: 700 },
      seen,
    );
    await new StripeProvider().refund(ctx, operation);
    expect(new URLSearchParams(seen[1].body as string).get('payment_intent')).toBe('pi_1/odd');
  });
});
