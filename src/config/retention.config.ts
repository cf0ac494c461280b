import { ConfigError, EnvReader } from './env-reader';

export interface RetentionConfig {
  /** Settled housekeeping records older than this are deleted; 0 keeps them forever. */
  days: number;
}

export function loadRetentionConfig(reader: EnvReader): RetentionConfig {
  const raw = reader.optionalString('PAYMENTSERVER_RETENTION_DAYS');
  if (raw === undefined) return { days: 90 };
  if (!/^\d+$/.test(raw) || Number(raw) > 36500) {
    throw new ConfigError(
      'PAYMENTSERVER_RETENTION_DAYS',
      `must be a whole number of days, 0 to keep forever (got "${raw}")`,
    );
  }
  return { days: Number(raw) };
}
