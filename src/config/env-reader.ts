/**
 * Reads and validates environment variables. Every failure throws a ConfigError whose message
 * is one line naming the key, so start-up can print it and stop.
 */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`Invalid configuration: ${key} ${message}`);
  }
}

export type Env = Record<string, string | undefined>;

/**
 * `development` and `test` only when NODE_ENV says so exactly; anything else, unset included, is
 * production (fail closed). Development turns the development-only features on by default;
 * test gets production defaults but lets its own variables turn on what production refuses
 * (the test provider, the bundled identity provider, http provider URLs).
 */
export type Environment = 'development' | 'test' | 'production';

export class EnvReader {
  constructor(private readonly env: Env) {}

  raw(key: string): string | undefined {
    const value = this.env[key];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  get environment(): Environment {
    const value = this.env.NODE_ENV?.trim();
    return value === 'development' || value === 'test' ? value : 'production';
  }

  get isProduction(): boolean {
    return this.environment === 'production';
  }

  get isDevelopment(): boolean {
    return this.environment === 'development';
  }

  string(key: string, fallback: string): string {
    return this.raw(key) ?? fallback;
  }

  optionalString(key: string): string | undefined {
    return this.raw(key);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(key) ?? fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new ConfigError(key, `must be one of ${allowed.join(', ')} (got "${value}")`);
    }
    return value as T;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (['true', '1', 'yes'].includes(value.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(value.toLowerCase())) return false;
    throw new ConfigError(key, `must be true or false (got "${value}")`);
  }

  port(key: string, fallback: number | undefined): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const port = Number(value);
    if (!/^\d+$/.test(value) || port < 0 || port > 65535) {
      throw new ConfigError(key, `must be a TCP port number 0-65535 (got "${value}")`);
    }
    return port;
  }

  url(key: string, fallback?: string): string | undefined {
    const value = this.raw(key) ?? fallback;
    if (value === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(key, `must be an absolute URL (got "${value}")`);
    }
    if (!['http:', 'https:'].includes(parsed.protocol)) {
      throw new ConfigError(key, `must be an http(s) URL (got "${value}")`);
    }
    return value.replace(/\/+$/, '');
  }

  positiveIntegerList(key: string, fallback: number[]): number[] {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const parts = value.split(',').map((part) => part.trim());
    if (parts.length === 0 || parts.some((part) => !/^\d+$/.test(part) || Number(part) <= 0)) {
      throw new ConfigError(
        key,
        `must be a comma-separated list of positive whole seconds (got "${value}")`,
      );
    }
    return parts.map(Number);
  }
}
