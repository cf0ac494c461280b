import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/database.config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from '../../migrations';

interface SqliteConnection {
  pragma(sql: string): unknown;
  prepare(sql: string): unknown;
}

/** What TypeORM's SQLite query runner sends to open a transaction. */
const TYPEORM_BEGIN = 'BEGIN TRANSACTION';

/**
 * Every transaction TypeORM opens on this connection takes SQLite's write lock at once
 * (BEGIN IMMEDIATE) instead of at its first write. SQLite waits (busy_timeout) for a lock
 * another connection holds, a second instance or the WAL checkpointer's RESTART, except when
 * a transaction that has already read asks to write: that fails at once with "database is
 * locked", which failed a shop's capture or cancel with a 500 and sent webhooks on a detour
 * (test/e2e/sqlite-write-lock). Transactions here run one at a time anyway
 * (TransactionService), so taking the lock early costs nothing.
 */
function beginImmediately(db: SqliteConnection): void {
  const prepare = db.prepare.bind(db);
  db.prepare = (sql: string) =>
    prepare(sql === TYPEORM_BEGIN ? 'BEGIN IMMEDIATE TRANSACTION' : sql);
}

/**
 * One options function for Nest (TypeOrmModule) and the migration CLI (ormconfig.ts).
 * `externalCheckpoints`: SQLite's WAL is checkpointed by a WalCheckpointer, never by a COMMIT.
 */
export function buildDataSourceOptions(
  config: DatabaseConfig,
  { externalCheckpoints = false } = {},
): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
  } as const;

  switch (config.driver) {
    case 'memory':
      return { ...common, type: 'better-sqlite3', database: ':memory:' };
    case 'sqlite':
      fs.mkdirSync(path.dirname(config.url), { recursive: true });
      return {
        ...common,
        type: 'better-sqlite3',
        database: config.url,
        // WAL lets readers proceed during a write; NORMAL is durable across process crashes.
        // Memory-mapped reads keep index pages out of read(); the page cache then only needs the
        // pages a transaction writes: 8 MB (64 MB added ~60 MB of RSS under load and no
        // throughput, docs/databases.md). The WAL is checkpointed off the request path by the
        // WalCheckpointer when the app runs one, otherwise (the migration CLI) every ~40 MB
        // instead of every 4 MB. Transactions take the write lock at BEGIN (beginImmediately).
        prepareDatabase: (db: SqliteConnection) => {
          beginImmediately(db);
          db.pragma('journal_mode = WAL');
          db.pragma('synchronous = NORMAL');
          db.pragma('busy_timeout = 5000');
          db.pragma('cache_size = -8192');
          db.pragma('mmap_size = 268435456');
          // A savepoint keeps the pages it changes in a sub-journal until it ends; TransactionService
          // opens one per caller of a group commit, so in memory, not in a temporary file.
          db.pragma('temp_store = MEMORY');
          db.pragma(`wal_autocheckpoint = ${externalCheckpoints ? 0 : 10000}`);
        },
      };
    case 'mysql':
      return {
        ...common,
        type: 'mysql',
        url: config.url.replace(/^mariadb:/, 'mysql:'),
        timezone: 'Z',
        charset: 'utf8mb4',
        supportBigNumbers: true,
        bigNumberStrings: true,
        extra: { connectionLimit: 20 },
      };
    case 'postgres':
      return { ...common, type: 'postgres', url: config.url, extra: { max: 20 } };
    case 'mssql':
      return { ...common, ...mssqlConnection(config.url), type: 'mssql' };
  }
}

/** mssql://user:password@host:port/database?encrypt=true&trustServerCertificate=true */
function mssqlConnection(url: string) {
  const parsed = new URL(url.replace(/^sqlserver:/, 'mssql:'));
  const flag = (name: string, fallback: boolean) => {
    const value = parsed.searchParams.get(name);
    return value === null ? fallback : value === 'true';
  };
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 1433,
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: parsed.pathname.replace(/^\//, '') || 'paymentserver',
    options: {
      encrypt: flag('encrypt', true),
      trustServerCertificate: flag('trustServerCertificate', false),
    },
    pool: { max: 20 },
  };
}
