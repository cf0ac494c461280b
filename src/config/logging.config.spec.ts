import { EnvReader } from './env-reader';
import { loadLoggingConfig } from './logging.config';

describe('logging config', () => {
  const load = (env: Record<string, string>) => loadLoggingConfig(new EnvReader(env));

  it('writes JSON at info by default, also with NODE_ENV unset or production', () => {
    expect(load({})).toEqual({ format: 'json', level: 'info' });
    expect(load({ NODE_ENV: 'production' })).toEqual({ format: 'json', level: 'info' });
    expect(load({ NODE_ENV: 'test' }).format).toBe('json');
  });

  it('is pretty in development unless told otherwise', () => {
    expect(load({ NODE_ENV: 'development' }).format).toBe('pretty');
    expect(load({ NODE_ENV: 'development', PAYMENTSERVER_LOG_FORMAT: 'json' }).format).toBe('json');
    expect(load({ PAYMENTSERVER_LOG_FORMAT: 'pretty' }).format).toBe('pretty');
  });

  it('takes any pino level', () => {
    expect(load({ PAYMENTSERVER_LOG_LEVEL: 'debug' }).level).toBe('debug');
    expect(load({ PAYMENTSERVER_LOG_LEVEL: 'silent' }).level).toBe('silent');
  });

  it.each([
    ['PAYMENTSERVER_LOG_FORMAT', 'xml'],
    ['PAYMENTSERVER_LOG_LEVEL', 'verbose'],
  ])('refuses %s=%s with one line naming the key', (key, value) => {
    expect(() => load({ [key]: value })).toThrow(new RegExp(`^Invalid configuration: ${key} `));
  });
});
