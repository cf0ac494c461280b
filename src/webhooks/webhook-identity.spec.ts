import type { WebhookPaymentView } from '../providers/provider.interface';
import { signedFieldsMismatch } from './webhook-identity';

const payment: WebhookPaymentView = {
  id: 'pay_A',
  providerPaymentId: 'PL1',
  providerReference: null,
  captureMode: 'automatic',
  amount: { value: 100_000, currency: 'EUR' },
  status: 'pending',
};

describe('signedFieldsMismatch', () => {
  it('accepts an authorisation of exactly the payment and a refund of part of it', () => {
    expect(
      signedFieldsMismatch(payment, {
        paymentId: 'pay_A',
        signedAmount: { money: { value: 100_000, currency: 'EUR' }, rule: 'equals' },
      }),
    ).toBeNull();
    expect(
      signedFieldsMismatch(payment, {
        signedAmount: { money: { value: 250, currency: 'EUR' }, rule: 'at_most' },
      }),
    ).toBeNull();
    expect(signedFieldsMismatch(payment, { providerPaymentId: 'PL1' })).toBeNull();
  });

  it('refuses another payment, another currency, another amount or more than the payment', () => {
    expect(signedFieldsMismatch(payment, { paymentId: 'pay_B' })?.reason).toBe('payment_mismatch');
    expect(
      signedFieldsMismatch(payment, {
        signedAmount: { money: { value: 100_000, currency: 'USD' }, rule: 'equals' },
      })?.reason,
    ).toBe('currency_mismatch');
    expect(
      signedFieldsMismatch(payment, {
        signedAmount: { money: { value: 100, currency: 'EUR' }, rule: 'equals' },
      }),
    ).toEqual({
      reason: 'amount_mismatch',
      detail: "100 instead of the payment's 100000 (minor units)",
    });
    expect(
      signedFieldsMismatch(payment, {
        signedAmount: { money: { value: 100_001, currency: 'EUR' }, rule: 'at_most' },
      })?.reason,
    ).toBe('amount_mismatch');
  });

  it("passes on the connector's own finding", () => {
    const mismatch = { reason: 'merchant_account_mismatch' as const, detail: 'OtherECOM' };
    expect(signedFieldsMismatch(payment, { paymentId: 'pay_A', mismatch })).toBe(mismatch);
  });
});
