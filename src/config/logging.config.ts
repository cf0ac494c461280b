import { EnvReader } from './env-reader';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'pretty';

/** How the server writes its log lines (stdout). */
export interface LoggingConfig {
  /** `json`: one JSON object per line, for log shippers; `pretty`: for a person at a terminal. */
  format: LogFormat;
  /** Lines below this level are dropped; `silent` drops everything. */
  level: LogLevel;
}

export function loadLoggingConfig(reader: EnvReader): LoggingConfig {
  // Pretty only where someone reads the terminal: an unset NODE_ENV gets production defaults.
  const development = reader.raw('NODE_ENV') === 'development';
  return {
    format: reader.oneOf<LogFormat>(
      'PAYMENTSERVER_LOG_FORMAT',
      ['json', 'pretty'],
      development ? 'pretty' : 'json',
    ),
    level: reader.oneOf<LogLevel>('PAYMENTSERVER_LOG_LEVEL', LOG_LEVELS),
  };
}
