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

/** Why an account cannot take a payment, or null when it can. */
export function ineligibility(
  account: ProviderAccount,
  provider: PaymentProvider | undefined,
  payment: { currency: string; method: PaymentMethod | null; captureMode: string },
): string | null {
  if (!account.enabled) return 'account is disabled';
  if (!provider) return `provider ${account.provider} is not available on this server`;
  const caps = provider.capabilities;
  if (caps.currencies !== 'any' && !caps.currencies.includes(payment.currency)) {
    return `${account.provider} does not support ${payment.currency}`;
  }
  if (payment.method && !caps.methods.includes(payment.method)) {
    return `${account.provider} does not support method ${payment.method}`;
  }
  if (payment.captureMode === 'manual' && !caps.manualCapture) {
    return `${account.provider} does not support manual capture`;
  }
  return null;
}
