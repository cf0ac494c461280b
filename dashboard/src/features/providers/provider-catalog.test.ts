import { describe, expect, it } from 'vitest';
import { providerInfo, pspDashboardUrl } from './provider-catalog';

describe('provider catalog', () => {
  it('has the credential field names of the contract', () => {
    expect(providerInfo('mollie')?.credentials.map((f) => f.name)).toEqual(['apiKey']);
    expect(
      providerInfo('adyen')
        ?.credentials.filter((f) => f.required)
        .map((f) => f.name),
    ).toEqual(['apiKey', 'merchantAccount', 'hmacKey']);
    expect(providerInfo('stripe')?.credentials.map((f) => f.name)).toEqual([
      'secretKey',
      'webhookSecret',
    ]);
    expect(providerInfo('paypal')?.credentials.map((f) => f.name)).toEqual([
      'clientId',
      'clientSecret',
      'webhookId',
    ]);
    expect(providerInfo('test')?.credentials).toEqual([]);
  });

  it("links to the payment on the PSP's own dashboard where its id tells the page", () => {
    expect(pspDashboardUrl('mollie', 'tr_WDqYK6vllg', true)).toBe(
      'https://my.mollie.com/dashboard/payments/tr_WDqYK6vllg',
    );
    expect(pspDashboardUrl('stripe', 'pi_3Mtw', true)).toBe(
      'https://dashboard.stripe.com/test/payments/pi_3Mtw',
    );
    expect(pspDashboardUrl('stripe', 'pi_3Mtw', false)).toBe(
      'https://dashboard.stripe.com/payments/pi_3Mtw',
    );
    expect(pspDashboardUrl('adyen', '7914073381342284', false)).toBe(
      'https://ca-live.adyen.com/ca/ca/accounts/showTx.shtml?pspReference=7914073381342284&txType=Payment',
    );
    expect(pspDashboardUrl('adyen', 'PL61C53A8B97E6915A', true)).toBeNull();
    expect(pspDashboardUrl('test', 'tp_1', true)).toBeNull();
    expect(pspDashboardUrl('mollie', null, true)).toBeNull();
  });
});
