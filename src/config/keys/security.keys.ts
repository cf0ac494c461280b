import type { ConfigKey } from './config-key';

/** Secrets, OpenID Connect and the perimeter (who may call what, from where). */
export const SECURITY_KEYS: readonly ConfigKey[] = [
  // Secrets
  {
    name: 'PAYMENTSERVER_BOOTSTRAP_API_KEY',
    section: 'Secrets',
    type: 'string',
    secret: true,
    description:
      'If set and no integration exists, integration `default` gets exactly this API key (at least 16 characters).',
  },
  {
    name: 'PAYMENTSERVER_ENCRYPTION_KEY',
    section: 'Secrets',
    type: 'string',
    secret: true,
    defaultText:
      'generated into `<sqlite dir>/encryption.key` (per process for `memory`) with `NODE_ENV=development`; required otherwise',
    description:
      '32 bytes (base64 or 64 hex characters) encrypting provider credentials and webhook secrets (AES-256-GCM). Comma-separate several to rotate: the first encrypts, all decrypt. Generate one: `openssl rand -base64 32`.',
  },
  // OpenID Connect
  {
    name: 'PAYMENTSERVER_OIDC_ISSUER',
    section: 'OpenID Connect',
    type: 'url',
    example: 'https://login.example.com/realms/shop',
    defaultText: 'required unless `NODE_ENV=development` (then the bundled development provider)',
    description:
      'OpenID Connect issuer URL whose access tokens open the admin API; compared with `iss` exactly.',
  },
  {
    name: 'PAYMENTSERVER_OIDC_AUDIENCE',
    section: 'OpenID Connect',
    type: 'string',
    default: 'urn:paymentserver',
    description: 'Required `aud` of access tokens.',
  },
  {
    name: 'PAYMENTSERVER_DASHBOARD_CLIENT_ID',
    section: 'OpenID Connect',
    type: 'string',
    default: 'paymentserver-dashboard',
    description:
      'Public OAuth client (authorization code + PKCE) the web dashboard at `/dashboard` signs in with.',
  },
  {
    name: 'PAYMENTSERVER_OIDC_SCOPE_CLAIM',
    section: 'OpenID Connect',
    type: 'string',
    default: 'scope',
    description: 'Claim holding the scopes (a space-separated string or an array).',
  },
  {
    name: 'PAYMENTSERVER_OIDC_ROLES_CLAIM',
    section: 'OpenID Connect',
    type: 'string',
    default: 'roles',
    description:
      'Claim holding the roles; an exact claim name, or a dotted path (`realm_access.roles`).',
  },
  {
    name: 'PAYMENTSERVER_OIDC_CLIENT_ID_CLAIMS',
    section: 'OpenID Connect',
    type: 'string',
    default: 'client_id,azp',
    description:
      'Claims naming the OAuth client, tried in order (linked to integrations by `oidcClientId`).',
  },
  {
    name: 'PAYMENTSERVER_OIDC_ADMIN_SCOPE',
    section: 'OpenID Connect',
    type: 'string',
    default: 'paymentserver:admin',
    description: 'The scope that opens the admin API.',
  },
  {
    name: 'PAYMENTSERVER_OIDC_ADMIN_ROLE',
    section: 'OpenID Connect',
    type: 'string',
    default: 'admin',
    description: 'The role that opens the admin API.',
  },
  {
    name: 'PAYMENTSERVER_OIDC_READ_SCOPE',
    section: 'OpenID Connect',
    type: 'string',
    default: 'paymentserver:read',
    description:
      'The scope that opens the admin API for reading only: every `GET`, writes `403` (see [Security](security.md#admin-roles)).',
  },
  {
    name: 'PAYMENTSERVER_OIDC_VIEWER_ROLE',
    section: 'OpenID Connect',
    type: 'string',
    default: 'viewer',
    description: 'The role that opens the admin API for reading only.',
  },
  {
    name: 'PAYMENTSERVER_OIDC_ALGORITHMS',
    section: 'OpenID Connect',
    type: 'string',
    default: 'RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512',
    description:
      'Accepted JWS algorithms, a comma-separated subset of RS/PS/ES 256/384/512 (never `none` or HS*).',
  },
  {
    name: 'PAYMENTSERVER_OIDC_CLOCK_SKEW_SECONDS',
    section: 'OpenID Connect',
    type: 'integer',
    default: '30',
    min: 0,
    max: 300,
    unit: 'seconds',
    description: 'Tolerance for `exp` and `nbf`.',
  },
  {
    name: 'PAYMENTSERVER_OIDC_JWKS_COOLDOWN_SECONDS',
    section: 'OpenID Connect',
    type: 'integer',
    default: '30',
    min: 0,
    max: 3600,
    unit: 'seconds',
    description:
      "A token with an unknown `kid` refetches the issuer's keys at most once per this many seconds.",
  },
  {
    name: 'PAYMENTSERVER_DEV_IDP',
    section: 'OpenID Connect',
    type: 'boolean',
    example: 'true',
    defaultText: '`true` only with `NODE_ENV=development` and no issuer',
    description:
      'The bundled development identity provider: only without `PAYMENTSERVER_OIDC_ISSUER`, never in production (`true` with `NODE_ENV=test` turns it on there).',
  },
  {
    name: 'PAYMENTSERVER_DEV_IDP_PORT',
    section: 'OpenID Connect',
    type: 'port',
    default: '28890',
    description: 'Port of the bundled development identity provider.',
  },
  {
    name: 'PAYMENTSERVER_DEV_IDP_REDIRECT_URIS',
    section: 'OpenID Connect',
    type: 'string',
    example: 'http://localhost:28888/dashboard/callback',
    defaultText: '`<internal URL>/dashboard/callback`',
    description:
      "Comma-separated redirect URIs of the development provider's dashboard client (authorization code + PKCE).",
  },
  // Perimeter
  {
    name: 'PAYMENTSERVER_WEBHOOK_RATE_LIMIT',
    section: 'Perimeter',
    type: 'integer',
    default: '1200',
    min: 0,
    max: 1_000_000,
    unit: 'requests per minute',
    description:
      'Requests per minute per client address to `/webhooks/*` (both listeners); over it: `429` + `Retry-After`; `0`: no limit.',
  },
  {
    name: 'PAYMENTSERVER_AUTH_FAILURE_RATE_LIMIT',
    section: 'Perimeter',
    type: 'integer',
    default: '60',
    min: 0,
    max: 1_000_000,
    unit: 'requests per minute',
    description:
      'Failed authentications (`401`) per minute per client address; then every authenticated route answers that address `429` + `Retry-After` until the minute ends; `0`: no limit.',
  },
  {
    name: 'PAYMENTSERVER_CORS_ORIGINS',
    section: 'Perimeter',
    type: 'string',
    example: 'https://dashboard.example.com',
    defaultText: 'unset: CORS closed',
    description: 'Comma-separated browser origins allowed by CORS (exact, no `*`).',
  },
  {
    name: 'PAYMENTSERVER_TRUSTED_PROXIES',
    section: 'Perimeter',
    type: 'string',
    example: '172.28.0.10',
    defaultText: 'unset: loopback only',
    description:
      'Comma-separated addresses or CIDR ranges of reverse proxies on other hosts whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed (loopback always is); the client address they give counts for rate limits and the audit log. Such a proxy must replace those headers, never pass on what clients send.',
  },
];
