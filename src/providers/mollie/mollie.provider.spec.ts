import { Logger } from '@nestjs/common';
import type { OperationRequest, ProviderCallContext } from '../provider.interface';
import type { HttpRequest } from '../provider-http.client';
import { MollieProvider } from './mollie.provider';
import { recordingContext } from '../../../test/support/provider-context';

/** A context whose HTTP client answers every request with `answer` (status 201). */
function context(answer: unknown, seen: HttpRequest[]): ProviderCallContext {
  const credentials = { apiKey: 'test_abcdefghijkl' };
  return recordingContext({ provider: 'mollie', credentials }, () => answer, seen, 201);
}

const op: OperationRequest = {
  id: 'op_1',
  paymentId: 'pay_1',
  providerPaymentId: 'tr_1',
  providerReference: null,
  amount: { value: 800, currency: 'EUR' },
  idempotencyKey: 'op_1',
  providerOperationId: null,
};

describe('MollieProvider capture', () => {
  it("reports the amount in Mollie's answer, not the one asked for", async () => {
    const seen: HttpRequest[] = [];
    const result = await new MollieProvider().capture(
      context(
        {
          resource: 'capture',
          id: 'cpt_1',
          status: 'pending',
          amount: { currency: 'EUR', value: '7.50' },
        },
        seen,
      ),
      op,
    );
    expect(JSON.parse(seen[0].body!).amount).toEqual({ currency: 'EUR', value: '8.00' });
    expect(result).toEqual({
      status: 'pending',
      amountCaptured: 750,
      providerOperationId: 'cpt_1',
    });
  });
});

/** A Mollie payment of EUR 10.50 as GET /v2/payments/tr_1 shows it. */
function molliePayment(status: string, captured: string): Record<string, unknown> {
  return {
    resource: 'payment',
    id: 'tr_1',
    status,
    amount: { currency: 'EUR', value: '10.50' },
    amountCaptured: { currency: 'EUR', value: captured },
  };
}

const succeededCapture = {
  resource: 'capture',
  id: 'cpt_1',
  status: 'succeeded',
  amount: { currency: 'EUR', value: '8.00' },
  metadata: { operationId: 'op_1' },
};

const RELEASE = 'https://api.mollie.com/v2/payments/tr_1/release-authorization';

/**
 * A context that answers by request: the capture (or capture list) with `capture`, the
 * payment with `payment`, a release with `release` (status and body).
 */
function routed(
  answers: {
    capture: unknown;
    payment?: unknown;
    release?: { status: number; body: unknown };
  },
  seen: HttpRequest[],
): ProviderCallContext {
  const release = answers.release ?? { status: 202, body: '' };
  const ctx = recordingContext(
    { provider: 'mollie', credentials: { apiKey: 'test_abcdefghijkl' } },
    (request) => {
      if (request.url === RELEASE) return release.body;
      return request.url.includes('/captures') ? answers.capture : answers.payment;
    },
    seen,
    201,
  );
  const http = ctx.http;
  return {
    ...ctx,
    http: {
      request: async (request: HttpRequest) => {
        const response = await http.request(request);
        return request.url === RELEASE ? { ...response, status: release.status } : response;
      },
    } as unknown as ProviderCallContext['http'],
  };
}

const calls = (seen: HttpRequest[]) => seen.map((r) => `${r.method} ${new URL(r.url).pathname}`);

