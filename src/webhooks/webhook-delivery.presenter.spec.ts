import { maskBody, maskHeaders } from './webhook-delivery.presenter';

describe('what the admin inbox shows of a stored delivery', () => {
  it('keeps header names and masks the values of signature, auth, token, key and cookie headers', () => {
    expect(
      maskHeaders({
        'content-type': 'application/json',
        'stripe-signature': 't=1,v1=abc',
        auth: 'MTcwMDAwMDAwMDpkZWFk',
        'paypal-transmission-sig': 'c2ln',
        'paypal-transmission-id': '8e3c1c40-0000',
        'x-api-key': 'AQE_secret',
        cookie: 'session=1',
        'user-agent': 'Adyen HttpClient 1.0',
      }),
    ).toEqual({
      'content-type': 'application/json',
      'stripe-signature': '[REDACTED]',
      auth: '[REDACTED]',
      'paypal-transmission-sig': '[REDACTED]',
      'paypal-transmission-id': '8e3c1c40-0000',
      'x-api-key': '[REDACTED]',
      cookie: '[REDACTED]',
      'user-agent': 'Adyen HttpClient 1.0',
    });
  });

  it('masks signature and secret fields and card-like numbers in a JSON body, nested ones too', () => {
    const body = JSON.stringify({
      notificationItems: [
        {
          NotificationRequestItem: {
            merchantReference: 'pay_1',
            additionalData: { hmacSignature: 'q0ZLz5mF2y8=', cardSummary: '1111' },
          },
        },
      ],
      data: {
        object: { id: 'pi_1', client_secret: 'pi_1_secret_abc', note: '4111 1111 1111 1111' },
      },
    });
    expect(JSON.parse(maskBody(body, 'application/json'))).toEqual({
      notificationItems: [
        {
          NotificationRequestItem: {
            merchantReference: 'pay_1',
            additionalData: { hmacSignature: '[REDACTED]', cardSummary: '1111' },
          },
        },
      ],
      data: { object: { id: 'pi_1', client_secret: '[REDACTED]', note: '[REDACTED_NUMBER]' } },
    });
  });

  it('masks secret fields of a form body and leaves the rest readable', () => {
    expect(maskBody('id=tr_WDqYK6vllg&token=abc', 'application/x-www-form-urlencoded')).toBe(
      'id=tr_WDqYK6vllg&token=[REDACTED]',
    );
  });

  it('masks card-like numbers in any other body', () => {
    expect(maskBody('card 4111-1111-1111-1111 paid', 'text/plain')).toBe(
      'card [REDACTED_NUMBER] paid',
    );
  });
});
