import { loadAppConfig } from './app.config';
import { ConfigError } from './env-reader';

const DEV = { NODE_ENV: 'development', PAYMENTSERVER_DB: 'memory' };

function errorFor(url: string): ConfigError {
  try {
    loadAppConfig({ ...DEV, PAYMENTSERVER_REDIS_URL: url });
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('PAYMENTSERVER_REDIS_URL', () => {
  it('is optional: unset, the instances share through the database', () => {
    expect(loadAppConfig(DEV).redis).toBeUndefined();
    expect(loadAppConfig({ ...DEV, PAYMENTSERVER_REDIS_URL: ' ' }).redis).toBeUndefined();
  });

  it('takes a redis:// or rediss:// URL with an optional database and key prefix', () => {
    expect(
      loadAppConfig({ ...DEV, PAYMENTSERVER_REDIS_URL: 'redis://127.0.0.1:6379/0' }).redis,
    ).toEqual({
      url: 'redis://127.0.0.1:6379/0',
      keyPrefix: 'paymentserver:',
      display: 'redis://127.0.0.1:6379/0',
    });
    const tls = loadAppConfig({
      ...DEV,
      PAYMENTSERVER_REDIS_URL: 'rediss://app:s3cret@redis.internal:6380/2?keyPrefix=ps-eu:',
    }).redis!;
    expect(tls).toEqual({
      url: 'rediss://app:s3cret@redis.internal:6380/2',
      keyPrefix: 'ps-eu:',
      display: 'rediss://app:***@redis.internal:6380/2',
    });
  });

  it.each([
    ['not a url', 'must be a redis:// or rediss:// URL'],
    ['http://127.0.0.1:6379', 'must start with redis:// or rediss:// (got http://)'],
    ['redis://127.0.0.1:6379/cache', 'must select a database by number'],
    ['redis://127.0.0.1:6379/0?keyPrefix=', 'keyPrefix must be 1 to 100 characters'],
  ])('refuses %s at start-up, in one line naming the key', (url, message) => {
    const error = errorFor(url);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.key).toBe('PAYMENTSERVER_REDIS_URL');
    expect(error.message).toContain(`PAYMENTSERVER_REDIS_URL ${message}`);
    expect(error.message).not.toContain('\n');
  });

  it('never repeats the password of a URL it refuses', () => {
    expect(errorFor('redis://:hunter2@host/db').message).not.toContain('hunter2');
    expect(errorFor('http://:hunter2@host').message).not.toContain('hunter2');
  });
});
