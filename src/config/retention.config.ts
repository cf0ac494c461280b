import { ConfigError, EnvReader } from './env-reader';

export interface RetentionConfig {
  /** Settled housekeeping records older than this are deleted; 0 keeps them forever. */
  days: number;
  /** Audit events older than this are deleted; 0 keeps them forever. */
  auditDays: number;
}

function days(reader: EnvReader, key: string, fallback: number): number {
  const raw = reader.optionalString(key);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > 36500) {
    throw new ConfigError(key, `must be a whole number of days, 0 to keep forever (got "${raw}")`);
  }
  return Number(raw);
}

export function loadRetentionConfig(reader: EnvReader): RetentionConfig {
  return {
    days: days(reader, 'PAYMENTSERVER_RETENTION_DAYS', 90),
    auditDays: days(reader, 'PAYMENTSERVER_AUDIT_RETENTION_DAYS', 400),
  };
}
