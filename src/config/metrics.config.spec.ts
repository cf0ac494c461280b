import { loadAppConfig } from './app.config';
import { ConfigError } from './env-reader';

const load = (env: Record<string, string>) =>
  loadAppConfig({ PAYMENTSERVER_DB: 'memory', ...env }).metrics;

describe('metrics configuration', () => {
  it('serves metrics by default, also in production', () => {
    expect(load({})).toEqual({ enabled: true });
    expect(
      load({
        NODE_ENV: 'production',
        PAYMENTSERVER_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
        PAYMENTSERVER_OIDC_ISSUER: 'https://login.example.com/realms/shop',
      }),
    ).toEqual({ enabled: true });
  });

  it('can be turned off', () => {
    expect(load({ PAYMENTSERVER_METRICS: 'false' })).toEqual({ enabled: false });
  });

  it('refuses a value that is not true or false with one line naming the key', () => {
    let error: unknown;
    try {
      load({ PAYMENTSERVER_METRICS: 'sometimes' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe('PAYMENTSERVER_METRICS');
    expect((error as ConfigError).message).toBe(
      'Invalid configuration: PAYMENTSERVER_METRICS must be true or false (got "sometimes")',
    );
  });
});
