/**
 * Every configuration key, declared once. The readers in this folder take each key's type,
 * default and bounds from here; `.env.example` and the table in docs/configuration.md are
 * generated from it (`npm run config:docs`), and a spec fails when either drifts or when code
 * reads a PAYMENTSERVER_* key that is not declared.
 */
export type ConfigKeyType =
  'string' | 'boolean' | 'integer' | 'decimal' | 'integer-list' | 'port' | 'url' | 'enum';

export interface ConfigKey {
  name: string;
  /** Heading the key is listed under in `.env.example` and the docs. */
  section: ConfigSection;
  type: ConfigKeyType;
  /** Markdown; the first sentence also goes into `.env.example`. */
  description: string;
  /**
   * The value used when the key is unset, as it would be written in the environment. Absent:
   * unset, or a default that depends on other keys (then `defaultText` says which).
   */
  default?: string;
  /** Markdown for the docs' default column when `default` alone does not say it. */
  defaultText?: string;
  /** Inclusive bounds of an integer (of each element of a list), or of a decimal. */
  min?: number;
  max?: number;
  /** Exclusive lower bound of a decimal. */
  above?: number;
  /** Unit named in error messages (`seconds`, `days`…). */
  unit?: string;
  /** The allowed values of an `enum`. */
  values?: readonly string[];
  /** A credential or key: never logged, and `.env.example` shows no example value for it. */
  secret?: boolean;
  /** Written as a commented example in `.env.example` when the key has no default. */
  example?: string;
}

export const CONFIG_SECTIONS = [
  'Listeners',
  'Database',
  'Features',
  'Logging',
  'Secrets',
  'OpenID Connect',
  'Perimeter',
  'Notifications',
  'Idempotency',
  'Routing',
  'Provider webhooks',
  'Reconciliation',
  'Retention',
] as const;
export type ConfigSection = (typeof CONFIG_SECTIONS)[number];

const DEV_ONLY = '`true` only with `NODE_ENV=development`';
const DAY = 86_400;

