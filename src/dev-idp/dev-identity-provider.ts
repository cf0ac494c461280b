import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JsonWebKey } from 'node:crypto';
import type { AppConfig } from '../config/app.config';
import {
  generateSigningKey,
  RunningIdentityProvider,
  startIdentityProvider,
} from './identity-provider';

import {
  DEV_ADMIN_CLIENT_ID,
  DEV_ADMIN_CLIENT_SECRET,
  DEV_VIEWER_CLIENT_ID,
  DEV_VIEWER_CLIENT_SECRET,
  DEV_VIEWER_USER,
} from './dev-clients';

/**
 * The signing key is kept beside the SQLite database so that tokens survive a restart; other
 * databases get a fresh key per start.
 */
function signingKeys(config: AppConfig): JsonWebKey[] {
  if (config.database.driver !== 'sqlite') return [generateSigningKey()];
  const file = path.join(path.dirname(config.database.url), 'dev-idp-keys.json');
  try {
    const keys = JSON.parse(fs.readFileSync(file, 'utf8')) as JsonWebKey[];
    if (Array.isArray(keys) && keys.length > 0) return keys;
  } catch {
    /* absent or unreadable: make a new one */
  }
  const keys = [generateSigningKey()];
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

/**
 * DEVELOPMENT ONLY. Started when PAYMENTSERVER_OIDC_ISSUER is unset and NODE_ENV=development
 * (or PAYMENTSERVER_DEV_IDP=true with NODE_ENV=test), on loopback only:
 * client `paymentserver-admin` (well-known secret) gets admin tokens by client_credentials,
 * client `paymentserver-viewer` read-only ones (scope paymentserver:read),
 * and every user of the login page of client `paymentserver-dashboard` (authorization code +
 * PKCE) is an admin except `viewer`, who may only read. Refused in production.
 */
export async function startDevIdentityProvider(
  config: AppConfig,
): Promise<RunningIdentityProvider> {
  if (config.server.production || !config.security.devIdentityProvider) {
    throw new Error(
      'The development identity provider is not available here (NODE_ENV=development or PAYMENTSERVER_DEV_IDP=true outside production); set PAYMENTSERVER_OIDC_ISSUER',
    );
  }
  const idp = await startIdentityProvider({
    port: config.security.oidc.devIdpPort,
    host: '127.0.0.1',
    audience: config.security.oidcAudience,
    resourceScopes: [
      config.security.oidc.adminScope,
      config.security.oidc.readScope,
      'paymentserver:payments',
    ],
    keys: signingKeys(config),
    clients: [
      {
        clientId: DEV_ADMIN_CLIENT_ID,
        clientSecret: DEV_ADMIN_CLIENT_SECRET,
        scope: `${config.security.oidc.adminScope} paymentserver:payments`,
      },
      {
        clientId: DEV_VIEWER_CLIENT_ID,
        clientSecret: DEV_VIEWER_CLIENT_SECRET,
        scope: config.security.oidc.readScope,
      },
      {
        clientId: config.security.oidc.dashboardClientId,
        scope: `${config.security.oidc.adminScope} ${config.security.oidc.readScope}`,
        redirectUris: config.security.oidc.devIdpRedirectUris,
      },
    ],
    userRoles: [config.security.oidc.adminRole],
    // Signing in as `viewer` gives a read-only token, whatever scope the client asks for.
    restrictedUsers: {
      [DEV_VIEWER_USER]: {
        roles: [config.security.oidc.viewerRole],
        scopes: [config.security.oidc.readScope],
      },
    },
  });
  return idp;
}

/** The warning bootstrap logs once the application's logger exists. */
export function devIdentityProviderWarning(idp: RunningIdentityProvider, config: AppConfig) {
  return {
    msg: 'DEVELOPMENT identity provider started: anyone on this machine can get admin tokens. Never use it in production; set PAYMENTSERVER_OIDC_ISSUER to your OpenID Connect provider.',
    issuer: idp.issuer,
    adminClient: DEV_ADMIN_CLIENT_ID,
    viewerClient: DEV_VIEWER_CLIENT_ID,
    dashboardClient: config.security.oidc.dashboardClientId,
  };
}
