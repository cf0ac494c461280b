import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, EnvReader } from './env-reader';
import { DatabaseConfig } from './database.config';

export interface SecurityConfig {
  /** 32-byte keys; the first encrypts, all decrypt (rotation). */
  encryptionKeys: Buffer[];
  bootstrapApiKey: string | undefined;
  /** Unset: the bundled development identity provider (never in production). */
  oidcIssuer: string | undefined;
  /** The bundled development identity provider runs (exactly when no issuer is configured). */
  devIdentityProvider: boolean;
  oidcAudience: string;
  oidc: OidcConfig;
  allowPrivateWebhookTargets: boolean;
}

/** How access tokens are checked and which claims grant what. */
export interface OidcConfig {
  /** Asymmetric JWS algorithms accepted; anything else (none, HS*) is refused. */
  algorithms: string[];
  clockSkewSeconds: number;
  /** A token with an unknown `kid` refetches the issuer's keys at most once per this many seconds. */
  jwksCooldownSeconds: number;
  /** Claim holding space-separated scopes (or an array of them). */
  scopeClaim: string;
  /** Claim holding roles; a dotted path reaches nested claims (Keycloak: realm_access.roles). */
  rolesClaim: string;
  /** Claims naming the OAuth client, tried in order. */
  clientIdClaims: string[];
  adminScope: string;
  adminRole: string;
  /** Read-only admin access: every admin GET (and POST routes marked read-only), no write. */
  readScope: string;
  viewerRole: string;
  /** Port of the bundled development identity provider when no issuer is configured. */
  devIdpPort: number;
  /** Redirect URIs of the development provider's dashboard client (authorization code + PKCE). */
  devIdpRedirectUris: string[];
  /** The public OAuth client (authorization code + PKCE) the dashboard signs in with. */
  dashboardClientId: string;
}

export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
];

export function parseEncryptionKey(value: string): Buffer | undefined {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const decoded = Buffer.from(trimmed, 'base64');
  return decoded.length === 32 ? decoded : undefined;
}

/**
 * In development on an embedded database the key is generated once and kept beside the
 * database file, so a restart can still read the credentials it encrypted.
 */
function developmentKey(database: DatabaseConfig): Buffer {
  if (database.driver !== 'sqlite') return randomBytes(32);
  const file = path.join(path.dirname(database.url), 'encryption.key');
  if (fs.existsSync(file)) {
    const key = parseEncryptionKey(fs.readFileSync(file, 'utf8'));
    if (key) return key;
  }
  const key = randomBytes(32);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600 });
  return key;
}

