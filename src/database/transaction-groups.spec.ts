import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { TransactionService } from './transaction.service';
import { afterCommit, AfterCommitListener } from '../metrics/after-commit';

/** Every statement SQLite runs, in order (better-sqlite3's `verbose`: TypeORM's and the rest). */
class Statements {
  readonly sent: string[] = [];
  count(pattern: RegExp): number {
    return this.sent.filter((sql) => pattern.test(sql)).length;
  }
}

describe('TransactionService on SQLite: group commit', () => {
  let dir: string;
  let dataSource: DataSource;
  let statements: Statements;
  let tx: TransactionService;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ps-groups-'));
    statements = new Statements();
    dataSource = new DataSource({
      type: 'better-sqlite3',
      database: path.join(dir, 'groups.sqlite'),
      verbose: (sql: unknown) => statements.sent.push(String(sql)),
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('foreign_keys = ON');
      },
    });
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE orders (id TEXT PRIMARY KEY)');
    // Checked at COMMIT only: a way to make one COMMIT fail.
    await dataSource.query(
      'CREATE TABLE lines (id TEXT PRIMARY KEY, orderId TEXT REFERENCES orders(id) DEFERRABLE INITIALLY DEFERRED)',
    );
    new AfterCommitListener(dataSource).onModuleInit();
    tx = new TransactionService(dataSource);
    statements.sent.length = 0;
  });

  afterEach(async () => {
    await dataSource.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const insertOrder = (id: string) => (m: EntityManager) =>
    m.query('INSERT INTO orders (id) VALUES (?)', [id]).then(() => id);
  const orders = async () =>
    (await dataSource.query('SELECT id FROM orders ORDER BY id')).map((r: { id: string }) => r.id);

  it('commits callers that arrive together in one transaction, each in its own savepoint', async () => {
    const values = await Promise.all([
      tx.run(insertOrder('a')),
      tx.run(insertOrder('b')),
      tx.write(insertOrder('c')),
    ]);
    expect(values).toEqual(['a', 'b', 'c']);
    expect(await orders()).toEqual(['a', 'b', 'c']);
    expect(statements.count(/^BEGIN/)).toBe(1);
    expect(statements.count(/^COMMIT/)).toBe(1);
    expect(statements.count(/^SAVEPOINT/)).toBe(3);
  });

  it('rolls back a failing caller alone: the others commit, its afterCommit work is dropped', async () => {
    const applied: string[] = [];
    const results = await Promise.allSettled([
      tx.run(async (m) => {
        afterCommit(m, () => applied.push('a'));
        return insertOrder('a')(m);
      }),
      tx.run(async (m) => {
        await insertOrder('x')(m);
        afterCommit(m, () => applied.push('x'));
        await insertOrder('a')(m); // the first caller's row again: a unique violation
      }),
      tx.run(async (m) => {
        afterCommit(m, () => applied.push('b'));
        return insertOrder('b')(m);
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(await orders()).toEqual(['a', 'b']);
    expect(applied).toEqual(['a', 'b']);
    expect(statements.count(/^COMMIT/)).toBe(1);
  });

  it('fails every caller when the COMMIT fails, and the next group starts afresh', async () => {
    const results = await Promise.allSettled([
      tx.run(insertOrder('a')),
      tx.run((m) => m.query(`INSERT INTO lines (id, orderId) VALUES ('l1', 'missing')`)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(await orders()).toEqual([]);
    await tx.run(insertOrder('b'));
    expect(await orders()).toEqual(['b']);
  });

  it('gives up the group when SQLite ends the transaction itself, and recovers', async () => {
    const results = await Promise.allSettled([
      tx.run(insertOrder('a')),
      tx.run(async (m) => {
        await m.query('ROLLBACK');
        throw new Error('disk I/O error');
      }),
      tx.run(insertOrder('b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await orders()).toEqual([]);
    statements.sent.length = 0;
    await tx.run(insertOrder('c'));
    expect(statements.sent[0]).toMatch(/^BEGIN/);
    expect(await orders()).toEqual(['c']);
  });

  it('runs a caller that is alone without a savepoint, and recovers when SQLite ends it', async () => {
    await tx.run(insertOrder('a'));
    expect(statements.count(/^SAVEPOINT/)).toBe(0);
    await expect(
      tx.run(async (m) => {
        await insertOrder('b')(m);
        await m.query('ROLLBACK');
        throw new Error('disk I/O error');
      }),
    ).rejects.toThrow('disk I/O error');
    statements.sent.length = 0;
    await tx.run(insertOrder('c'));
    expect(statements.sent[0]).toMatch(/^BEGIN/);
    expect(await orders()).toEqual(['a', 'c']);
  });

  it('puts a caller that arrives while a group runs into the next group, in order', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = tx.run(async (m) => {
      await held;
      return insertOrder('a')(m);
    });
    await new Promise((resolve) => setImmediate(resolve));
    const second = tx.run(insertOrder('b'));
    const third = tx.run(insertOrder('c'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(statements.count(/^BEGIN/)).toBe(1);
    release();
    expect(await Promise.all([first, second, third])).toEqual(['a', 'b', 'c']);
    expect(statements.count(/^BEGIN/)).toBe(2);
    expect(await orders()).toEqual(['a', 'b', 'c']);
  });
});
