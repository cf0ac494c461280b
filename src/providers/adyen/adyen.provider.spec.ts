import type { ProviderCallContext } from '../provider.interface';
import type { HttpRequest } from '../provider-http.client';
import { AdyenProvider } from './adyen.provider';

function context(
  account: Partial<ProviderCallContext['account']>,
  seen: HttpRequest[],
): ProviderCallContext {
  const link = {
    id: 'PL1',
    url: 'https://pay',
    status: 'active',
    amount: { currency: 'EUR', value: 100 },
    merchantAccount: 'M',
    reference: 'pay_1',
  };
  return {
    account: {
      id: 'pa_1',
      provider: 'adyen',
      credentials: { apiKey: 'k', merchantAccount: 'M', hmacKey: 'AA' },
      settings: {},
      baseUrl: null,
      testMode: true,
      ...account,
    },
    webhookUrl: 'https://ps.example/webhooks/adyen/pa_1',
    http: {
      request: async (request: HttpRequest) => {
        seen.push(request);
        return {
          status: 200,
          headers: new Headers(),
          text: JSON.stringify(link),
          json: () => link as any,
        };
      },
    } as unknown as ProviderCallContext['http'],
  };
}

describe('AdyenProvider endpoints', () => {
  const provider = new AdyenProvider();

  it.each([
    [{ testMode: true }, 'https://checkout-test.adyen.com/v71/paymentLinks/PL1'],
    [
      {
        testMode: false,
        credentials: {
          apiKey: 'k',
          merchantAccount: 'M',
          hmacKey: 'AA',
          liveUrlPrefix: '1797a841fbb37ca7-AdyenDemo',
        },
      },
      'https://1797a841fbb37ca7-AdyenDemo-checkout-live.adyenpayments.com/checkout/v71/paymentLinks/PL1',
    ],
    [
      { testMode: false, baseUrl: 'http://egress.internal/adyen' },
      'http://egress.internal/adyen/v71/paymentLinks/PL1',
    ],
  ])('%j → %s, with the API key in X-API-Key', async (account, url) => {
    const seen: HttpRequest[] = [];
    await provider.getPayment(context(account, seen), 'PL1');
    expect(seen[0].url).toBe(url);
    expect(seen[0].headers?.['x-api-key']).toBe('k');
  });

  it('refuses a live account without liveUrlPrefix as invalid credentials', async () => {
    await expect(
      provider.getPayment(context({ testMode: false }, []), 'PL1'),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it.each([
    [
      {
        apiKey: 'k',
        merchantAccount: 'M',
        hmacKey: '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056',
      },
      [],
    ],
    [{ apiKey: 'k', merchantAccount: 'M', hmacKey: 'xyz' }, ['hmacKey']],
    [{ apiKey: '', merchantAccount: 'M', hmacKey: 'AA' }, ['apiKey']],
    [
      { apiKey: 'k', merchantAccount: 'M', hmacKey: 'AA', liveUrlPrefix: 'bad prefix/' },
      ['liveUrlPrefix'],
    ],
    [{}, ['apiKey', 'merchantAccount', 'hmacKey']],
  ])('validates credentials %j', (credentials, fields) => {
    expect(provider.validateCredentials(credentials).map((p) => p.field)).toEqual(fields);
  });
});
