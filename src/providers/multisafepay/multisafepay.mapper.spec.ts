import { createHmac } from 'node:crypto';
import { mapPspStatus } from '../connector/psp-status';
import {
  MULTISAFEPAY_STATUS_MAP,
  multisafepayOrderState,
  toMultisafepayLocale,
} from './multisafepay.mapper';
import { multisafepayAuthHeader } from './multisafepay.webhooks';

describe('MultiSafepay status mapping', () => {
  it.each([
    ['initialized', 'pending'],
    ['uncleared', 'pending'],
    ['completed', 'paid'],
    ['shipped', 'paid'],
    ['declined', 'failed'],
    ['cancelled', 'canceled'],
    ['void', 'canceled'],
    ['expired', 'expired'],
    ['partial_refunded', 'partially_refunded'],
    ['refunded', 'refunded'],
    ['chargedback', 'charged_back'],
  ])('order status %s is %s', (msp, ours) => {
    expect(mapPspStatus(MULTISAFEPAY_STATUS_MAP, msp)).toBe(ours);
    expect(
      multisafepayOrderState({ order_id: 'o1', status: msp, amount: 1050, currency: 'EUR' }).status,
    ).toBe(ours);
  });

  it('completed/initialized/manual (a card authorization awaiting capture) is authorized', () => {
    const order = {
      order_id: 'o1',
      status: 'completed',
      financial_status: 'initialized',
      amount: 1050,
      currency: 'EUR',
      payment_details: { capture: 'manual', capture_remain: 1050 },
    };
    expect(mapPspStatus(MULTISAFEPAY_STATUS_MAP, 'completed/initialized/manual')).toBe(
      'authorized',
    );
    expect(multisafepayOrderState(order).status).toBe('authorized');
    expect(multisafepayOrderState({ ...order, financial_status: 'completed' }).status).toBe('paid');
  });

  it('covers every row of the table with a test', () => {
    expect(Object.keys(MULTISAFEPAY_STATUS_MAP)).toHaveLength(12);
  });

  it('ignores an unknown status (null) and keeps both statuses for the record', () => {
    expect(
      multisafepayOrderState({
        order_id: 'o1',
        status: 'reserved',
        financial_status: 'reserved',
        amount: 1,
        currency: 'EUR',
      }),
    ).toMatchObject({ status: null, providerStatus: 'reserved/reserved' });
  });

  it('carries the decline reason', () => {
    expect(
      multisafepayOrderState({
        order_id: 'o1',
        status: 'declined',
        reason: 'Declined by the issuer',
        amount: 1,
        currency: 'EUR',
      }).failure,
    ).toEqual({ code: 'provider_failed', message: 'Declined by the issuer' });
  });

  it.each([
    ['nl-NL', 'nl_NL'],
    ['en_GB', 'en_GB'],
    ['nl', undefined],
  ])('locale %s is %s', (ours, msp) => {
    expect(toMultisafepayLocale(ours)).toBe(msp);
  });
});

describe('MultiSafepay notification Auth header', () => {
  it('is base64("timestamp:" + hex HMAC-SHA512(api key, "timestamp:body"))', () => {
    const header = multisafepayAuthHeader('key123', 1700000000, '{"a":1}');
    const [timestamp, signature] = Buffer.from(header, 'base64').toString('utf8').split(':');
    expect(timestamp).toBe('1700000000');
    expect(signature).toBe(
      createHmac('sha512', 'key123').update('1700000000:{"a":1}').digest('hex'),
    );
  });
});
