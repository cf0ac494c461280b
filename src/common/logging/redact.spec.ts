import { redact, redactText } from './redact';

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
});
