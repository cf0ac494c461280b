import { Logger } from '@nestjs/common';
import { ProviderHttpClient, type HttpRequest } from '../provider-http.client';
import type {
  CreatePaymentRequest,
  OperationRequest,
  ProviderCallContext,
} from '../provider.interface';
import { recordingContext } from '../../../test/support/provider-context';
import { StripeSimulator } from '../../../test/simulators/stripe/stripe.simulator';
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

describe('StripeProvider.cancel', () => {
  /** Stripe holds the session (its PaymentIntent expanded, as the connector asks) and answers the POST. */
  function account(sessionState: Record<string, unknown>, seen: HttpRequest[]) {
    return recordingContext(
      { provider: 'stripe', credentials },
      (request) =>
        request.method === 'GET'
          ? { id: 'cs_test_1', object: 'checkout.session', ...sessionState }
          : request.url.includes('/expire')
            ? { id: 'cs_test_1', object: 'checkout.session', status: 'expired' }
            : { id: 'pi_1', object: 'payment_intent', status: 'canceled' },
      seen,
    );
  }
  const calls = (seen: HttpRequest[]) =>
    seen.map(
      (r) => `${r.method} ${new URL(r.url).pathname} ${r.headers?.['idempotency-key'] ?? ''}`,
    );
  const read = 'GET /v1/checkout/sessions/cs_test_1 ';

  it('expires an open session', async () => {
    const seen: HttpRequest[] = [];
    const result = await new StripeProvider().cancel(
      account({ status: 'open', payment_intent: null }, seen),
      operation,
    );
    expect(result).toEqual({ status: 'succeeded' });
    expect(calls(seen)).toEqual([read, 'POST /v1/checkout/sessions/cs_test_1/expire op_1-expire']);
  });

  it('an expired session is canceled already: succeeded, with no call that Stripe would refuse', async () => {
    const seen: HttpRequest[] = [];
    const result = await new StripeProvider().cancel(
      account({ status: 'expired', payment_intent: null }, seen),
      operation,
    );
    expect(result).toEqual({ status: 'succeeded' });
    expect(calls(seen)).toEqual([read]);
  });

  it('cancels the PaymentIntent of a completed session while it is requires_capture', async () => {
    const seen: HttpRequest[] = [];
    const result = await new StripeProvider().cancel(
      account(
        { status: 'complete', payment_intent: { id: 'pi_1', status: 'requires_capture' } },
        seen,
      ),
      operation,
    );
    expect(result).toEqual({ status: 'succeeded', providerOperationId: 'pi_1' });
    expect(calls(seen)).toEqual([read, 'POST /v1/payment_intents/pi_1/cancel op_1-cancel']);
    expect(new URL(seen[0].url).searchParams.getAll('expand[]')).toContain('payment_intent');
  });

  it.each(['requires_payment_method', 'processing', 'succeeded'])(
    'refuses a completed session whose PaymentIntent is %s, naming the status, without calling /cancel',
    async (status) => {
      const seen: HttpRequest[] = [];
      const cancel = new StripeProvider().cancel(
        account({ status: 'complete', payment_intent: { id: 'pi_1', status } }, seen),
        operation,
      );
      await expect(cancel).rejects.toMatchObject({
        code: 'invalid_request',
        retryable: false,
        message: expect.stringContaining(`PaymentIntent pi_1`),
      });
      await expect(cancel).rejects.toThrow(`it is ${status}`);
      expect(calls(seen)).toEqual([read]);
    },
  );
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

describe('StripeProvider.createPayment sent again under the same Idempotency-Key (against the simulator)', () => {
  const sim = new StripeSimulator();
  const realNow = Date.now.bind(Date);
  let offsetMs = 0;
  let ctx: ProviderCallContext;

  beforeAll(async () => {
    await sim.start();
    ctx = {
      account: {
        id: 'pa_1',
        provider: 'stripe',
        credentials: { secretKey: sim.secretKey, webhookSecret: 'whsec_abcdefgh' },
        settings: {},
        baseUrl: sim.url,
        testMode: true,
      },
      webhookUrl: 'https://ps.example/webhooks/stripe/pa_1',
      http: new ProviderHttpClient('stripe', 'pa_1', { timeoutMs: 5000 }),
    };
  });
  afterAll(() => sim.stop());
  beforeEach(() => {
    offsetMs = 0;
    // Our clock and the simulator's (Stripe's) move on together.
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offsetMs);
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  const create = (paymentId: string, createdAt: Date): CreatePaymentRequest => ({
    paymentId,
    createdAt,
    reference: 'order-1',
    description: 'Order',
    amount: { value: 1050, currency: 'EUR' },
    returnUrl: 'https://shop.example/r',
    cancelUrl: null,
    method: null,
    captureMode: 'automatic',
    customer: null,
    metadata: null,
    // 1900 s after creation: more than 30 minutes ahead at the first send, not 2 minutes later.
    expiresAt: new Date(createdAt.getTime() + 1900_000),
  });

  it('sent again within 30 s: the same parameters, so Stripe replays the same session', async () => {
    const request = create('pay_quick', new Date(Date.now()));
    const first = await new StripeProvider().createPayment(ctx, request);
    offsetMs = 25_000;
    const again = await new StripeProvider().createPayment(ctx, request);
    expect(again.providerPaymentId).toBe(first.providerPaymentId);
    const sent = sim.callsTo('POST', /^\/v1\/checkout\/sessions$/).slice(-2);
    expect(sent[1].body).toBe(sent[0].body);
    expect(sent[1].headers['idempotency-key']).toBe('pay_quick');
  });

  it('a first send 2 minutes after creation is still accepted by Stripe (expires_at 30 minutes after the session)', async () => {
    const request = create('pay_late', new Date(Date.now()));
    offsetMs = 120_000;
    const result = await new StripeProvider().createPayment(ctx, request);
    const session = sim.sessions.get(result.providerPaymentId)!;
    expect(session.expires_at! - session.created).toBeGreaterThanOrEqual(1800);
  });

  it('sent again 2 minutes later after the first reached Stripe: the expiry moved, Stripe answers idempotency_error, which is in_progress (unknown), not a refusal', async () => {
    const request = create('pay_resent', new Date(Date.now()));
    await new StripeProvider().createPayment(ctx, request);
    const sessions = sim.sessions.size;
    offsetMs = 120_000;
    await expect(new StripeProvider().createPayment(ctx, request)).rejects.toMatchObject({
      code: 'in_progress',
      retryable: true,
      httpStatus: 400,
    });
    expect(sim.sessions.size).toBe(sessions);
  });
});
