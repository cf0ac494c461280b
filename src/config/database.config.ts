import * as path from 'node:path';
import { ConfigError, EnvReader } from './env-reader';

export const EDITIONS = ['community', 'enterprise'] as const;
export type Edition = (typeof EDITIONS)[number];
export const DRIVERS = ['memory', 'sqlite', 'mysql', 'mssql', 'postgres'] as const;
export type DatabaseDriver = (typeof DRIVERS)[number];

const DRIVERS_BY_EDITION: Record<Edition, readonly DatabaseDriver[]> = {
  community: ['memory', 'sqlite'],
  enterprise: DRIVERS,
};

const SERVER_DRIVER_BY_SCHEME: Record<string, DatabaseDriver> = {
  mysql: 'mysql',
  mariadb: 'mysql',
  mssql: 'mssql',
  sqlserver: 'mssql',
  postgres: 'postgres',
  postgresql: 'postgres',
};

export interface DatabaseConfig {
  edition: Edition;
  driver: DatabaseDriver;
  /** sqlite: a file path; memory: unused; others: a connection URL. */
  url: string;
  migrationsRun: boolean;
}

export function loadDatabaseConfig(reader: EnvReader): DatabaseConfig {
  const edition = reader.oneOf('PAYMENTSERVER_EDITION', EDITIONS);
  const driver = reader.oneOf('PAYMENTSERVER_DB', DRIVERS);
  if (!DRIVERS_BY_EDITION[edition].includes(driver)) {
    throw new ConfigError(
      'PAYMENTSERVER_DB',
      `"${driver}" is not available in the ${edition} edition (allowed: ${DRIVERS_BY_EDITION[edition].join(', ')}); set PAYMENTSERVER_EDITION=enterprise`,
    );
  }
  const defaultUrl = driver === 'sqlite' ? './data/paymentserver.sqlite' : '';
  const url = reader.string('PAYMENTSERVER_DB_URL', defaultUrl);
  // A server's URL with the default driver would quietly become a local SQLite file whose path
  // is that URL: the operator who forgot PAYMENTSERVER_DB would write the payments elsewhere.
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1].toLowerCase();
  if (driver === 'sqlite' && scheme && scheme !== 'file') {
    const server = SERVER_DRIVER_BY_SCHEME[scheme];
    throw new ConfigError(
      'PAYMENTSERVER_DB_URL',
      `is a ${scheme}:// URL, but PAYMENTSERVER_DB is sqlite (its URL is a file path)` +
        (server ? `; set PAYMENTSERVER_DB=${server} (enterprise edition)` : ''),
    );
  }
  if (['mysql', 'mssql', 'postgres'].includes(driver)) {
    if (!url) {
      throw new ConfigError('PAYMENTSERVER_DB_URL', `is required for PAYMENTSERVER_DB=${driver}`);
    }
    const expected: Record<string, string[]> = {
      mysql: ['mysql:', 'mariadb:'],
      mssql: ['mssql:', 'sqlserver:'],
      postgres: ['postgres:', 'postgresql:'],
    };
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      throw new ConfigError('PAYMENTSERVER_DB_URL', `must be a ${driver} connection URL`);
    }
    if (!expected[driver].includes(protocol)) {
      throw new ConfigError(
        'PAYMENTSERVER_DB_URL',
        `must start with ${expected[driver].map((p) => p + '//').join(' or ')} for PAYMENTSERVER_DB=${driver}`,
      );
    }
  }
  return {
    edition,
    driver,
    url: driver === 'sqlite' ? path.resolve(url) : url,
    migrationsRun: reader.boolean('PAYMENTSERVER_MIGRATIONS_RUN'),
  };
}
