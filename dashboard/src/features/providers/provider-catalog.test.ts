// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../test/provider-catalog.fixture';
import { providerInfo, providerLabel, pspDashboardUrl } from './provider-catalog';

describe('provider catalog', () => {
  it("finds a provider in the server's catalog by name", () => {
    expect(providerInfo(CATALOG, 'adyen')?.credentials.map((f) => f.name)).toEqual([
      'apiKey',
      'merchantAccount',
      'hmacKey',
      'liveUrlPrefix',
    ]);
    expect(providerInfo(CATALOG, 'acme')).toBeUndefined();
    expect(providerInfo(undefined, 'mollie')).toBeUndefined();
  });

  it('labels a provider from the catalog, by its name while the catalog loads or lacks it', () => {
    expect(providerLabel('paypal', CATALOG)).toBe('PayPal');
    expect(providerLabel('paypal', undefined)).toBe('paypal');
    expect(providerLabel('acme', CATALOG)).toBe('acme');
    expect(providerLabel(null, CATALOG)).toBe('—');
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