export const CONFIG_KEYS: readonly ConfigKey[] = [
  // Listeners
  {
    name: 'PAYMENTSERVER_PORT',
    section: 'Listeners',
    type: 'port',
    default: '28888',
    description: 'Internal listener: REST API, admin API, Swagger, health, metrics.',
  },
  {
    name: 'PAYMENTSERVER_PUBLIC_PORT',
    section: 'Listeners',
    type: 'port',
    example: '28889',
    description:
      'Optional second listener that serves **only** `/webhooks/*` (expose this one to the internet); must differ from `PAYMENTSERVER_PORT`.',
  },
  {
    name: 'PAYMENTSERVER_PUBLIC_URL',
    section: 'Listeners',
    type: 'url',
    example: 'https://pay.example.com',
    defaultText: '`http://localhost:<public port or port>`',
    description:
      'Public base URL of the webhook surface, used in the webhook URLs handed to providers.',
  },
  {
    name: 'PAYMENTSERVER_INTERNAL_URL',
    section: 'Listeners',
    type: 'url',
    example: 'http://localhost:28888',
    defaultText: '`http://localhost:<port>`',
    description:
      "Base URL of the internal listener as the customer's browser reaches it (test provider checkout page, dashboard).",
  },
  // Database
  {
    name: 'PAYMENTSERVER_EDITION',
    section: 'Database',
    type: 'enum',
    values: ['community', 'enterprise'],
    default: 'community',
    description:
      '`community` (drivers `memory`, `sqlite`) or `enterprise` (every driver); a driver outside the edition is refused at start-up.',
  },
  {
    name: 'PAYMENTSERVER_DB',
    section: 'Database',
    type: 'enum',
    values: ['memory', 'sqlite', 'mysql', 'mssql', 'postgres'],
    default: 'sqlite',
    description: 'Database driver: `memory`, `sqlite`, `mysql`, `mssql` or `postgres`.',
  },
  {
    name: 'PAYMENTSERVER_DB_URL',
    section: 'Database',
    type: 'string',
    default: './data/paymentserver.sqlite',
    defaultText: '`./data/paymentserver.sqlite` for `sqlite`; required for server databases',
    secret: true,
    description:
      'Connection string. `sqlite`: a file path; `mysql://user:pass@host:3306/db`; `postgres://user:pass@host:5432/db`; `mssql://user:pass@host:1433/db?encrypt=true`.',
  },
  {
    name: 'PAYMENTSERVER_MIGRATIONS_RUN',
    section: 'Database',
    type: 'boolean',
    default: 'true',
    description: 'Run pending migrations at start-up.',
  },
  // Features
  {
    name: 'PAYMENTSERVER_SWAGGER',
    section: 'Features',
    type: 'boolean',
    example: 'true',
    defaultText: DEV_ONLY,
    description: 'Swagger UI at `/swagger` and the document at `/swagger/json`.',
  },
  {
    name: 'PAYMENTSERVER_TEST_PROVIDER',
    section: 'Features',
    type: 'boolean',
    example: 'true',
    defaultText: DEV_ONLY,
    description:
      'The built-in `test` provider, which marks payments paid that nobody paid; refused in production.',
  },
  {
    name: 'PAYMENTSERVER_TEST_PROVIDER_MANUAL_WEBHOOKS',
    section: 'Features',
    type: 'boolean',
    example: 'true',
    defaultText: `${DEV_ONLY} and the test provider on`,
    description:
      "The test provider's unauthenticated developer hook `POST /test-provider/payments/{id}/webhooks`; needs the test provider.",
  },
  {
    name: 'PAYMENTSERVER_METRICS',
    section: 'Features',
    type: 'boolean',
    default: 'true',
    description:
      'Prometheus metrics at `GET /metrics` on the internal listener (see [Metrics](operations.md#metrics)); `false`: `404`.',
  },
  // Logging
  {
    name: 'PAYMENTSERVER_LOG_FORMAT',
    section: 'Logging',
    type: 'enum',
    values: ['json', 'pretty'],
    example: 'json',
    defaultText: '`json`; `pretty` with `NODE_ENV=development`',
    description:
      'Logs on stdout: `json` (one object per line, for log shippers) or `pretty` (for a terminal).',
  },
  {
    name: 'PAYMENTSERVER_LOG_LEVEL',
    section: 'Logging',
    type: 'enum',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    description:
      'Lowest level written: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`.',
  },
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
  // Notifications
  {
    name: 'PAYMENTSERVER_RABBITMQ_URL',
    section: 'Notifications',
    type: 'string',
    secret: true,
    example: 'amqp://guest:guest@127.0.0.1:5672',
    description: 'AMQP URL (`amqp://` or `amqps://`) for RabbitMQ notification endpoints.',
  },
  {
    name: 'PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE',
    section: 'Notifications',
    type: 'integer-list',
    default: '5,300,1800,7200,18000,36000,50400,72000,86400',
    min: 1,
    unit: 'seconds',
    description: 'Seconds between delivery attempts to a shop; after the last one it is `dead`.',
  },
  {
    name: 'PAYMENTSERVER_ALLOW_PRIVATE_WEBHOOK_TARGETS',
    section: 'Notifications',
    type: 'boolean',
    example: 'true',
    defaultText: DEV_ONLY,
    description: 'Allow notification URLs on loopback, link-local and private addresses.',
  },
  {
    name: 'PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS',
    section: 'Notifications',
    type: 'integer',
    default: '1000',
    min: 1,
    max: 60_000,
    unit: 'milliseconds',
    description: 'How often an idle notification worker looks for due deliveries.',
  },
  {
    name: 'PAYMENTSERVER_NOTIFICATION_LEASE_SECONDS',
    section: 'Notifications',
    type: 'integer',
    default: '60',
    min: 1,
    max: 3600,
    unit: 'seconds',
    description:
      'How long a claimed delivery stays with its worker before another instance may take it over; renewed while the send runs, so it bounds how soon a crashed instance\u2019s sends are taken over.',
  },
  {
    name: 'PAYMENTSERVER_NOTIFICATION_BATCH_SIZE',
    section: 'Notifications',
    type: 'integer',
    default: '50',
    min: 1,
    max: 500,
    description: 'Deliveries claimed and sent concurrently per round.',
  },
  {
    name: 'PAYMENTSERVER_NOTIFICATION_HTTP_TIMEOUT_SECONDS',
    section: 'Notifications',
    type: 'integer',
    default: '10',
    min: 1,
    max: 120,
    unit: 'seconds',
    description:
      'Deadline of one webhook request (DNS, connect, headers and body together, so an endpoint that drips its answer is cut off) and of one RabbitMQ publisher confirm.',
  },
  {
    name: 'PAYMENTSERVER_NOTIFICATION_ENDPOINT_CONCURRENCY',
    section: 'Notifications',
    type: 'integer',
    default: '16',
    min: 1,
    max: 500,
    description:
      'Webhook requests in flight to one endpoint at once, per server instance: a slow endpoint cannot take every slot of the batch.',
  },
  // Idempotency
  {
    name: 'PAYMENTSERVER_IDEMPOTENCY_LEASE_SECONDS',
    section: 'Idempotency',
    type: 'integer',
    default: '60',
    min: 1,
    max: 3600,
    unit: 'seconds',
    description:
      'A key whose request died (crash, kill) is free again this long after its last sign of life; a running request renews it.',
  },
  // Routing
  {
    name: 'PAYMENTSERVER_PROVIDER_TIMEOUT_MS',
    section: 'Routing',
    type: 'integer',
    default: '10000',
    min: 1,
    max: 300_000,
    description:
      'How long one provider call may take before it fails as a retryable `timeout` (applied by the core HTTP client).',
  },
  {
    name: 'PAYMENTSERVER_ROUTING_TIME_BUDGET_MS',
    section: 'Routing',
    type: 'integer',
    default: '25000',
    min: 1,
    max: 600_000,
    description: 'How long creating one payment may spend on provider calls, fallbacks included.',
  },
  {
    name: 'PAYMENTSERVER_CIRCUIT_FAILURE_THRESHOLD',
    section: 'Routing',
    type: 'integer',
    default: '5',
    min: 1,
    max: 1000,
    description: 'Consecutive retryable failures that take a provider account out of rotation.',
  },
  {
    name: 'PAYMENTSERVER_CIRCUIT_COOLDOWN_MS',
    section: 'Routing',
    type: 'integer',
    default: '30000',
    min: 1,
    max: 86_400_000,
    description: 'How long an account stays out of rotation before one probe payment may try it.',
  },
  // Provider webhooks
  {
    name: 'PAYMENTSERVER_WEBHOOK_RETRY_BASE_SECONDS',
    section: 'Provider webhooks',
    type: 'integer',
    default: '30',
    min: 1,
    max: DAY,
    unit: 'seconds',
    description:
      'Delay before the first retry of a provider webhook whose processing failed; it doubles each time.',
  },
  {
    name: 'PAYMENTSERVER_WEBHOOK_RETRY_MAX_DELAY_SECONDS',
    section: 'Provider webhooks',
    type: 'integer',
    default: '21600',
    min: 1,
    max: 7 * DAY,
    unit: 'seconds',
    description:
      'No single retry delay is longer than this; not below `PAYMENTSERVER_WEBHOOK_RETRY_BASE_SECONDS`.',
  },
  {
    name: 'PAYMENTSERVER_WEBHOOK_RETRY_HORIZON_SECONDS',
    section: 'Provider webhooks',
    type: 'integer',
    default: '259200',
    min: 1,
    max: 30 * DAY,
    unit: 'seconds',
    description: 'A provider webhook still failing this long after it arrived is marked `dead`.',
  },
  {
    name: 'PAYMENTSERVER_WEBHOOK_RETRY_INTERVAL_MS',
    section: 'Provider webhooks',
    type: 'integer',
    default: '5000',
    min: 100,
    max: 600_000,
    unit: 'milliseconds',
    description: 'How often the webhook inbox is searched for due retries.',
  },
  {
    name: 'PAYMENTSERVER_WEBHOOK_POLL_BUDGET_PER_MINUTE',
    section: 'Provider webhooks',
    type: 'integer',
    default: '60',
    min: 1,
    max: 100_000,
    unit: 'calls per minute',
    description:
      'Provider status polls caused by webhooks that failed verification, per provider account per minute.',
  },
  // Reconciliation
  {
    name: 'PAYMENTSERVER_RECONCILE_AFTER_SECONDS',
    section: 'Reconciliation',
    type: 'integer',
    default: '900',
    min: 0,
    unit: 'seconds',
    description:
      'A payment still `pending` or `authorized` this long after its last change is polled at its provider.',
  },
  {
    name: 'PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS',
    section: 'Reconciliation',
    type: 'integer',
    default: '60',
    min: 0,
    unit: 'seconds',
    description: 'How often the reconciliation job runs; `0`: off.',
  },
  {
    name: 'PAYMENTSERVER_RECONCILE_BATCH_SIZE',
    section: 'Reconciliation',
    type: 'integer',
    default: '20',
    min: 0,
    description: 'At most this many provider polls of each kind per run (rate limit); `0` means 1.',
  },
  {
    name: 'PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE',
    section: 'Reconciliation',
    type: 'integer-list',
    default: '30,60,120,300,600,1800,3600',
    min: 0,
    max: DAY,
    unit: 'seconds',
    description:
      'Seconds between looks at a capture, cancel or refund whose outcome is unknown or still open at the provider (lookup, re-send with the same idempotency key, poll); the last one repeats.',
  },
  {
    name: 'PAYMENTSERVER_RECONCILE_ATTENTION_HOURS',
    section: 'Reconciliation',
    type: 'decimal',
    default: '24',
    above: 0,
    max: 8760,
    unit: 'hours',
    description:
      'An operation no provider API can settle (Adyen) still open this long marks its payment `needsAttention` in the admin API; fractions allowed.',
  },
  // Retention
  {
    name: 'PAYMENTSERVER_RETENTION_DAYS',
    section: 'Retention',
    type: 'integer',
    default: '90',
    min: 0,
    max: 36_500,
    unit: 'days',
    description:
      'Settled housekeeping records older than this are deleted hourly: processed, dead and rejected provider webhooks, delivered or dead notification deliveries with their attempts, outbox events with no delivery left; `0`: keep them forever. Payments, refunds and status history are never deleted; expired idempotency keys are purged every run regardless.',
  },
  {
    name: 'PAYMENTSERVER_AUDIT_RETENTION_DAYS',
    section: 'Retention',
    type: 'integer',
    default: '400',
    min: 0,
    max: 36_500,
    unit: 'days',
    description:
      '[Audit events](operations.md#audit-log) older than this are deleted hourly; `0`: keep them forever.',
  },
];

const BY_NAME = new Map(CONFIG_KEYS.map((key) => [key.name, key]));

/** The declaration of `name`; a key that is not declared is a programming error. */
export function configKey(name: string): ConfigKey {
  const key = BY_NAME.get(name);
  if (!key)
    throw new Error(`Configuration key ${name} is not declared in src/config/config-keys.ts`);
  return key;
}

export function isDeclared(name: string): boolean {
  return BY_NAME.has(name);
}
