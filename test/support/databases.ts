import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '../../src/config/app.config';
import { buildDataSourceOptions } from '../../src/database/data-source';
import { Dialect, serviceUrl } from './services';

export interface TestDatabase {
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A fresh, empty database per suite: SQLite in a temp file, or a new MariaDB/PostgreSQL database. */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const name = `ps_test_${randomBytes(5).toString('hex')}`;
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-'));
    return {
      env: { PAYMENTSERVER_DB: 'sqlite', PAYMENTSERVER_DB_URL: path.join(dir, 'test.sqlite') },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const serverUrl = new URL(serviceUrl(dialect)!);
  const admin = new DataSource(
    dialect === 'mysql'
      ? { type: 'mysql', url: serverUrl.toString().replace(/^mariadb:/, 'mysql:') }
      : { type: 'postgres', url: serverUrl.toString() },
  );
  await admin.initialize();
  await admin.query(
    dialect === 'mysql'
      ? `CREATE DATABASE ${name} CHARACTER SET utf8mb4`
      : `CREATE DATABASE ${name}`,
  );
  await admin.destroy();
  const dbUrl = new URL(serverUrl.toString());
  dbUrl.pathname = `/${name}`;
  return {
    env: {
      PAYMENTSERVER_EDITION: 'enterprise',
      PAYMENTSERVER_DB: dialect,
      PAYMENTSERVER_DB_URL: dbUrl.toString(),
    },
    drop: async () => {
      const cleanup = new DataSource(
        dialect === 'mysql'
          ? { type: 'mysql', url: serverUrl.toString().replace(/^mariadb:/, 'mysql:') }
          : { type: 'postgres', url: serverUrl.toString() },
      );
      await cleanup.initialize();
      await cleanup.query(
        dialect === 'mysql'
          ? `DROP DATABASE IF EXISTS ${name}`
          : `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`,
      );
      await cleanup.destroy();
    },
  };
}

/**
 * For the enclosing describe block: a fresh database and a DataSource on it, built from the
 * app's own configuration (no migrations run yet); destroyed and dropped afterwards.
 */
export function useMigrationDataSource(dialect: Dialect): { dataSource: DataSource } {
  const handle = {} as { dataSource: DataSource };
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const config = loadAppConfig({
      ...database.env,
      PAYMENTSERVER_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    });
    handle.dataSource = new DataSource(buildDataSourceOptions(config.database));
    await handle.dataSource.initialize();
  });
  afterAll(async () => {
    await handle.dataSource?.destroy();
    await database?.drop();
  });
  return handle;
}

/** Those of `tables` that exist, in the order given. */
export async function existingTables(dataSource: DataSource, tables: string[]): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const found: string[] = [];
    for (const table of tables) if (await runner.hasTable(table)) found.push(table);
    return found;
  } finally {
    await runner.release();
  }
}
