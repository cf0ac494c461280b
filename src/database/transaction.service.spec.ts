import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { DataSource, EntityManager } from 'typeorm';
import { QueryFailedError } from 'typeorm';
import {
  isDatabaseUnavailable,
  isTransientConflict,
  TRANSACTION_RETRIES,
  TransactionService,
  WriteSink,
} from './transaction.service';

/** A driver error wrapped the way TypeORM hands it over. */
function driverError(fields: Record<string, unknown>): QueryFailedError {
  return new QueryFailedError('UPDATE x', [], Object.assign(new Error('driver'), fields));
}

const mysqlDeadlock = () =>
  driverError({ code: 'ER_LOCK_DEADLOCK', errno: 1213, sqlState: '40001' });
const mysqlLockWaitTimeout = () =>
  driverError({ code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205, sqlState: 'HY000' });

function service(type = 'postgres') {
  const manager = {} as EntityManager;
  const dataSource = {
    options: { type },
    manager,
    transaction: jest.fn((work: (m: EntityManager) => Promise<unknown>) => work(manager)),
  } as unknown as DataSource;
  const tx = new TransactionService(dataSource);
  tx.backoff = () => 0;
  return { tx, dataSource };
}

describe('isTransientConflict', () => {
  it.each([
    ['MySQL deadlock 1213', mysqlDeadlock()],
    ['MySQL SQLSTATE 40001 alone', driverError({ sqlState: '40001', errno: 1105 })],
    ['PostgreSQL deadlock 40P01', driverError({ code: '40P01' })],
    ['PostgreSQL serialization failure 40001', driverError({ code: '40001' })],
    ['SQL Server deadlock victim 1205', driverError({ number: 1205, code: 'EREQUEST' })],
    [
      'SQL Server 1205 on the original error',
      driverError({ code: 'EREQUEST', originalError: { info: { number: 1205 } } }),
    ],
  ])('retries %s', (_, error) => expect(isTransientConflict(error)).toBe(true));

  it.each([
    ['MySQL lock wait timeout 1205', mysqlLockWaitTimeout()],
    ['a unique violation', driverError({ code: '23505' })],
    ['MySQL duplicate entry', driverError({ code: 'ER_DUP_ENTRY', errno: 1062 })],
    ['SQLite busy', driverError({ code: 'SQLITE_BUSY' })],
    ['SQL Server unique violation', driverError({ number: 2627 })],
    ['a plain error', new Error('boom')],
    ['undefined', undefined],
  ])('does not retry %s', (_, error) => expect(isTransientConflict(error)).toBe(false));
});

/** A real "database is locked" from SQLite: a second connection writes while the first holds the lock. */
function sqliteBusy(): unknown {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'busy-'));
  const file = path.join(dir, 'busy.sqlite');
  const holder = new Database(file);
  const other = new Database(file, { timeout: 0 });
  try {
    holder.pragma('journal_mode = WAL');
    holder.exec('CREATE TABLE t (n INTEGER)');
    holder.exec('BEGIN IMMEDIATE');
    other.exec('BEGIN IMMEDIATE');
    return undefined;
  } catch (error) {
    return new QueryFailedError('BEGIN IMMEDIATE TRANSACTION', [], error as Error);
  } finally {
    other.close();
    holder.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('isDatabaseUnavailable', () => {
  it('knows SQLite refusing a second writer', () => {
    const error = sqliteBusy();
    expect((error as { driverError: { code: string } }).driverError.code).toBe('SQLITE_BUSY');
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['MySQL lock wait timeout 1205', mysqlLockWaitTimeout()],
    ['MySQL deadlock 1213 after the retries', mysqlDeadlock()],
    ['MySQL too many connections 1040', driverError({ code: 'ER_CON_COUNT_ERROR', errno: 1040 })],
    ['MySQL connection lost', driverError({ code: 'PROTOCOL_CONNECTION_LOST' })],
    ['PostgreSQL lock not available 55P03', driverError({ code: '55P03' })],
    ['PostgreSQL statement timeout 57014', driverError({ code: '57014' })],
    ['PostgreSQL shutting down 57P01', driverError({ code: '57P01' })],
    ['PostgreSQL too many connections 53300', driverError({ code: '53300' })],
    ['PostgreSQL connection failure 08006', driverError({ code: '08006' })],
    ['PostgreSQL serialization failure 40001', driverError({ code: '40001' })],
    ['SQL Server deadlock victim 1205', driverError({ number: 1205, code: 'EREQUEST' })],
    ['SQL Server timeout', driverError({ code: 'ETIMEOUT' })],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ],
    ['pg-pool lending no connection in time', new Error('timeout exceeded when trying to connect')],
    ['pg losing its connection', new Error('Connection terminated unexpectedly')],
  ])('answers 503 for %s', (_, error) => expect(isDatabaseUnavailable(error)).toBe(true));

  it.each([
    ['a unique violation', driverError({ code: '23505' })],
    ['MySQL duplicate entry', driverError({ code: 'ER_DUP_ENTRY', errno: 1062 })],
    ['a PostgreSQL syntax error', driverError({ code: '42601' })],
    ['a missing SQLite table', driverError({ code: 'SQLITE_ERROR' })],
    ['a plain error', new Error('boom')],
    ['undefined', undefined],
  ])('leaves %s a 500', (_, error) => expect(isDatabaseUnavailable(error)).toBe(false));
});

