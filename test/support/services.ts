/**
 * Which real services the suites may use. Locally a suite whose service URL is unset is
 * skipped; in CI (CI=true) a missing URL is an error, so nothing is silently skipped.
 */
export const SERVICE_ENV = {
  mysql: 'PAYMENTSERVER_TEST_MYSQL_URL',
  postgres: 'PAYMENTSERVER_TEST_POSTGRES_URL',
  rabbitmq: 'PAYMENTSERVER_TEST_RABBITMQ_URL',
  redis: 'PAYMENTSERVER_TEST_REDIS_URL',
} as const;

export type Service = keyof typeof SERVICE_ENV;

export function serviceUrl(service: Service): string | undefined {
  const url = process.env[SERVICE_ENV[service]];
  if (!url && process.env.CI === 'true') {
    throw new Error(
      `${SERVICE_ENV[service]} must be set in CI: the ${service} suites may not be skipped`,
    );
  }
  return url || undefined;
}

export type Dialect = 'sqlite' | 'mysql' | 'postgres';

/** sqlite always; mysql and postgres when their URLs are set (always in CI). */
export function enabledDialects(): Dialect[] {
  const dialects: Dialect[] = ['sqlite'];
  if (serviceUrl('mysql')) dialects.push('mysql');
  if (serviceUrl('postgres')) dialects.push('postgres');
  return dialects;
}

/**
 * Chromium for the dashboard's browser test (Debian package `chromium`). Locally a missing
 * browser skips that suite; in CI it is an error.
 */
export function chromiumPath(): string | undefined {
  const candidate = process.env.PAYMENTSERVER_TEST_CHROMIUM ?? '/usr/bin/chromium';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exists = (require('node:fs') as typeof import('node:fs')).existsSync(candidate);
  if (!exists && process.env.CI === 'true') {
    throw new Error(
      `Chromium not found at ${candidate} in CI: the dashboard suite may not be skipped`,
    );
  }
  return exists ? candidate : undefined;
}
