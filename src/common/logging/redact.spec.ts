import { redact, redactText, redactUrl } from './redact';

describe('redact', () => {
  it('hides card-like numbers, bearer tokens and PSP keys in text', () => {
    const text = redactText(
      'card 4111 1111 1111 1111 / 5555-5555-5555-4444 Bearer eyJhbGciOi.x.y key sk_test_51Habc123456 live_abcdefghijkl',
    );
    expect(text).not.toMatch(/4111|5555|eyJhbGciOi|sk_test_51|live_abcdefghijkl/);
  });

  it('hides secret-named fields at any depth', () => {
    expect(redact({ credentials: { apiKey: 'x' }, nested: { hmacKey: 'y', amount: 100 } })).toEqual(
      {
        credentials: '[REDACTED]',
        nested: { hmacKey: '[REDACTED]', amount: 100 },
      },
    );
  });

  it('leaves ordinary ids and amounts alone', () => {
    expect(redactText('payment pay_abc amount 1050 EUR')).toBe('payment pay_abc amount 1050 EUR');
  });

  it('hides the password in a URL', () => {
    expect(redactText('connect amqp://guest:guest@127.0.0.1:5672 failed')).toBe(
      'connect amqp://guest:[REDACTED]@127.0.0.1:5672 failed',
    );
  });

  it('keeps errors and dates readable', () => {
    const at = new Date(0);
    expect(redact({ at, error: new Error('key psk_abcdefghijkl') })).toMatchObject({
      at,
      error: { type: 'Error', message: 'key psk_[REDACTED]' },
    });
  });

  it('hides cookies', () => {
    expect(redact({ cookie: 'session=1' })).toEqual({ cookie: '[REDACTED]' });
  });
});

describe('redactUrl', () => {
  it('scrubs card-like numbers in the path, also percent-encoded', () => {
    expect(redactUrl('/api/v1/payments/4111%201111%201111%201111')).toBe(
      '/api/v1/payments/[REDACTED_NUMBER]',
    );
  });

  it('hides secret-named and one-time-code parameters and scrubs the others', () => {
    expect(
      redactUrl('/dashboard/callback?code=abc&state=xyz&api_key=k&q=4111111111111111&status=paid'),
    ).toBe(
      '/dashboard/callback?code=[REDACTED]&state=[REDACTED]&api_key=[REDACTED]&q=[REDACTED_NUMBER]&status=paid',
    );
  });
});