describe('TransactionService retries', () => {
  it('runs the whole callback again after a deadlock and returns what the rerun returns', async () => {
    const { tx, dataSource } = service();
    let calls = 0;
    const result = await tx.run(async () => {
      calls++;
      if (calls === 1) throw mysqlDeadlock();
      return 'committed';
    });
    expect(result).toBe('committed');
    expect(calls).toBe(2);
    expect(dataSource.transaction).toHaveBeenCalledTimes(2);
  });

  it(`gives up after ${TRANSACTION_RETRIES} retries and throws the last conflict`, async () => {
    const { tx } = service();
    let calls = 0;
    const failing = tx.run(() => {
      calls++;
      return Promise.reject(driverError({ code: '40P01' }));
    });
    await expect(failing).rejects.toMatchObject({ driverError: { code: '40P01' } });
    expect(calls).toBe(1 + TRANSACTION_RETRIES);
  });

  it('never retries other errors', async () => {
    const { tx } = service('mysql');
    let calls = 0;
    const failing = tx.run(() => {
      calls++;
      return Promise.reject(mysqlLockWaitTimeout());
    });
    await expect(failing).rejects.toBeInstanceOf(QueryFailedError);
    expect(calls).toBe(1);
  });

  it('retries a single write statement too', async () => {
    const { tx } = service('mssql');
    let calls = 0;
    await tx.write(() => {
      calls++;
      return calls < 3 ? Promise.reject(driverError({ number: 1205 })) : Promise.resolve();
    });
    expect(calls).toBe(3);
  });

  it('pauses a little longer before each retry, with jitter', () => {
    const { tx } = service();
    tx.backoff = new TransactionService({ options: { type: 'postgres' } } as DataSource).backoff;
    const first = Array.from({ length: 50 }, () => tx.backoff(1));
    const third = Array.from({ length: 50 }, () => tx.backoff(3));
    expect(Math.max(...first)).toBeLessThan(Math.min(...third));
    expect(new Set(first).size).toBeGreaterThan(1);
  });
});

describe('TransactionService collectWrites', () => {
  const recorder = () => {
    const ran: string[] = [];
    const write = (name: string) => async () => void ran.push(name);
    return { ran, write };
  };

  it('hands back the writes offered to the sink, to run in the caller’s next transaction', async () => {
    const { tx, dataSource } = service();
    const { ran, write } = recorder();
    const { value, writes } = await tx.collectWrites(async (sink) => {
      await tx.writeWithNext(write('ledger'), sink);
      return 'created';
    });
    expect(value).toBe('created');
    expect(ran).toEqual([]); // nothing committed on its own
    expect(writes).toHaveLength(1);
    await tx.run(async (m) => {
      for (const w of writes) await w(m);
    });
    expect(ran).toEqual(['ledger']);
    expect(dataSource.transaction).toHaveBeenCalledTimes(1);
  });

  it('commits the collected writes at once when the work fails: what they record happened', async () => {
    const { tx, dataSource } = service();
    const { ran, write } = recorder();
    await expect(
      tx.collectWrites(async (sink) => {
        await tx.writeWithNext(write('ledger'), sink);
        throw new Error('timeout');
      }),
    ).rejects.toThrow('timeout');
    expect(ran).toEqual(['ledger']);
    expect(dataSource.transaction).toHaveBeenCalledTimes(1);
  });

  it('runs a write on its own once the sink is closed, or without a sink', async () => {
    const { tx } = service();
    const { ran, write } = recorder();
    let late: WriteSink | undefined;
    await tx.collectWrites(async (sink) => {
      late = sink;
    });
    await tx.writeWithNext(write('late'), late);
    await tx.writeWithNext(write('alone'), undefined);
    expect(ran).toEqual(['late', 'alone']);
  });
});
