import { loadAppConfig } from './app.config';
import { ConfigError } from './env-reader';

const KEY = Buffer.alloc(32, 7).toString('base64');

function errorFor(env: Record<string, string>): ConfigError {
  try {
    loadAppConfig({ PAYMENTSERVER_DB: 'memory', ...env });
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('has the contract defaults', () => {
    const config = loadAppConfig({ PAYMENTSERVER_DB: 'memory' });
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

  it('turns Swagger, the test provider and private targets off in production', () => {
    const config = loadAppConfig({
      NODE_ENV: 'production',
      PAYMENTSERVER_DB: 'memory',
      PAYMENTSERVER_ENCRYPTION_KEY: KEY,
      PAYMENTSERVER_OIDC_ISSUER: 'https://login.example.com/realms/shop',
    });
    expect(config.server.swagger).toBe(false);
    expect(config.server.testProvider).toBe(false);
    expect(config.security.allowPrivateWebhookTargets).toBe(false);
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

  it('requires an encryption key in production', () => {
    expect(errorFor({ NODE_ENV: 'production' }).key).toBe('PAYMENTSERVER_ENCRYPTION_KEY');
  });

  it('requires an OIDC issuer in production: the bundled identity provider is development-only', () => {
    expect(errorFor({ NODE_ENV: 'production', PAYMENTSERVER_ENCRYPTION_KEY: KEY }).key).toBe(
      'PAYMENTSERVER_OIDC_ISSUER',
    );
  });

  it('keeps the issuer verbatim (trailing slash included) because `iss` is compared exactly', () => {
    const config = loadAppConfig({
      PAYMENTSERVER_DB: 'memory',
      PAYMENTSERVER_OIDC_ISSUER: 'https://tenant.auth0.com/',
    });
    expect(config.security.oidcIssuer).toBe('https://tenant.auth0.com/');
    expect(config.security.oidc.algorithms).not.toContain('HS256');
  });

  it('accepts several encryption keys for rotation', () => {
    const other = Buffer.alloc(32, 9).toString('hex');
    const config = loadAppConfig({
      PAYMENTSERVER_DB: 'memory',
      PAYMENTSERVER_ENCRYPTION_KEY: `${KEY},${other}`,
    });
    expect(config.security.encryptionKeys).toHaveLength(2);
  });
});
