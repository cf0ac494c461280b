/**
 * The database side of the two limit servers: the API-key lookup (by SHA-256, no cache, like
 * PaymentServer) and one transaction with three prepared inserts (payment, history, outbox),
 * straight through the driver. It writes into PaymentServer's own schema (the runner applies
 * PaymentServer's migrations first), so both sides pay for the same tables and indexes.
 */
import type { PaymentRows } from './payment-rows';

export type BenchDialect = 'sqlite' | 'mysql' | 'postgres';

export interface LimitStore {
  integrationByKeyHash(keyHash: string): Promise<{ id: string } | undefined>;
  insertPayment(rows: PaymentRows): Promise<void>;
  close(): Promise<void>;
}

const PAYMENT = [
  'id',
  'integrationId',
  'status',
  'amountValue',
  'currency',
  'amountCaptured',
  'amountRefunded',
  'description',
  'reference',
  'method',
  'captureMode',
  'customer',
  'metadata',
  'returnUrl',
  'cancelUrl',
  'version',
  'createdAt',
  'updatedAt',
];
const EVENT = [
  'id',
  'paymentId',
  'type',
  'fromStatus',
  'toStatus',
  'source',
  'ignored',
  'sequence',
  'createdAt',
];
const OUTBOX = ['id', 'integrationId', 'type', 'paymentId', 'sequence', 'payload', 'createdAt'];

/** INSERT with the dialect's identifier quotes and placeholders. */
function insertSql(dialect: BenchDialect, table: string, columns: string[]): string {
  const q = (name: string) => (dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);
  const marks = columns.map((_, i) => (dialect === 'postgres' ? `$${i + 1}` : '?'));
  return `INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES (${marks.join(', ')})`;
}

function keySql(dialect: BenchDialect): string {
  const q = (name: string) => (dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);
  const mark = dialect === 'postgres' ? '$1' : '?';
  return `SELECT i.${q('id')} AS ${q('id')} FROM ${q('integrations')} i JOIN ${q('api_keys')} k ON k.${q('integrationId')} = i.${q('id')} WHERE k.${q('keyHash')} = ${mark} AND k.${q('revokedAt')} IS NULL`;
}

/** The row values in column order; SQLite stores dates as TypeORM does (UTC text). */
function values(dialect: BenchDialect, row: Record<string, unknown>, columns: string[]): unknown[] {
  return columns.map((column) => {
    const value = row[column];
    if (value instanceof Date && dialect === 'sqlite')
      return value.toISOString().replace('T', ' ').slice(0, 23);
    if (typeof value === 'boolean' && dialect !== 'postgres') return value ? 1 : 0;
    return value ?? null;
  });
}

export async function openLimitStore(dialect: BenchDialect, url: string): Promise<LimitStore> {
  const statements = {
    key: keySql(dialect),
    payment: insertSql(dialect, 'payments', PAYMENT),
    event: insertSql(dialect, 'payment_events', EVENT),
    outbox: insertSql(dialect, 'outbox_events', OUTBOX),
  };
  const rowsOf = (rows: PaymentRows) => [
    values(dialect, rows.payment, PAYMENT),
    values(dialect, rows.event, EVENT),
    values(dialect, rows.outbox, OUTBOX),
  ];

  if (dialect === 'sqlite') {
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(url);
    // The same pragmas as PaymentServer (src/database/data-source.ts): equal I/O for both.
    for (const pragma of [
      'journal_mode = WAL',
      'synchronous = NORMAL',
      'busy_timeout = 5000',
      'cache_size = -8192',
      'mmap_size = 268435456',
      'wal_autocheckpoint = 10000',
    ])
      db.pragma(pragma);
    const key = db.prepare(statements.key);
    const inserts = [
      db.prepare(statements.payment),
      db.prepare(statements.event),
      db.prepare(statements.outbox),
    ];
    const write = db.transaction((all: unknown[][]) => all.forEach((v, i) => inserts[i].run(...v)));
    return {
      integrationByKeyHash: async (hash) => key.get(hash) as { id: string } | undefined,
      insertPayment: async (rows) => write(rowsOf(rows)),
      close: async () => void db.close(),
    };
  }

  if (dialect === 'mysql') {
    const mysql = await import('mysql2/promise');
    const pool = mysql.createPool({
      uri: url.replace(/^mariadb:/, 'mysql:'),
      connectionLimit: 20,
      timezone: 'Z',
    });
    const sql = [statements.payment, statements.event, statements.outbox];
    return {
      integrationByKeyHash: async (hash) => {
        const [rows] = await pool.execute(statements.key, [hash]);
        return (rows as { id: string }[])[0];
      },
      insertPayment: async (rows) => {
        const connection = await pool.getConnection();
        try {
          await connection.beginTransaction();
          const all = rowsOf(rows);
          for (let i = 0; i < 3; i++) await connection.execute(sql[i], all[i] as never[]);
          await connection.commit();
        } catch (error) {
          await connection.rollback();
          throw error;
        } finally {
          connection.release();
        }
      },
      close: () => pool.end(),
    };
  }

  const { Pool } = await import('pg');
  const pool = new Pool({ connectionString: url, max: 20 });
  // Named statements: parsed and planned once per connection, then only bound and run.
  const named = ['bench_payment', 'bench_event', 'bench_outbox'];
  const sql = [statements.payment, statements.event, statements.outbox];
  return {
    integrationByKeyHash: async (hash) =>
      (await pool.query({ name: 'bench_key', text: statements.key, values: [hash] })).rows[0],
    insertPayment: async (rows) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const all = rowsOf(rows);
        for (let i = 0; i < 3; i++)
          await client.query({ name: named[i], text: sql[i], values: all[i] });
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
