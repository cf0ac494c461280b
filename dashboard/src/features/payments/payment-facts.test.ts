import { describe, expect, it } from 'vitest';
import type { Payment, Refund } from '../../api/types';
import { failureText, refundable } from './payment-facts';

const payment = (overrides: Partial<Payment> = {}): Payment =>
  ({
    id: 'pay_1',
    status: 'paid',
    amount: { value: 1050, currency: 'EUR' },
    amountCaptured: 1050,
    amountRefunded: 0,
    failure: null,
    ...overrides,
  }) as Payment;
const refund = (value: number, status: Refund['status']): Refund =>
  ({ id: `re_${value}`, paymentId: 'pay_1', amount: { value, currency: 'EUR' }, status }) as Refund;

describe('payment facts', () => {
  it('keeps pending refunds reserved in the refundable remainder', () => {
    expect(
      refundable(payment({ amountRefunded: 250 }), [
        refund(250, 'succeeded'),
        refund(300, 'pending'),
        refund(100, 'failed'),
      ]),
    ).toEqual({
      value: 500,
      pending: 300,
    });
    expect(refundable(payment({ amountCaptured: 800 }), [])).toEqual({ value: 800, pending: 0 });
  });

  it('says why a payment failed, and never "none"', () => {
    expect(
      failureText(
        payment({ status: 'failed', failure: { code: 'declined', message: 'Card declined' } }),
      ),
    ).toBe('Card declined (declined)');
    expect(failureText(payment({ status: 'failed', failure: null }))).toBe(
      'The provider reported the payment as failed without giving a reason.',
    );
    expect(failureText(payment())).toBeNull();
  });
});
