import { configKey, ConfigKey, ConfigKeyType } from './config-keys';

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

  /** The trimmed value, undefined when unset or blank. PAYMENTSERVER_* keys must be declared. */
  raw(key: string): string | undefined {
    if (key.startsWith('PAYMENTSERVER_')) configKey(key);
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

  /** The value, else `fallback`, else the declared default. */
  string(key: string, fallback?: string): string {
    const value = this.raw(key) ?? fallback ?? declared(key, 'string').default;
    if (value === undefined) throw new Error(`${key} has no declared default`);
    return value;
  }

  optionalString(key: string): string | undefined {
    return this.raw(key);
  }

  /** One of the declared values (or `allowed`), else `fallback` or the declared default. */
  oneOf<T extends string>(key: string, allowed?: readonly T[], fallback?: T): T {
    const declaration = declared(key, 'enum');
    const values = allowed ?? (declaration.values as readonly T[]);
    const value = this.raw(key) ?? fallback ?? declaration.default;
    if (value === undefined || !(values as readonly string[]).includes(value)) {
      throw new ConfigError(key, `must be one of ${values.join(', ')} (got "${value}")`);
    }
    return value as T;
  }

  boolean(key: string, fallback?: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined) return fallback ?? declared(key, 'boolean').default === 'true';
    if (['true', '1', 'yes'].includes(value.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(value.toLowerCase())) return false;
    throw new ConfigError(key, `must be true or false (got "${value}")`);
  }

  port(key: string, fallback?: number): number | undefined {
    const declaration = declared(key, 'port');
    const value = this.raw(key);
    if (value === undefined) return fallback ?? optionalNumber(declaration.default);
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

  /** A whole number within the declared bounds; unset: the declared default. */
  integer(key: string): number {
    const declaration = declared(key, 'integer');
    const value = this.raw(key) ?? declaration.default;
    if (value === undefined) throw new Error(`${key} has no declared default`);
    if (!isWhole(value, declaration)) {
      throw new ConfigError(key, `must be ${wholeNumber(declaration)} (got "${value}")`);
    }
    return Number(value);
  }

  /** A decimal number within the declared bounds; unset: the declared default. */
  decimal(key: string): number {
    const declaration = declared(key, 'decimal');
    const value = this.raw(key) ?? declaration.default;
    if (value === undefined) throw new Error(`${key} has no declared default`);
    const number = Number(value);
    const { above, min, max, unit } = declaration;
    if (
      !/^\d+(\.\d+)?$/.test(value) ||
      (above !== undefined && number <= above) ||
      (min !== undefined && number < min) ||
      (max !== undefined && number > max)
    ) {
      const low = above !== undefined ? `above ${above}` : `from ${min ?? 0}`;
      throw new ConfigError(
        key,
        `must be a number of ${unit ?? 'units'} ${low}${max !== undefined ? ` and at most ${max}` : ''} (got "${value}")`,
      );
    }
    return number;
  }

  /** Comma-separated whole numbers, each within the declared bounds; unset: the declared default. */
  integerList(key: string): number[] {
    const declaration = declared(key, 'integer-list');
    const value = this.raw(key) ?? declaration.default;
    if (value === undefined) throw new Error(`${key} has no declared default`);
    const parts = value.split(',').map((part) => part.trim());
    if (parts.some((part) => !isWhole(part, declaration))) {
      throw new ConfigError(
        key,
        `must be a comma-separated list of ${wholeNumber(declaration, true)} (got "${value}")`,
      );
    }
    return parts.map(Number);
  }
}

function declared(key: string, type: ConfigKeyType): ConfigKey {
  const declaration = configKey(key);
  if (declaration.type !== type) {
    throw new Error(`${key} is declared as ${declaration.type}, read as ${type}`);
  }
  return declaration;
}

function optionalNumber(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

function isWhole(value: string, { min, max }: ConfigKey): boolean {
  if (!/^\d+$/.test(value)) return false;
  const number = Number(value);
  return (min === undefined || number >= min) && (max === undefined || number <= max);
}

/** "a whole number of seconds from 1 to 3600", from the declaration. */
function wholeNumber({ min, max, unit }: ConfigKey, plural = false): string {
  const of = unit ? ` of ${unit}` : '';
  const range = max === undefined ? `from ${min ?? 0} up` : `from ${min ?? 0} to ${max}`;
  return `${plural ? 'whole numbers' : 'a whole number'}${of} ${range}`;
}
