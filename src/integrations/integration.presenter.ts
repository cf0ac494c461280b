import type { IntegrationWithKeys } from './integrations.service';

/** The integration as the admin API shows it: key summaries, never key material or hashes. */
export function toIntegrationView({ integration, apiKeys }: IntegrationWithKeys) {
  return {
    id: integration.id,
    name: integration.name,
    defaultProviderAccountId: integration.defaultProviderAccountId,
    oidcClientId: integration.oidcClientId,
    apiKeys: apiKeys.map((key) => ({
      id: key.id,
      prefix: key.keyPrefix,
      createdAt: key.createdAt.toISOString(),
      revokedAt: key.revokedAt ? key.revokedAt.toISOString() : null,
    })),
    createdAt: integration.createdAt.toISOString(),
    updatedAt: integration.updatedAt.toISOString(),
  };
}
