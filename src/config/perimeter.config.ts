import { isIP } from 'node:net';
import { ConfigError, EnvReader } from './env-reader';

/** What faces callers before any business logic: rate limits and CORS. */
export interface PerimeterConfig {
  /** Requests per minute per source IP to /webhooks/* (both listeners); 0: no limit. */
  webhookRequestsPerMinute: number;
  /** Failed authentications (401) per minute per source IP before answering 429; 0: no limit. */
  authFailuresPerMinute: number;
  /** Exact browser origins allowed by CORS; empty: CORS closed (no Access-Control-* headers). */
  corsOrigins: string[];
  /**
   * Reverse proxies (addresses or CIDR ranges) besides loopback whose X-Forwarded-For and
   * X-Forwarded-Proto are believed; empty: loopback only.
   */
  trustedProxies: string[];
}

function proxies(reader: EnvReader, key: string): string[] {
  const raw = reader.optionalString(key);
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((part) => {
    const value = part.trim();
    const [address, prefix, ...rest] = value.split('/');
    const family = isIP(address);
    const bits = family === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (!family || !prefixOk || rest.length > 0) {
      throw new ConfigError(
        key,
        `must be comma-separated IP addresses or CIDR ranges like 172.28.0.10 or 10.0.0.0/8 (got "${value}")`,
      );
    }
    return value;
  });
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
    webhookRequestsPerMinute: reader.integer('PAYMENTSERVER_WEBHOOK_RATE_LIMIT'),
    authFailuresPerMinute: reader.integer('PAYMENTSERVER_AUTH_FAILURE_RATE_LIMIT'),
    corsOrigins: origins(reader, 'PAYMENTSERVER_CORS_ORIGINS'),
    trustedProxies: proxies(reader, 'PAYMENTSERVER_TRUSTED_PROXIES'),
  };
}
