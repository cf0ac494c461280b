import type { ProviderAccount } from '../providers/provider-account.entity';
import type { PaymentProvider } from '../providers/provider.interface';
import type { PaymentMethod } from '../payments/payment-status';

/** Whether the integration may use the account (null: a shared account, every integration may). */
export function allowsIntegration(
  account: Pick<ProviderAccount, 'integrationIds'>,
  integrationId: string,
): boolean {
  return (
    account.integrationIds === null ||
    account.integrationIds === undefined ||
    account.integrationIds.includes(integrationId)
  );
}

/**
 * What of the payment the provider cannot do (currency, method, manual capture), or null.
 * `why` is routing's wording, `what` names the feature for a `not_supported_by_provider` answer.
 */
export function unsupportedFeature(
  provider: PaymentProvider,
  payment: { currency: string; method: PaymentMethod | null; captureMode: string },
): { why: string; what: string } | null {
  const caps = provider.capabilities;
  const name = provider.name;
  if (caps.currencies !== 'any' && !caps.currencies.includes(payment.currency)) {
    return {
      why: `${name} does not support ${payment.currency}`,
      what: `currency ${payment.currency}`,
    };
  }
  if (payment.method && !caps.methods.includes(payment.method)) {
    return {
      why: `${name} does not support method ${payment.method}`,
      what: `method ${payment.method}`,
    };
  }
  if (payment.captureMode === 'manual' && !caps.manualCapture) {
    return { why: `${name} does not support manual capture`, what: 'manual capture' };
  }
  return null;
}

/** Why an account cannot take a payment, or null when it can. */
export function ineligibility(
  account: ProviderAccount,
  provider: PaymentProvider | undefined,
  payment: { currency: string; method: PaymentMethod | null; captureMode: string },
): string | null {
  if (!account.enabled) return 'account is disabled';
  if (!provider) return `provider ${account.provider} is not available on this server`;
  return unsupportedFeature(provider, payment)?.why ?? null;
}
