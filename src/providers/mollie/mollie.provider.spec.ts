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
