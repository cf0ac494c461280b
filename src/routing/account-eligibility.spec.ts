import { ineligibility } from './account-eligibility';
import type { ProviderAccount } from '../providers/provider-account.entity';
import type { PaymentProvider } from '../providers/provider.interface';

const account = (enabled = true) => ({ id: 'pa_1', provider: 'psp', enabled }) as ProviderAccount;
const provider = {
  name: 'psp',
  capabilities: {
    currencies: ['EUR', 'USD'],
    methods: ['card', 'ideal'],
    manualCapture: false,
    minimumAmounts: { EUR: 50 },
  },
} as unknown as PaymentProvider;
const payment = {
  currency: 'EUR',
  amount: 1050,
  method: 'card' as const,
  captureMode: 'automatic',
};

describe('account eligibility', () => {
  it('accepts an enabled account whose provider supports the payment', () => {
    expect(ineligibility(account(), provider, payment)).toBeNull();
    expect(ineligibility(account(), provider, { ...payment, method: null })).toBeNull();
  });

  it.each([
    ['a disabled account', account(false), provider, payment, 'account is disabled'],
    [
      'a provider this server does not have',
      account(),
      undefined,
      payment,
      'provider psp is not available on this server',
    ],
    [
      'an unsupported currency',
      account(),
      provider,
      { ...payment, currency: 'JPY' },
      'psp does not support JPY',
    ],
    [
      'an amount below the minimum',
      account(),
      provider,
      { ...payment, amount: 49 },
      'psp does not support EUR payments below 0.50',
    ],
    [
      'an unsupported method',
      account(),
      provider,
      { ...payment, method: 'klarna' as const },
      'psp does not support method klarna',
    ],
    [
      'manual capture without support',
      account(),
      provider,
      { ...payment, captureMode: 'manual' },
      'psp does not support manual capture',
    ],
  ])('skips %s', (_, acc, prov, pay, why) => {
    expect(ineligibility(acc, prov, pay)).toBe(why);
  });
});
