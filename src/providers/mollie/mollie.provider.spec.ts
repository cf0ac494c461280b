import type { OperationRequest, ProviderCallContext } from '../provider.interface';
import type { HttpRequest } from '../provider-http.client';
import { MollieProvider } from './mollie.provider';

/** A context whose HTTP client answers every request with `answer` (status 201). */
function context(answer: unknown, seen: HttpRequest[]): ProviderCallContext {
  return {
    account: {
      id: 'pa_1',
      provider: 'mollie',
      credentials: { apiKey: 'test_abcdefghijkl' },
      settings: {},
      baseUrl: null,
      testMode: true,
    },
    webhookUrl: 'https://ps.example/webhooks/mollie/pa_1',
    http: {
      request: async (request: HttpRequest) => {
        seen.push(request);
        return {
          status: 201,
          headers: new Headers(),
          text: JSON.stringify(answer),
          json: () => answer as any,
        };
      },
    } as unknown as ProviderCallContext['http'],
  };
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
