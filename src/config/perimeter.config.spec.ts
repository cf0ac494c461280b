import { loadAppConfig } from './app.config';
import { ConfigError } from './env-reader';

const load = (env: Record<string, string>) =>
  loadAppConfig({ NODE_ENV: 'development', PAYMENTSERVER_DB: 'memory', ...env }).perimeter;

describe('perimeter configuration', () => {
  it('has limits on and CORS closed by default', () => {
    expect(load({})).toEqual({
      webhookRequestsPerMinute: 1200,
      authFailuresPerMinute: 60,
      corsOrigins: [],
      trustedProxies: [],
    });
  });

  it('reads limits (0 is off) and exact origins', () => {
    expect(
      load({
        PAYMENTSERVER_WEBHOOK_RATE_LIMIT: '0',
        PAYMENTSERVER_AUTH_FAILURE_RATE_LIMIT: '5',
        PAYMENTSERVER_CORS_ORIGINS: 'https://dash.example.com, http://localhost:5173',
      }),
    ).toEqual({
      webhookRequestsPerMinute: 0,
      authFailuresPerMinute: 5,
      corsOrigins: ['https://dash.example.com', 'http://localhost:5173'],
      trustedProxies: [],
    });
  });

  it('reads trusted proxies: addresses and CIDR ranges, IPv4 and IPv6', () => {
    expect(
      load({ PAYMENTSERVER_TRUSTED_PROXIES: '172.28.0.10, 10.0.0.0/8,fd00::/64' }).trustedProxies,
    ).toEqual(['172.28.0.10', '10.0.0.0/8', 'fd00::/64']);
  });

  it.each([
    ['PAYMENTSERVER_WEBHOOK_RATE_LIMIT', 'lots'],
    ['PAYMENTSERVER_WEBHOOK_RATE_LIMIT', '-1'],
    ['PAYMENTSERVER_AUTH_FAILURE_RATE_LIMIT', '1.5'],
    ['PAYMENTSERVER_CORS_ORIGINS', '*'],
    ['PAYMENTSERVER_CORS_ORIGINS', 'https://dash.example.com/'],
    ['PAYMENTSERVER_CORS_ORIGINS', 'https://dash.example.com/app'],
    ['PAYMENTSERVER_CORS_ORIGINS', 'ftp://dash.example.com'],
    ['PAYMENTSERVER_TRUSTED_PROXIES', 'nginx'],
    ['PAYMENTSERVER_TRUSTED_PROXIES', '10.0.0.0/33'],
    ['PAYMENTSERVER_TRUSTED_PROXIES', '*'],
  ])('refuses %s=%s with one line naming the key', (key, value) => {
    let error: unknown;
    try {
      load({ [key]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(key);
    expect((error as ConfigError).message).not.toContain('\n');
  });
});
