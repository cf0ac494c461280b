/**
 * A fresh, empty database per server under test: a SQLite file in a temp folder, or a new
 * database on the MariaDB / PostgreSQL server (dropped afterwards). The limit servers get
 * PaymentServer's own schema (its migrations) and one integration with the bench API key.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig, loadAppConfig } from '../../src/config/app.config';
import { buildDataSourceOptions } from '../../src/database/data-source';
import { ApiKey } from '../../src/integrations/api-key.entity';
import { Integration } from '../../src/integrations/integration.entity';
import type { BenchDialect } from '../targets/limit-store';

export const ENCRYPTION_KEY = Buffer.alloc(32, 3).toString('base64');
export const UNUSED_OIDC_ISSUER = 'http://127.0.0.1:9/unused';

export interface BenchDatabase {
  dialect: BenchDialect;
  /** SQLite: the file; otherwise the connection URL of the new database. */
  url: string;
  /** PaymentServer's configuration keys for this database. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

async function adminQuery(
  dialect: 'mysql' | 'postgres',
  serverUrl: string,
  sql: string,
): Promise<void> {
  if (dialect === 'mysql') {
    const mysql = await import('mysql2/promise');
    const connection = await mysql.createConnection({
      uri: serverUrl.replace(/^mariadb:/, 'mysql:'),
    });
    await connection.query(sql);
    await connection.end();
    return;
  }
  const { Client } = await import('pg');
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

export async function freshDatabase(
  dialect: BenchDialect,
  serverUrl: string,
  label: string,
): Promise<BenchDatabase> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `paymentserver-bench-${label}-`));
    const file = path.join(dir, 'bench.sqlite');
    return {
      dialect,
      url: file,
      env: { PAYMENTSERVER_DB: 'sqlite', PAYMENTSERVER_DB_URL: file },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `ps_bench_${label.replace(/\W/g, '_')}_${randomBytes(3).toString('hex')}`;
  await adminQuery(
    dialect,
    serverUrl,
    dialect === 'mysql'
      ? `CREATE DATABASE ${name} CHARACTER SET utf8mb4`
      : `CREATE DATABASE ${name}`,
  );
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    dialect,
    url: url.toString(),
    env: {
      PAYMENTSERVER_EDITION: 'enterprise',
      PAYMENTSERVER_DB: dialect,
      PAYMENTSERVER_DB_URL: url.toString(),
    },
    drop: () =>
      adminQuery(
        dialect,
        serverUrl,
        dialect === 'mysql'
          ? `DROP DATABASE IF EXISTS ${name}`
          : `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`,
      ),
  };
}

/**
 * PaymentServer's configuration as the bench servers run it (NODE_ENV=test: production's
 * defaults; the issuer is required there but never fetched, only API keys are used).
 */
export function benchAppConfig(env: Record<string, string> = {}): AppConfig {
  return loadAppConfig({
    NODE_ENV: 'test',
    PAYMENTSERVER_OIDC_ISSUER: UNUSED_OIDC_ISSUER,
    PAYMENTSERVER_ENCRYPTION_KEY: ENCRYPTION_KEY,
    ...env,
  });
}

/** A DataSource with PaymentServer's entities and migrations on `db` (for seeding and checks). */
export async function openDataSource(db: BenchDatabase): Promise<DataSource> {
  const config = benchAppConfig(db.env);
  const dataSource = new DataSource(buildDataSourceOptions(config.database));
  await dataSource.initialize();
  return dataSource;
}

/** PaymentServer's schema and one integration whose API key is `apiKey`, for a limit server. */
export async function prepareLimitDatabase(db: BenchDatabase, apiKey: string): Promise<void> {
  const dataSource = await openDataSource(db);
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    const now = new Date();
    await dataSource.getRepository(Integration).insert({
      id: 'int_bench',
      name: 'bench',
      defaultProviderAccountId: null,
      oidcClientId: null,
      createdAt: now,
      updatedAt: now,
    });
    await dataSource.getRepository(ApiKey).insert({
      id: 'key_bench',
      integrationId: 'int_bench',
      keyHash: createHash('sha256').update(apiKey).digest('hex'),
      keyPrefix: apiKey.slice(0, 8),
      createdAt: now,
      revokedAt: null,
    });
  } finally {
    await dataSource.destroy();
  }
}
