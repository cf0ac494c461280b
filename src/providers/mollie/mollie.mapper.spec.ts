import {
  MOLLIE_REFUND_STATUS_MAP,
  MOLLIE_STATUS_MAP,
  molliePaymentState,
  toMollieAmount,
  toMollieLocale,
} from './mollie.mapper';
import { mapPspStatus } from '../connector/psp-status';
import type { MolliePayment } from './mollie.types';

function payment(fields: Partial<MolliePayment>): MolliePayment {
  return {
    resource: 'payment',
    id: 'tr_1',
    status: 'open',
    amount: { currency: 'EUR', value: '10.50' },
    ...fields,
  };
}

describe('Mollie status mapping', () => {
  it.each([
    ['open', 'pending'],
    ['pending', 'pending'],
    ['authorized', 'authorized'],
    ['paid', 'paid'],
    ['failed', 'failed'],
    ['canceled', 'canceled'],
    ['expired', 'expired'],
  ])('payment status %s is %s', (mollie, ours) => {
    expect(mapPspStatus(MOLLIE_STATUS_MAP, mollie)).toBe(ours);
    expect(molliePaymentState(payment({ status: mollie })).status).toBe(ours);
  });

  it.each([
    ['queued', 'pending'],
    ['pending', 'pending'],
    ['processing', 'pending'],
    ['refunded', 'succeeded'],
    ['failed', 'failed'],
    ['canceled', 'failed'],
  ])('refund status %s is %s', (mollie, ours) => {
    expect(mapPspStatus(MOLLIE_REFUND_STATUS_MAP, mollie)).toBe(ours);
  });

  it('ignores an unknown status (null), never guesses', () => {
    expect(molliePaymentState(payment({ status: 'settled-ish' }))).toMatchObject({
      status: null,
      providerStatus: 'settled-ish',
    });
  });

  it('reads a chargeback from amountChargedBack and captured amounts from decimal strings', () => {
    expect(
      molliePaymentState(
        payment({ status: 'paid', amountChargedBack: { currency: 'EUR', value: '10.50' } }),
      ).status,
    ).toBe('charged_back');
    expect(
      molliePaymentState(
        payment({ status: 'paid', amountCaptured: { currency: 'EUR', value: '8.00' } }),
      ).amountCaptured,
    ).toBe(800);
  });
});

describe('Mollie amounts', () => {
  it.each([
    [1050, 'EUR', '10.50'],
    [5, 'EUR', '0.05'],
    [1500, 'JPY', '1500'],
    [100000, 'GBP', '1000.00'],
  ])('%i %s is "%s"', (value, currency, decimal) => {
    expect(toMollieAmount({ value, currency })).toEqual({ currency, value: decimal });
  });
});

describe('Mollie locales', () => {
  it.each([
    ['cs-CZ', 'cs_CZ'],
    ['sk_SK', 'sk_SK'],
    ['de-LU', 'de_LU'],
    ['en-BE', 'en_BE'],
    ['en-NL', 'en_NL'],
    ['fr-LU', 'fr_LU'],
    ['nl-NL', 'nl_NL'],
  ])('%s is sent as %s', (ours, mollie) => {
    expect(toMollieLocale(ours)).toBe(mollie);
  });

  it('leaves out a locale Mollie does not list', () => {
    expect(toMollieLocale('en-IE')).toBeUndefined();
    expect(toMollieLocale('ja-JP')).toBeUndefined();
  });
});