export function loadSecurityConfig(reader: EnvReader, database: DatabaseConfig): SecurityConfig {
  const rawKey = reader.optionalString('PAYMENTSERVER_ENCRYPTION_KEY');
  let encryptionKeys: Buffer[];
  if (rawKey) {
    encryptionKeys = rawKey.split(',').map((part) => {
      const key = parseEncryptionKey(part);
      if (!key) {
        throw new ConfigError(
          'PAYMENTSERVER_ENCRYPTION_KEY',
          'must be 32 bytes as 64 hex characters or base64 (comma-separated to keep old keys for decryption)',
        );
      }
      return key;
    });
  } else if (!reader.isDevelopment || !['memory', 'sqlite'].includes(database.driver)) {
    throw new ConfigError(
      'PAYMENTSERVER_ENCRYPTION_KEY',
      'is required unless NODE_ENV=development with an embedded database (generate one: openssl rand -base64 32)',
    );
  } else {
    encryptionKeys = [developmentKey(database)];
  }

  const bootstrapApiKey = reader.optionalString('PAYMENTSERVER_BOOTSTRAP_API_KEY');
  if (bootstrapApiKey !== undefined && bootstrapApiKey.length < 16) {
    throw new ConfigError('PAYMENTSERVER_BOOTSTRAP_API_KEY', 'must be at least 16 characters');
  }

  // Validated as a URL but kept verbatim: `iss` is compared exactly, trailing slash included (Auth0).
  const oidcIssuer =
    reader.url('PAYMENTSERVER_OIDC_ISSUER') && reader.raw('PAYMENTSERVER_OIDC_ISSUER');
  const devIdentityProvider = reader.boolean(
    'PAYMENTSERVER_DEV_IDP',
    reader.isDevelopment && !oidcIssuer,
  );
  if (devIdentityProvider && oidcIssuer) {
    throw new ConfigError(
      'PAYMENTSERVER_DEV_IDP',
      'cannot be combined with PAYMENTSERVER_OIDC_ISSUER',
    );
  }
  if (devIdentityProvider && reader.isProduction) {
    throw new ConfigError(
      'PAYMENTSERVER_DEV_IDP',
      'must not be true in production (NODE_ENV is unset or production): anyone on the machine could get admin tokens',
    );
  }
  if (!oidcIssuer && !devIdentityProvider) {
    throw new ConfigError(
      'PAYMENTSERVER_OIDC_ISSUER',
      'is required unless NODE_ENV=development (the bundled development identity provider is for development only)',
    );
  }

  return {
    encryptionKeys,
    bootstrapApiKey,
    oidcIssuer,
    devIdentityProvider,
    oidcAudience: reader.string('PAYMENTSERVER_OIDC_AUDIENCE'),
    oidc: loadOidcConfig(reader),
    allowPrivateWebhookTargets: reader.boolean(
      'PAYMENTSERVER_ALLOW_PRIVATE_WEBHOOK_TARGETS',
      reader.isDevelopment,
    ),
  };
}

function loadOidcConfig(reader: EnvReader): OidcConfig {
  // The same default as the server's internal URL (server config validates these keys).
  const internalUrl = (
    reader.raw('PAYMENTSERVER_INTERNAL_URL') ??
    `http://localhost:${reader.raw('PAYMENTSERVER_PORT') ?? 28888}`
  ).replace(/\/+$/, '');
  const algorithms = reader
    .string('PAYMENTSERVER_OIDC_ALGORITHMS')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const bad = algorithms.find((alg) => !ASYMMETRIC_ALGORITHMS.includes(alg));
  if (algorithms.length === 0 || bad) {
    throw new ConfigError(
      'PAYMENTSERVER_OIDC_ALGORITHMS',
      `must be a comma-separated subset of ${ASYMMETRIC_ALGORITHMS.join(', ')} (got "${bad ?? ''}")`,
    );
  }
  return {
    algorithms,
    clockSkewSeconds: reader.integer('PAYMENTSERVER_OIDC_CLOCK_SKEW_SECONDS'),
    jwksCooldownSeconds: reader.integer('PAYMENTSERVER_OIDC_JWKS_COOLDOWN_SECONDS'),
    scopeClaim: reader.string('PAYMENTSERVER_OIDC_SCOPE_CLAIM'),
    rolesClaim: reader.string('PAYMENTSERVER_OIDC_ROLES_CLAIM'),
    clientIdClaims: reader
      .string('PAYMENTSERVER_OIDC_CLIENT_ID_CLAIMS')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
    adminScope: reader.string('PAYMENTSERVER_OIDC_ADMIN_SCOPE'),
    adminRole: reader.string('PAYMENTSERVER_OIDC_ADMIN_ROLE'),
    readScope: reader.string('PAYMENTSERVER_OIDC_READ_SCOPE'),
    viewerRole: reader.string('PAYMENTSERVER_OIDC_VIEWER_ROLE'),
    devIdpPort: reader.port('PAYMENTSERVER_DEV_IDP_PORT')!,
    devIdpRedirectUris: reader
      .string('PAYMENTSERVER_DEV_IDP_REDIRECT_URIS', `${internalUrl}/dashboard/callback`)
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
    dashboardClientId: reader.string('PAYMENTSERVER_DASHBOARD_CLIENT_ID'),
  };
}
