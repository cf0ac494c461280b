import {
  MOLLIE_REFUND_STATUS_MAP,
  MOLLIE_STATUS_MAP,
  molliePaymentState,
  toMollieAmount,
  toMollieLocale,
} from './mollie.mapper';
import { mapPspStatus } from '../connector/psp-status';
import type { MollieChargeback, MolliePayment } from './mollie.types';

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

/** A chargeback as get-payment embeds it (embed=chargebacks). */
function chargeback(value: string, reversedAt: string | null = null): MollieChargeback {
  return {
    resource: 'chargeback',
    id: `chb_${value.replace('.', '')}`,
    amount: { currency: 'EUR', value },
    createdAt: '2024-03-20T09:13:37+00:00',
    reversedAt,
    paymentId: 'tr_1',
  };
}
const REVERSED_AT = '2024-03-21T09:13:37+00:00';
const charged = (value: string) => ({ amountChargedBack: { currency: 'EUR', value } });

describe('Mollie chargebacks (embed=chargebacks)', () => {
  it('a chargeback not reversed is charged_back, without the reversal flag', () => {
    const state = molliePaymentState(
      payment({
        status: 'paid',
        ...charged('10.50'),
        _embedded: { chargebacks: [chargeback('10.50')] },
      }),
    );
    expect(state).toMatchObject({ status: 'charged_back', providerStatus: 'paid' });
    expect(state).not.toHaveProperty('chargebackReversed');
  });

  it('every chargeback reversed (amountChargedBack omitted): still charged_back, flagged as reversed', () => {
    expect(
      molliePaymentState(
        payment({
          status: 'paid',
          amountCaptured: { currency: 'EUR', value: '10.50' },
          _embedded: { chargebacks: [chargeback('10.50', REVERSED_AT)] },
        }),
      ),
    ).toEqual({
      providerPaymentId: 'tr_1',
      status: 'charged_back',
      providerStatus: 'paid:chargeback_reversed:chb_1050',
      chargebackReversed: true,
      amountCaptured: 1050,
      methodUsed: undefined,
      failure: undefined,
    });
    // Two chargebacks, both reversed; an amountChargedBack of zero counts as none.
    expect(
      molliePaymentState(
        payment({
          status: 'paid',
          ...charged('0.00'),
          _embedded: {
            chargebacks: [chargeback('4.00', REVERSED_AT), chargeback('6.50', REVERSED_AT)],
          },
        }),
      ),
    ).toMatchObject({ status: 'charged_back', chargebackReversed: true });
  });

  it('only some chargebacks reversed: charged_back without the flag', () => {
    const state = molliePaymentState(
      payment({
        status: 'paid',
        ...charged('6.50'),
        _embedded: { chargebacks: [chargeback('4.00', REVERSED_AT), chargeback('6.50')] },
      }),
    );
    expect(state).toMatchObject({ status: 'charged_back', providerStatus: 'paid' });
    expect(state).not.toHaveProperty('chargebackReversed');
  });

  it('all reversed while Mollie still reports an amount charged back: charged_back, not flagged', () => {
    const state = molliePaymentState(
      payment({
        status: 'paid',
        ...charged('10.50'),
        _embedded: { chargebacks: [chargeback('10.50', REVERSED_AT)] },
      }),
    );
    expect(state.status).toBe('charged_back');
    expect(state).not.toHaveProperty('chargebackReversed');
  });

  it('a chargeback not reversed counts even if amountChargedBack is missing', () => {
    const state = molliePaymentState(
      payment({ status: 'paid', _embedded: { chargebacks: [chargeback('10.50')] } }),
    );
    expect(state.status).toBe('charged_back');
    expect(state).not.toHaveProperty('chargebackReversed');
  });

  it.each([
    ['no _embedded', {}],
    ['an empty chargeback list', { _embedded: { chargebacks: [] } }],
    ['refunds only', { _embedded: { refunds: [] } }],
  ])('a payment that never had a chargeback (%s) is unaffected', (_, fields) => {
    for (const status of ['open', 'authorized', 'paid', 'failed', 'canceled', 'expired']) {
      const state = molliePaymentState(payment({ status, ...fields }));
      expect(state).toMatchObject({
        status: mapPspStatus(MOLLIE_STATUS_MAP, status),
        providerStatus: status,
      });
      expect(state).not.toHaveProperty('chargebackReversed');
    }
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