describe('MollieProvider: the rest of a partially captured authorization', () => {
  it('is released once the partial capture succeeded: Idempotency-Key, no body, no testmode', async () => {
    const seen: HttpRequest[] = [];
    const result = await new MollieProvider().capture(
      routed({ capture: succeededCapture, payment: molliePayment('authorized', '8.00') }, seen),
      op,
    );
    expect(result).toEqual({
      status: 'succeeded',
      amountCaptured: 800,
      providerOperationId: 'cpt_1',
    });
    expect(calls(seen)).toEqual([
      'POST /v2/payments/tr_1/captures',
      'GET /v2/payments/tr_1',
      'POST /v2/payments/tr_1/release-authorization',
    ]);
    expect(seen[2].headers).toMatchObject({
      'idempotency-key': 'op_1-release',
      authorization: 'Bearer test_abcdefghijkl',
    });
    expect(seen[2].body).toBeUndefined();
  });

  it('is not asked for after a full capture', async () => {
    const seen: HttpRequest[] = [];
    const full = { ...succeededCapture, amount: { currency: 'EUR', value: '10.50' } };
    const result = await new MollieProvider().capture(
      routed({ capture: full, payment: molliePayment('paid', '10.50') }, seen),
      { ...op, amount: { value: 1050, currency: 'EUR' } },
    );
    expect(result.status).toBe('succeeded');
    expect(calls(seen)).toEqual(['POST /v2/payments/tr_1/captures', 'GET /v2/payments/tr_1']);
  });

  it('is not asked for when Mollie closed the payment itself after the partial capture (paid)', async () => {
    const seen: HttpRequest[] = [];
    await new MollieProvider().capture(
      routed({ capture: succeededCapture, payment: molliePayment('paid', '8.00') }, seen),
      op,
    );
    expect(calls(seen)).not.toContain('POST /v2/payments/tr_1/release-authorization');
  });

  it('is not asked for while the capture is pending at Mollie', async () => {
    const seen: HttpRequest[] = [];
    const pending = { ...succeededCapture, status: 'pending' };
    const result = await new MollieProvider().capture(routed({ capture: pending }, seen), op);
    expect(result.status).toBe('pending');
    expect(calls(seen)).toEqual(['POST /v2/payments/tr_1/captures']);
  });

  it.each([
    [422, 'refused', 'invalid_request'],
    [503, 'of unknown outcome', 'provider_unavailable'],
  ])('is not asked for when the capture answer is %i (%s)', async (status, _label, code) => {
    const seen: HttpRequest[] = [];
    const ctx = recordingContext(
      { provider: 'mollie', credentials: { apiKey: 'test_abcdefghijkl' } },
      () => ({ status, title: 'No', detail: 'no' }),
      seen,
      status,
    );
    await expect(new MollieProvider().capture(ctx, op)).rejects.toMatchObject({ code });
    expect(calls(seen)).toEqual(['POST /v2/payments/tr_1/captures']);
  });

  it('refused by Mollie: the capture stands, a warning names the payment and no secret', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const seen: HttpRequest[] = [];
      const refusal = {
        status: 422,
        title: 'Unprocessable Entity',
        detail:
          'Authorization cannot be released because the payment is not in the authorized state.',
      };
      const result = await new MollieProvider().capture(
        routed(
          {
            capture: succeededCapture,
            payment: molliePayment('authorized', '8.00'),
            release: { status: 422, body: refusal },
          },
          seen,
        ),
        op,
      );
      expect(result).toEqual({
        status: 'succeeded',
        amountCaptured: 800,
        providerOperationId: 'cpt_1',
      });
      expect(warn).toHaveBeenCalledWith({
        msg: 'the rest of a partially captured authorization was not released at Mollie',
        paymentId: 'pay_1',
        operationId: 'op_1',
        code: 'invalid_request',
        error: expect.stringContaining('not in the authorized state'),
      });
      expect(JSON.stringify(warn.mock.calls)).not.toContain('abcdefghijkl');
    } finally {
      warn.mockRestore();
    }
  });

  it('is released when the lookup after a lost answer finds the capture succeeded, not while it is pending', async () => {
    const list = (capture: unknown) => ({ count: 1, _embedded: { captures: [capture] } });
    const seen: HttpRequest[] = [];
    const found = await new MollieProvider().getCapture(
      routed(
        { capture: list(succeededCapture), payment: molliePayment('authorized', '8.00') },
        seen,
      ),
      op,
    );
    expect(found).toMatchObject({ status: 'succeeded', amountCaptured: 800 });
    expect(calls(seen)).toEqual([
      'GET /v2/payments/tr_1/captures',
      'GET /v2/payments/tr_1',
      'POST /v2/payments/tr_1/release-authorization',
    ]);
    expect(seen[2].headers).toMatchObject({ 'idempotency-key': 'op_1-release' });

    const later: HttpRequest[] = [];
    const pending = await new MollieProvider().getCapture(
      routed({ capture: list({ ...succeededCapture, status: 'pending' }) }, later),
      op,
    );
    expect(pending).toMatchObject({ status: 'pending' });
    expect(calls(later)).toEqual(['GET /v2/payments/tr_1/captures']);
  });
});

describe('MollieProvider: the payment state read for the core embeds refunds and chargebacks', () => {
  const reversed = {
    ...molliePayment('paid', '10.50'),
    metadata: { paymentId: 'pay_1' },
    _embedded: {
      refunds: [],
      chargebacks: [
        {
          resource: 'chargeback',
          id: 'chb_1',
          amount: { currency: 'EUR', value: '10.50' },
          createdAt: '2024-03-20T09:13:37+00:00',
          reversedAt: '2024-03-21T09:13:37+00:00',
          paymentId: 'tr_1',
        },
      ],
    },
  };
  const query = (seen: HttpRequest[]) => seen.map((r) => new URL(r.url).search);

  it('getPayment (the reconciler poll) reports a reversed chargeback', async () => {
    const seen: HttpRequest[] = [];
    const ctx = recordingContext(
      { provider: 'mollie', credentials: { apiKey: 'test_abcdefghijkl' } },
      () => reversed,
      seen,
    );
    const state = await new MollieProvider().getPayment(ctx, 'tr_1');
    expect(query(seen)).toEqual(['?embed=refunds,chargebacks']);
    expect(state).toMatchObject({ status: 'charged_back', chargebackReversed: true });
  });

  it('a webhook: the payment fetched with its chargebacks, the reversal reported as news', async () => {
    const seen: HttpRequest[] = [];
    const ctx = recordingContext(
      { provider: 'mollie', credentials: { apiKey: 'test_abcdefghijkl' } },
      () => reversed,
      seen,
    );
    const items = await new MollieProvider().completeWebhookNotification(
      ctx,
      { providerPaymentId: 'tr_1', fetchState: true },
      {
        id: 'pay_1',
        providerPaymentId: 'tr_1',
        providerReference: null,
        captureMode: 'automatic',
        amount: { value: 1050, currency: 'EUR' },
        status: 'charged_back',
      },
    );
    expect(query(seen)).toEqual(['?embed=refunds,chargebacks']);
    expect(items).toEqual([
      expect.objectContaining({
        providerPaymentId: 'tr_1',
        paymentId: 'pay_1',
        payment: expect.objectContaining({
          status: 'charged_back',
          providerStatus: 'paid:chargeback_reversed:chb_1',
          chargebackReversed: true,
        }),
      }),
    ]);
  });
});
