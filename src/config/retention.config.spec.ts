import { EnvReader } from './env-reader';
import { loadRetentionConfig } from './retention.config';

const load = (env: Record<string, string>) => loadRetentionConfig(new EnvReader(env));

describe('retention configuration', () => {
  it('keeps settled housekeeping records 90 days unless told otherwise; 0 keeps them forever', () => {
    expect(load({}).days).toBe(90);
    expect(load({ PAYMENTSERVER_RETENTION_DAYS: '7' }).days).toBe(7);
    expect(load({ PAYMENTSERVER_RETENTION_DAYS: '0' }).days).toBe(0);
  });

  it('keeps audit events 400 days unless told otherwise, independently of the other records', () => {
    expect(load({}).auditDays).toBe(400);
    expect(load({ PAYMENTSERVER_AUDIT_RETENTION_DAYS: '30' })).toEqual({ days: 90, auditDays: 30 });
    expect(load({ PAYMENTSERVER_AUDIT_RETENTION_DAYS: '0' }).auditDays).toBe(0);
  });

  it.each([
    ['PAYMENTSERVER_RETENTION_DAYS', '-1'],
    ['PAYMENTSERVER_RETENTION_DAYS', '1.5'],
    ['PAYMENTSERVER_RETENTION_DAYS', 'forever'],
    ['PAYMENTSERVER_RETENTION_DAYS', '36501'],
    ['PAYMENTSERVER_AUDIT_RETENTION_DAYS', 'a year'],
    ['PAYMENTSERVER_AUDIT_RETENTION_DAYS', '-5'],
  ])('refuses %s=%s with one line naming the key', (key, value) => {
    expect(() => load({ [key]: value })).toThrow(new RegExp(`^Invalid configuration: ${key} `));
  });
});
