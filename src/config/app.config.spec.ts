import { loadAppConfig } from './app.config';
import { ConfigError } from './env-reader';

const KEY = Buffer.alloc(32, 7).toString('base64');
const ISSUER = 'https://login.example.com/realms/shop';
/** What `npm start` gives: development, an embedded database. */
const DEV = { NODE_ENV: 'development', PAYMENTSERVER_DB: 'memory' };

function errorFor(env: Record<string, string>): ConfigError {
  try {
    loadAppConfig({ ...DEV, ...env });
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('has the contract defaults in development', () => {
    const config = loadAppConfig(DEV);
    expect(config.server.environment).toBe('development');
    expect(config.server.testProviderManualWebhooks).toBe(true);
    expect(config.security.devIdentityProvider).toBe(true);
    expect(config.idempotency.leaseSeconds).toBe(60);
    expect(config.server.port).toBe(28888);
    expect(config.server.publicPort).toBeUndefined();
    expect(config.server.publicUrl).toBe('http://localhost:28888');
    expect(config.server.swagger).toBe(true);
    expect(config.server.testProvider).toBe(true);
    expect(config.database.edition).toBe('community');
    expect(config.database.migrationsRun).toBe(true);
    expect(config.security.oidcAudience).toBe('urn:paymentserver');
    expect(config.security.allowPrivateWebhookTargets).toBe(true);
    expect(config.notifications.retryScheduleSeconds).toEqual([
      5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400,
    ]);
  });

  it.each([['production'], ['unset'], ['staging'], ['Development']])(
    'turns every development-only feature off for NODE_ENV=%s (fail closed: production)',
    (nodeEnv) => {
      const config = loadAppConfig({
        ...(nodeEnv === 'unset' ? {} : { NODE_ENV: nodeEnv }),
        PAYMENTSERVER_DB: 'memory',
        PAYMENTSERVER_ENCRYPTION_KEY: KEY,
        PAYMENTSERVER_OIDC_ISSUER: ISSUER,
      });
      expect(config.server.environment).toBe('production');
      expect(config.server.production).toBe(true);
      expect(config.server.swagger).toBe(false);
      expect(config.server.testProvider).toBe(false);
      expect(config.server.testProviderManualWebhooks).toBe(false);
      expect(config.security.devIdentityProvider).toBe(false);
      expect(config.security.allowPrivateWebhookTargets).toBe(false);
    },
  );

  it('gives NODE_ENV=test production defaults, but lets its own variables turn features on', () => {
    const base = {
      NODE_ENV: 'test',
      PAYMENTSERVER_DB: 'memory',
      PAYMENTSERVER_ENCRYPTION_KEY: KEY,
    };
    const defaults = loadAppConfig({ ...base, PAYMENTSERVER_OIDC_ISSUER: ISSUER });
    expect([
      defaults.server.swagger,
      defaults.server.testProvider,
      defaults.security.allowPrivateWebhookTargets,
    ]).toEqual([false, false, false]);
    const opted = loadAppConfig({
      ...base,
      PAYMENTSERVER_DEV_IDP: 'true',
      PAYMENTSERVER_TEST_PROVIDER: 'true',
      PAYMENTSERVER_TEST_PROVIDER_MANUAL_WEBHOOKS: 'true',
      PAYMENTSERVER_SWAGGER: 'true',
      PAYMENTSERVER_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true',
    });
    expect(opted.server.production).toBe(false);
    expect([
      opted.server.swagger,
      opted.server.testProvider,
      opted.server.testProviderManualWebhooks,
    ]).toEqual([true, true, true]);
    expect([opted.security.devIdentityProvider, opted.security.allowPrivateWebhookTargets]).toEqual(
      [true, true],
    );
  });

  it('lets production turn Swagger and private targets on by their own variables', () => {
    const config = loadAppConfig({
      PAYMENTSERVER_DB: 'memory',
      PAYMENTSERVER_ENCRYPTION_KEY: KEY,
      PAYMENTSERVER_OIDC_ISSUER: ISSUER,
      PAYMENTSERVER_SWAGGER: 'true',
      PAYMENTSERVER_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true',
    });
    expect([config.server.swagger, config.security.allowPrivateWebhookTargets]).toEqual([
      true,
      true,
    ]);
  });

  it.each([
    [{ PAYMENTSERVER_TEST_PROVIDER: 'true' }, 'PAYMENTSERVER_TEST_PROVIDER'],
    [{ PAYMENTSERVER_DEV_IDP: 'true' }, 'PAYMENTSERVER_DEV_IDP'],
    [
      { PAYMENTSERVER_TEST_PROVIDER_MANUAL_WEBHOOKS: 'true' },
      'PAYMENTSERVER_TEST_PROVIDER_MANUAL_WEBHOOKS',
    ],
  ])('refuses %p in production (NODE_ENV unset), naming %s', (env, key) => {
    const error = errorFor({
      NODE_ENV: '',
      PAYMENTSERVER_ENCRYPTION_KEY: KEY,
      ...(key === 'PAYMENTSERVER_DEV_IDP' ? {} : { PAYMENTSERVER_OIDC_ISSUER: ISSUER }),
      ...env,
    });
    expect(error.key).toBe(key);
    expect(error.message).not.toContain('\n');
  });

  it('refuses the development identity provider next to a configured issuer', () => {
    expect(errorFor({ PAYMENTSERVER_DEV_IDP: 'true', PAYMENTSERVER_OIDC_ISSUER: ISSUER }).key).toBe(
      'PAYMENTSERVER_DEV_IDP',
    );
  });

  it.each([
    [{ PAYMENTSERVER_PORT: 'abc' }, 'PAYMENTSERVER_PORT'],
    [{ PAYMENTSERVER_PORT: '70000' }, 'PAYMENTSERVER_PORT'],
    [{ PAYMENTSERVER_PUBLIC_PORT: '28888' }, 'PAYMENTSERVER_PUBLIC_PORT'],
    [{ PAYMENTSERVER_PUBLIC_URL: 'not a url' }, 'PAYMENTSERVER_PUBLIC_URL'],
    [{ PAYMENTSERVER_EDITION: 'gold' }, 'PAYMENTSERVER_EDITION'],
    [{ PAYMENTSERVER_DB: 'oracle' }, 'PAYMENTSERVER_DB'],
    [{ PAYMENTSERVER_MIGRATIONS_RUN: 'maybe' }, 'PAYMENTSERVER_MIGRATIONS_RUN'],
    [{ PAYMENTSERVER_SWAGGER: 'sure' }, 'PAYMENTSERVER_SWAGGER'],
    [{ PAYMENTSERVER_TEST_PROVIDER: '2' }, 'PAYMENTSERVER_TEST_PROVIDER'],
    [{ PAYMENTSERVER_ENCRYPTION_KEY: 'short' }, 'PAYMENTSERVER_ENCRYPTION_KEY'],
    [{ PAYMENTSERVER_BOOTSTRAP_API_KEY: 'tiny' }, 'PAYMENTSERVER_BOOTSTRAP_API_KEY'],
    [{ PAYMENTSERVER_OIDC_ISSUER: 'ftp://issuer' }, 'PAYMENTSERVER_OIDC_ISSUER'],
    [{ PAYMENTSERVER_OIDC_ALGORITHMS: 'RS256,HS256' }, 'PAYMENTSERVER_OIDC_ALGORITHMS'],
    [{ PAYMENTSERVER_OIDC_ALGORITHMS: 'none' }, 'PAYMENTSERVER_OIDC_ALGORITHMS'],
    [{ PAYMENTSERVER_OIDC_CLOCK_SKEW_SECONDS: '1h' }, 'PAYMENTSERVER_OIDC_CLOCK_SKEW_SECONDS'],
    [{ PAYMENTSERVER_DEV_IDP_PORT: 'x' }, 'PAYMENTSERVER_DEV_IDP_PORT'],
    [{ PAYMENTSERVER_RABBITMQ_URL: 'http://broker' }, 'PAYMENTSERVER_RABBITMQ_URL'],
    [
      { PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE: '5,abc' },
      'PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE',
    ],
    [
      { PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE: '5,0' },
      'PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE',
    ],
    [
      { PAYMENTSERVER_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'perhaps' },
      'PAYMENTSERVER_ALLOW_PRIVATE_WEBHOOK_TARGETS',
    ],
    [{ PAYMENTSERVER_DEV_IDP: 'maybe' }, 'PAYMENTSERVER_DEV_IDP'],
    [
      { PAYMENTSERVER_TEST_PROVIDER_MANUAL_WEBHOOKS: 'y' },
      'PAYMENTSERVER_TEST_PROVIDER_MANUAL_WEBHOOKS',
    ],
    [
      { PAYMENTSERVER_TEST_PROVIDER: 'false', PAYMENTSERVER_TEST_PROVIDER_MANUAL_WEBHOOKS: 'true' },
      'PAYMENTSERVER_TEST_PROVIDER_MANUAL_WEBHOOKS',
    ],
    [{ PAYMENTSERVER_IDEMPOTENCY_LEASE_SECONDS: '0' }, 'PAYMENTSERVER_IDEMPOTENCY_LEASE_SECONDS'],
    [{ PAYMENTSERVER_IDEMPOTENCY_LEASE_SECONDS: '1m' }, 'PAYMENTSERVER_IDEMPOTENCY_LEASE_SECONDS'],
  ])('refuses %p with one line naming %s', (env, key) => {
    const error = errorFor(env);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.key).toBe(key);
    expect(error.message).toContain(key);
    expect(error.message).not.toContain('\n');
  });

  it('refuses a server database in the community edition, naming the edition', () => {
    const error = errorFor({
      PAYMENTSERVER_DB: 'postgres',
      PAYMENTSERVER_DB_URL: 'postgres://localhost/ps',
      PAYMENTSERVER_ENCRYPTION_KEY: KEY,
    });
    expect(error.key).toBe('PAYMENTSERVER_DB');
    expect(error.message).toContain('community edition');
  });

  it.each(['mysql', 'mssql', 'postgres'])('accepts %s in the enterprise edition', (driver) => {
    const urls: Record<string, string> = {
      mysql: 'mysql://root@localhost/ps',
      mssql: 'mssql://sa:pw@localhost/ps',
      postgres: 'postgres://localhost/ps',
    };
    const config = loadAppConfig({
      ...DEV,
      PAYMENTSERVER_EDITION: 'enterprise',
      PAYMENTSERVER_DB: driver,
      PAYMENTSERVER_DB_URL: urls[driver],
      PAYMENTSERVER_ENCRYPTION_KEY: KEY,
    });
    expect(config.database.driver).toBe(driver);
  });

  it('requires a connection URL of the right scheme for server databases', () => {
    expect(
      errorFor({
        PAYMENTSERVER_EDITION: 'enterprise',
        PAYMENTSERVER_DB: 'mysql',
        PAYMENTSERVER_ENCRYPTION_KEY: KEY,
      }).key,
    ).toBe('PAYMENTSERVER_DB_URL');
    expect(
      errorFor({
        PAYMENTSERVER_EDITION: 'enterprise',
        PAYMENTSERVER_DB: 'mysql',
        PAYMENTSERVER_DB_URL: 'postgres://x/y',
        PAYMENTSERVER_ENCRYPTION_KEY: KEY,
      }).key,
    ).toBe('PAYMENTSERVER_DB_URL');
  });

  it('refuses a server URL for SQLite instead of making a file named after it', () => {
    const error = errorFor({
      PAYMENTSERVER_DB_URL: 'postgres://postgres@db:5432/payments',
      PAYMENTSERVER_DB: 'sqlite',
      PAYMENTSERVER_ENCRYPTION_KEY: KEY,
    });
    expect(error.key).toBe('PAYMENTSERVER_DB_URL');
    expect(error.message).toContain('PAYMENTSERVER_DB=postgres');
    expect(
      errorFor({
        PAYMENTSERVER_DB_URL: 'mariadb://root@db/ps',
        PAYMENTSERVER_DB: 'sqlite',
        PAYMENTSERVER_ENCRYPTION_KEY: KEY,
      }).message,
    ).toContain('PAYMENTSERVER_DB=mysql');
    expect(
      errorFor({
        PAYMENTSERVER_DB_URL: 'https://example.com/x',
        PAYMENTSERVER_DB: 'sqlite',
        PAYMENTSERVER_ENCRYPTION_KEY: KEY,
      }).key,
    ).toBe('PAYMENTSERVER_DB_URL');
    // File paths stay file paths.
    const config = loadAppConfig({
      ...DEV,
      PAYMENTSERVER_DB_URL: './data/shop.sqlite',
      PAYMENTSERVER_DB: 'sqlite',
      PAYMENTSERVER_ENCRYPTION_KEY: KEY,
    });
    expect(config.database.url).toMatch(/data\/shop\.sqlite$/);
  });

  it.each(['production', 'test', ''])('requires an encryption key for NODE_ENV=%p', (nodeEnv) => {
    expect(errorFor({ NODE_ENV: nodeEnv }).key).toBe('PAYMENTSERVER_ENCRYPTION_KEY');
  });

  it.each(['production', 'test', ''])(
    'requires an OIDC issuer for NODE_ENV=%p: the bundled identity provider is development-only',
    (nodeEnv) => {
      expect(errorFor({ NODE_ENV: nodeEnv, PAYMENTSERVER_ENCRYPTION_KEY: KEY }).key).toBe(
        'PAYMENTSERVER_OIDC_ISSUER',
      );
    },
  );

  it('keeps the issuer verbatim (trailing slash included) because `iss` is compared exactly', () => {
    const config = loadAppConfig({
      ...DEV,
      PAYMENTSERVER_OIDC_ISSUER: 'https://tenant.auth0.com/',
    });
    expect(config.security.oidcIssuer).toBe('https://tenant.auth0.com/');
    expect(config.security.oidc.algorithms).not.toContain('HS256');
  });

  it('accepts several encryption keys for rotation', () => {
    const other = Buffer.alloc(32, 9).toString('hex');
    const config = loadAppConfig({ ...DEV, PAYMENTSERVER_ENCRYPTION_KEY: `${KEY},${other}` });
    expect(config.security.encryptionKeys).toHaveLength(2);
  });
});
