import { ConfigError, EnvReader } from './env-reader';

/** What faces callers before any business logic: rate limits and CORS. */
export interface PerimeterConfig {
  /** Requests per minute per source IP to /webhooks/* (both listeners); 0: no limit. */
  webhookRequestsPerMinute: number;
  /** Failed authentications (401) per minute per source IP before answering 429; 0: no limit. */
  authFailuresPerMinute: number;
  /** Exact browser origins allowed by CORS; empty: CORS closed (no Access-Control-* headers). */
  corsOrigins: string[];
}

function perMinute(reader: EnvReader, key: string, fallback: number): number {
  const raw = reader.optionalString(key);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > 1_000_000) {
    throw new ConfigError(
      key,
      `must be a whole number of requests per minute, 0 for no limit (got "${raw}")`,
    );
  }
  return Number(raw);
}

function origins(reader: EnvReader, key: string): string[] {
  const raw = reader.optionalString(key);
  if (raw === undefined) return [];
  return raw.split(',').map((part) => {
    const value = part.trim();
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      /* reported below */
    }
    // An origin is scheme://host[:port] and nothing else; "*" is refused on purpose.
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== value) {
      throw new ConfigError(
        key,
        `must be comma-separated origins like https://dashboard.example.com (got "${value}")`,
      );
    }
    return value;
  });
}

export function loadPerimeterConfig(reader: EnvReader): PerimeterConfig {
  return {
    webhookRequestsPerMinute: perMinute(reader, 'PAYMENTSERVER_WEBHOOK_RATE_LIMIT', 1200),
    authFailuresPerMinute: perMinute(reader, 'PAYMENTSERVER_AUTH_FAILURE_RATE_LIMIT', 60),
    corsOrigins: origins(reader, 'PAYMENTSERVER_CORS_ORIGINS'),
  };
}
