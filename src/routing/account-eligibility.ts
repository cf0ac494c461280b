import type { ProviderAccount } from '../providers/provider-account.entity';
import type { PaymentProvider } from '../providers/provider.interface';
import type { PaymentMethod } from '../domain/payment-status';
import { refusal, type Refusal } from '../providers/capabilities';

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

/** What routing knows of a new payment when it asks whether an account can take it. */
type PaymentAsked = {
  currency: string;
  amount: number;
  method: PaymentMethod | null;
  captureMode: string;
};

/**
 * What of the payment the provider cannot do (currency, amount below its minimum, method,
 * manual capture of that method), or null: the one capability check (`refusal`), so routing
 * skips such an account.
 */
export function unsupportedFeature(
  provider: PaymentProvider,
  payment: PaymentAsked,
): Refusal | null {
  return refusal(provider, {
    currency: payment.currency,
    amount: payment.amount,
    method: payment.method,
    features: payment.captureMode === 'manual' ? ['manualCapture'] : [],
  });
}

/** Why an account cannot take a payment, or null when it can. */
export function ineligibility(
  account: ProviderAccount,
  provider: PaymentProvider | undefined,
  payment: PaymentAsked,
): string | null {
  if (!account.enabled) return 'account is disabled';
  if (!provider) return `provider ${account.provider} is not available on this server`;
  return unsupportedFeature(provider, payment)?.why ?? null;
}
