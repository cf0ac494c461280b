import type { ProviderCapabilities } from './provider.interface';
import { featureOnlyFor, methodFeatures, refusal, supports } from './capabilities';

const capabilities: ProviderCapabilities = {
  currencies: ['EUR', 'USD'],
  methods: ['card', 'ideal', 'klarna'],
  manualCapture: true,
  partialCapture: true,
  cancel: true,
  refunds: true,
  partialRefunds: false,
  multipleRefunds: true,
  polling: true,
  byMethod: {
    ...featureOnlyFor('manualCapture', ['card', 'ideal', 'klarna'], ['card', 'klarna']),
    klarna: { partialRefunds: true },
  },
  currenciesByMethod: { ideal: ['EUR'] },
  minimumAmounts: { EUR: 50 },
};
const psp = { name: 'psp', capabilities };

describe('supports', () => {
  it('takes a method’s exception over the provider default, and the default without a method', () => {
    expect(supports(capabilities, 'ideal', 'manualCapture')).toBe(false);
    expect(supports(capabilities, 'card', 'manualCapture')).toBe(true);
    expect(supports(capabilities, null, 'manualCapture')).toBe(true);
    expect(supports(capabilities, 'klarna', 'partialRefunds')).toBe(true);
    expect(supports(capabilities, 'card', 'partialRefunds')).toBe(false);
  });

  it('lists one method’s features in full', () => {
    expect(methodFeatures(capabilities, 'ideal')).toEqual({
      manualCapture: false,
      partialCapture: true,
      cancel: true,
      refunds: true,
      partialRefunds: false,
      multipleRefunds: true,
    });
  });
});

describe('refusal', () => {
  it('is null when the provider can do everything asked', () => {
    expect(
      refusal(psp, { currency: 'EUR', method: 'card', features: ['manualCapture', 'refunds'] }),
    ).toBeNull();
    expect(refusal(psp, {})).toBeNull();
    // A method with its own currencies restricts only itself; no method: any of the provider's.
    expect(refusal(psp, { currency: 'USD', method: 'card' })).toBeNull();
    expect(refusal(psp, { currency: 'USD' })).toBeNull();
    const anyCurrency = {
      name: 'any',
      capabilities: { ...capabilities, currencies: 'any' as const },
    };
    expect(refusal(anyCurrency, { currency: 'HUF', method: 'card' })).toBeNull();
  });

  it('takes an amount from the currency’s minimum, and any amount in a currency without one', () => {
    expect(refusal(psp, { currency: 'EUR', amount: 50, method: 'card' })).toBeNull();
    expect(refusal(psp, { currency: 'USD', amount: 1 })).toBeNull();
    // Without an amount (captures, refunds) the minimum is not asked about.
    expect(refusal(psp, { currency: 'EUR', features: ['refunds'] })).toBeNull();
  });

  it('names the minimum in the currency’s decimals', () => {
    const yen = {
      name: 'stripe',
      capabilities: { ...capabilities, currencies: 'any' as const, minimumAmounts: { JPY: 50 } },
    };
    expect(refusal(yen, { currency: 'JPY', amount: 49 })).toEqual({
      why: 'stripe does not support JPY payments below 50',
      what: 'JPY payments below 50',
    });
  });

  it.each([
    [{ currency: 'JPY' }, 'psp does not support JPY', 'currency JPY'],
    [
      { currency: 'EUR', amount: 49, method: 'card' as const },
      'psp does not support EUR payments below 0.50',
      'EUR payments below 0.50',
    ],
    // A currency the provider does not take at all is named as such, whatever the amount.
    [{ currency: 'JPY', amount: 1 }, 'psp does not support JPY', 'currency JPY'],
    [{ method: 'eps' as const }, 'psp does not support method eps', 'method eps'],
    [
      { currency: 'USD', method: 'ideal' as const },
      'psp does not support USD for method ideal',
      'USD for method ideal',
    ],
    [
      { method: 'ideal' as const, features: ['manualCapture' as const] },
      'psp does not support manual capture of ideal payments',
      'manual capture of ideal payments',
    ],
    [
      { method: 'card' as const, features: ['partialRefunds' as const] },
      'psp does not support partial refunds',
      'partial refunds',
    ],
  ])('names the first thing the provider cannot do: %j', (question, why, what) => {
    expect(refusal(psp, question)).toEqual({ why, what });
  });
});
