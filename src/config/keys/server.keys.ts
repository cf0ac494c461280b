import type { ConfigKey } from './config-key';
import { DEV_ONLY } from './shared';

/** Listeners, database, features and logging. */
export const SERVER_KEYS: readonly ConfigKey[] = [
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
  {
    name: 'PAYMENTSERVER_REDIS_URL',
    section: 'Database',
    type: 'string',
    example: 'redis://127.0.0.1:6379/0',
    secret: true,
    description:
      'Optional Redis (`redis://` or `rediss://`, `/<db>` selects the database, `?keyPrefix=<prefix>` replaces the default key prefix `paymentserver:`). Set: the rate-limit windows and the circuit breaker state are shared between the server instances through Redis instead of the database, on every driver (SQLite included). See [Several instances](operations.md#several-instances).',
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
];
