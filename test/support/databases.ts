import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
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
  await admin.query(dialect === 'mysql' ? `CREATE DATABASE ${name} CHARACTER SET utf8mb4` : `CREATE DATABASE ${name}`);
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
      await cleanup.query(dialect === 'mysql' ? `DROP DATABASE IF EXISTS ${name}` : `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.destroy();
    },
  };
}
