import { useCallback } from 'react';
import { $api } from '../../api/client';
import type { components } from '../../api/schema.gen';

/**
 * The providers this server has, as the server declares them (GET /api/v1/admin/providers):
 * label, where to get the credentials, the credential fields (name, label, secret, required,
 * pattern) and the capabilities per method. The account form is drawn from it; the server
 * validates everything again and answers field errors, shown next to these fields.
 */
export type ProviderInfo = components['schemas']['ProviderCatalogEntryDto'];
export type CredentialField = components['schemas']['CredentialFieldDto'];

/** The server's provider catalog; it changes only with a deployment, so it is read once. */
export function useProviderCatalog() {
  return $api.useQuery('get', '/api/v1/admin/providers', {}, { staleTime: Infinity });
}

/** The label of a provider by name, from the catalog (the name itself while it loads). */
export function useProviderLabel(): (name: string | null | undefined) => string {
  const catalog = useProviderCatalog().data?.data;
  return useCallback((name) => providerLabel(name, catalog), [catalog]);
}

export const TEST_FAILURE_MODES = [
  { value: 'none', label: 'None: behaves normally' },
  { value: 'unavailable', label: 'Unavailable: every create fails as a retryable 503' },
  { value: 'decline', label: 'Decline: every create is declined' },
];

export function providerInfo(
  catalog: readonly ProviderInfo[] | undefined,
  name: string,
): ProviderInfo | undefined {
  return catalog?.find((p) => p.name === name);
}

export function providerLabel(
  name: string | null | undefined,
  catalog: readonly ProviderInfo[] | undefined,
): string {
  if (!name) return '—';
  return providerInfo(catalog, name)?.label ?? name;
}

/**
 * The payment on the PSP's own dashboard, where its URL is known from the provider's id:
 * Mollie (tr_…), Stripe (PaymentIntent, test or live), Adyen (a PSP reference).
 */
export function pspDashboardUrl(
  provider: string,
  paymentId: string | null | undefined,
  testMode: boolean | undefined,
): string | null {
  if (!paymentId) return null;
  const id = encodeURIComponent(paymentId);
  if (provider === 'mollie' && paymentId.startsWith('tr_'))
    return `https://my.mollie.com/dashboard/payments/${id}`;
  if (provider === 'stripe' && paymentId.startsWith('pi_'))
    return `https://dashboard.stripe.com/${testMode === false ? '' : 'test/'}payments/${id}`;
  if (provider === 'adyen' && /^[A-Z0-9]{16}$/.test(paymentId)) {
    return `https://ca-${testMode === false ? 'live' : 'test'}.adyen.com/ca/ca/accounts/showTx.shtml?pspReference=${id}&txType=Payment`;
  }
  return null;
}
