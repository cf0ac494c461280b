import { ProviderError } from '../provider-error';
import { mapPspStatus } from '../connector/psp-status';
import {
  ADYEN_EVENT_MAP,
  ADYEN_LINK_STATUS_MAP,
  adyenError,
  adyenEventEffect,
  fromAdyenAmount,
  toAdyenAmount,
} from './adyen.mapper';

describe('Adyen mapping', () => {
  describe('payment link status, row by row', () => {
    it.each([
      ['active', 'pending', 'pending'],
      ['paymentPending', 'pending', 'pending'],
      ['completed', 'paid', 'authorized'],
      ['paid', 'paid', 'authorized'],
      ['expired', 'expired', 'expired'],
    ])('%s → %s (automatic) / %s (manual)', (adyen, automatic, manual) => {
      expect(mapPspStatus(ADYEN_LINK_STATUS_MAP, adyen)).toEqual({ automatic, manual });
    });

    it('has no rows beyond the tested ones', () => {
      expect(Object.keys(ADYEN_LINK_STATUS_MAP).sort()).toEqual([
        'active',
        'completed',
        'expired',
        'paid',
        'paymentPending',
      ]);
    });
  });

  describe('webhook events, row by row', () => {
    it.each([
      ['AUTHORISATION', 'true', '', { payment: { automatic: 'paid', manual: 'authorized' } }],
      ['AUTHORISATION', 'false', 'Refused', { payment: { automatic: 'failed', manual: 'failed' } }],
      // A shopper's cancel too: `reason` is not signed, so it cannot choose another status.
      [
        'AUTHORISATION',
        'false',
        'Cancelled',
        { payment: { automatic: 'failed', manual: 'failed' } },
      ],
      ['CAPTURE', 'true', '', { operation: { type: 'capture', status: 'succeeded' } }],
      [
        'CAPTURE',
        'false',
        'Capture not possible',
        { operation: { type: 'capture', status: 'failed' } },
      ],
      [
        'CAPTURE_FAILED',
        'true',
        'Capture Failed',
        { operation: { type: 'capture', status: 'failed' } },
      ],
      ['CANCELLATION', 'true', '', { operation: { type: 'cancel', status: 'succeeded' } }],
      ['CANCELLATION', 'false', '', { operation: { type: 'cancel', status: 'failed' } }],
      [
        'CHARGEBACK',
        'true',
        '',
        { payment: { automatic: 'charged_back', manual: 'charged_back' } },
      ],
      [
        'SECOND_CHARGEBACK',
        'true',
        '',
        { payment: { automatic: 'charged_back', manual: 'charged_back' } },
      ],
      [
        'CHARGEBACK_REVERSED',
        'true',
        'Fraudulent Processing of Transactions',
        {
          payment: { automatic: 'charged_back', manual: 'charged_back' },
          chargebackReversed: true,
        },
      ],
      ['EXPIRE', 'true', '', { payment: { automatic: 'expired', manual: 'expired' } }],
      ['REFUND', 'true', '', { refund: 'succeeded' }],
      ['REFUND', 'false', 'Insufficient balance', { refund: 'failed' }],
      ['REFUND_FAILED', 'true', 'Refund Failed', { refund: 'failed' }],
      ['REFUNDED_REVERSED', 'true', '', { refund: 'failed' }],
    ])('%s success=%s %s', (eventCode, success, _reason, effect) => {
      expect(adyenEventEffect(eventCode, success)).toEqual(effect);
    });

    it.each([
      ['CAPTURE_FAILED', 'false'],
      ['CHARGEBACK_REVERSED', 'false'],
      ['EXPIRE', 'false'],
      ['REPORT_AVAILABLE', 'true'],
      ['SOMETHING_NEW', 'true'],
    ])('leaves %s success=%s unmapped (logged and ignored)', (eventCode, success) => {
      expect(adyenEventEffect(eventCode, success)).toBeUndefined();
    });

    it('has exactly the tested rows', () => {
      expect(Object.keys(ADYEN_EVENT_MAP)).toHaveLength(15);
    });
  });

  describe('amounts in Adyen minor units', () => {
    it.each([
      [{ value: 1050, currency: 'EUR' }, 1050],
      [{ value: 500, currency: 'JPY' }, 500],
      [{ value: 1234, currency: 'BHD' }, 1234],
      [{ value: 2790, currency: 'ISK' }, 279000],
      [{ value: 1000, currency: 'CLP' }, 100000],
      [{ value: 1200, currency: 'CVE' }, 12],
      // Rp 15,000: 1500000 in ISO minor units, 15000 for Adyen (no decimals).
      [{ value: 1_500_000, currency: 'IDR' }, 15_000],
    ])('%j → %d', (money, value) => {
      expect(toAdyenAmount(money)).toEqual({ currency: money.currency, value });
      expect(fromAdyenAmount({ currency: money.currency, value })).toBe(money.value);
    });

    it('refuses CVE fractions Adyen cannot take', () => {
      expect(() => toAdyenAmount({ value: 1250, currency: 'CVE' })).toThrow(ProviderError);
    });

    it('refuses IDR fractions (sen) Adyen cannot take', () => {
      expect(() => toAdyenAmount({ value: 1_500_050, currency: 'IDR' })).toThrow(
        expect.objectContaining({ code: 'invalid_request' }),
      );
    });
  });

  describe('errors', () => {
    const response = (status: number, body: unknown) => ({
      status,
      text: JSON.stringify(body),
      headers: new Headers(),
      json: () => body as any,
    });

    it.each([
      [401, 'invalid_credentials', false],
      [403, 'invalid_credentials', false],
      [422, 'invalid_request', false],
      [429, 'rate_limited', true],
      [500, 'provider_unavailable', true],
    ])('HTTP %d → %s (retryable %s)', (status, code, retryable) => {
      const error = adyenError(
        response(status, { status, errorCode: '000', message: 'x', errorType: 'validation' }),
      );
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(retryable);
      expect(error.message).toContain('Adyen: 000 x');
    });

    it.each([409, 422])(
      'HTTP %d with errorCode 704 (request still in progress) is no answer yet, never a refusal',
      (status) => {
        const body = {
          status,
          errorCode: '704',
          message: 'request already processed or in progress',
          errorType: 'validation',
        };
        const error = adyenError(response(status, body));
        expect(error).toMatchObject({ code: 'in_progress', retryable: true, httpStatus: status });
      },
    );

    it('a 422 marked Transient-Error is no answer yet', () => {
      const transient = {
        ...response(422, { status: 422, errorCode: '000', message: 'x' }),
        headers: new Headers({ 'transient-error': 'true' }),
      };
      expect(adyenError(transient).code).toBe('in_progress');
    });
  });
});
