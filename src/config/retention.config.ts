import { EnvReader } from './env-reader';

export interface RetentionConfig {
  /** Settled housekeeping records older than this are deleted; 0 keeps them forever. */
  days: number;
  /** Audit events older than this are deleted; 0 keeps them forever. */
  auditDays: number;
}

export function loadRetentionConfig(reader: EnvReader): RetentionConfig {
  return {
    days: reader.integer('PAYMENTSERVER_RETENTION_DAYS'),
    auditDays: reader.integer('PAYMENTSERVER_AUDIT_RETENTION_DAYS'),
  };
}
