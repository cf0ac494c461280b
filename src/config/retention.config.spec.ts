import { EnvReader } from './env-reader';
import { loadRetentionConfig } from './retention.config';

const load = (env: Record<string, string>) => loadRetentionConfig(new EnvReader(env));

describe('retention configuration', () => {
  it('keeps settled housekeeping records 90 days unless told otherwise; 0 keeps them forever', () => {
    expect(load({}).days).toBe(90);
    expect(load({ PAYMENTSERVER_RETENTION_DAYS: '7' }).days).toBe(7);
    expect(load({ PAYMENTSERVER_RETENTION_DAYS: '0' }).days).toBe(0);
  });

  it.each(['-1', '1.5', 'forever', '36501'])('refuses %s with one line naming the key', (value) => {
    expect(() => load({ PAYMENTSERVER_RETENTION_DAYS: value })).toThrow(
      /^Invalid configuration: PAYMENTSERVER_RETENTION_DAYS /,
    );
  });
});
