import { Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, ObjectLiteral, EntityTarget, QueryRunner } from 'typeorm';
import { afterCommitMark, dropAfterCommitSince } from '../metrics/after-commit';
import { attachInsertBatch, InsertBatch } from './statements/insert-batch';
import { RowStatements } from './statements/row-statements';
import type { SqliteDatabase, SqliteStatement } from './statements/statement-runners';

/** Runs after the first, on a deadlock or serialization failure: 3 retries, then the error. */
export const TRANSACTION_RETRIES = 3;
const BACKOFF_MS = 15;
/** SQLite: at most this many callers' writes share one commit (each waits for all of them). */
export const MAX_GROUP = 64;

interface Turn {
  work: (manager: EntityManager) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface RunOptions {
  /**
   * PostgreSQL and MariaDB: the inserts made through RowStatements are held back and sent as
   * one statement (see InsertBatch), and BEGIN is sent only when some other statement comes
   * first; a transaction of inserts alone is one round trip instead of one per statement plus
   * two. For work whose inserts need not answer one by one: a failing insert fails the batch,
   * later. Elsewhere (SQLite, MySQL, SQL Server) without effect.
   */
  batchInserts?: boolean;
}

/** A write that can run on any manager: alone, or inside someone else's transaction. */
export type Write = (manager: EntityManager) => Promise<unknown>;

/**
 * Where a caller collects writes meant for its next transaction (see `collectWrites`); handed
 * down explicitly (a provider finds it on its call context), so no async context is needed.
 */
export class WriteSink {
  private open = true;
  private readonly writes: Write[] = [];

  /** False once the collecting call has settled: the write must then run on its own. */
  add(write: Write): boolean {
    if (this.open) this.writes.push(write);
    return this.open;
  }

  /** Closes the sink and hands over what it collected. */
  close(): Write[] {
    this.open = false;
    return this.writes.splice(0);
  }
}

/**
 * The one way to write. On server databases it is a real transaction with row locks.
 *
 * SQLite has one connection that TypeORM shares between callers, so concurrent transactions
 * would nest into each other; here they run one at a time instead, and what arrives while
 * one group runs is committed together as the next (group commit): one BEGIN and one COMMIT
 * for every caller that was waiting, each caller's work inside its own SAVEPOINT. A caller
 * whose work fails is rolled back to its savepoint alone; the others commit. Each is answered
 * only once the group's COMMIT is done (a COMMIT that fails fails them all, and a caller that
 * failed hears of it then too, as its failure may have come from a row of the group that never
 * committed). A COMMIT writes every page the group touched once, and most of its cost is per
 * page, not per row: under load this halves what SQLite spends per write.
 *
 * A transaction a server database aborted as a deadlock victim or for a serialization failure
 * is rolled back whole, so it is run again from the start (a bounded number of times, after a
 * short jittered pause). Work queued with afterCommit is dropped on the rollback and queued
 * again by the run that commits, so it happens once. The callback must therefore only touch
 * the database; calls to the outside world belong before or after it.
 */
@Injectable()
export class TransactionService {
  private readonly logger = new Logger(TransactionService.name);
  private readonly serialize: boolean;
  /** SQLite: the callers waiting for the next group, and whether a group is under way. */
  private waiting: Turn[] = [];
  private draining = false;
  /** SQLite: the group's savepoint statements, prepared on the current connection. */
  private prepared?: GroupSavepoints;
  /** The pause before retry `n` (1-based); replaceable in tests. */
  backoff: (retry: number) => number = (retry) =>
    Math.round(BACKOFF_MS * 2 ** (retry - 1) * (0.5 + Math.random()));

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() private readonly rows?: RowStatements,
  ) {
    this.serialize = dataSource.options.type === 'better-sqlite3';
  }

  get dialect(): string {
    return this.dataSource.options.type;
  }

  run<T>(work: (manager: EntityManager) => Promise<T>, options: RunOptions = {}): Promise<T> {
    if (this.serialize) return this.inGroup(work);
    if (options.batchInserts && this.rows?.batchesInserts)
      return this.retrying(() => this.batched(work));
    return this.retrying(() => this.dataSource.transaction(work));
  }

  /**
   * A transaction whose inserts wait in an InsertBatch. It begins (START TRANSACTION, then the
   * held inserts) when another statement is about to run on its connection, and commits as
   * TypeORM's would; if nothing but inserts came, they go as one statement on their own, atomic
   * by itself. Either way the runner reports a transaction from the start and broadcasts its
   * commit or rollback, so afterCommit and the outbox wake-up work as in any transaction.
   */
  private async batched<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
    const query = runner.query;
    let begun = false;
    const batch = new InsertBatch(async () => {
      if (!begun) {
        begun = true;
        await query.call(runner, 'START TRANSACTION');
        state.transactionDepth = 1;
      }
      await this.rows!.sendInserts(runner.manager, batch.take(), { atomic: false });
    });
    runner.query = async function (this: QueryRunner, ...args: Parameters<QueryRunner['query']>) {
      await batch.settle();
      return query.apply(runner, args);
    } as QueryRunner['query'];
    attachInsertBatch(runner, batch);
    state.isTransactionActive = true;
    try {
      const value = await work(runner.manager);
      // Begun: COMMIT goes through the runner's query, which sends what is still held first.
      if (begun) await runner.commitTransaction();
      else {
        await runner.broadcaster.broadcast('BeforeTransactionCommit');
        await this.rows!.sendInserts(runner.manager, batch.take(), { atomic: true });
        state.isTransactionActive = false;
        await runner.broadcaster.broadcast('AfterTransactionCommit');
      }
      return value;
    } catch (error) {
      if (state.isTransactionActive) {
        if (begun) await runner.rollbackTransaction().catch(() => undefined);
        else {
          state.isTransactionActive = false;
          await runner.broadcaster.broadcast('AfterTransactionRollback');
        }
      }
      throw error;
    } finally {
      attachInsertBatch(runner, undefined);
      await runner.release();
    }
  }

  /**
   * One statement, atomic by itself, so without BEGIN/COMMIT around it. On SQLite it joins
   * the next group like any transaction (it would otherwise land inside an open one).
   */
  write<T>(statement: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.serialize) return this.inGroup(statement);
    return this.retrying(() => statement(this.dataSource.manager));
  }

  private async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    for (let retry = 1; ; retry++) {
      try {
        return await attempt();
      } catch (error) {
        if (retry > TRANSACTION_RETRIES || !isTransientConflict(error)) throw error;
        this.logger.warn({
          msg: 'transaction aborted by the database, running it again',
          retry,
          error: (error as Error).message,
        });
        await new Promise((resolve) => setTimeout(resolve, this.backoff(retry)));
      }
    }
  }

  /**
   * Runs `work` with a sink for the writes it wants in the caller's next transaction instead of
   * committed one by one (`writeWithNext`), and hands them back. Should `work` fail, they are
   * committed at once (what they record happened); writes offered after it settled go directly.
   */
  async collectWrites<T>(
    work: (sink: WriteSink) => Promise<T>,
  ): Promise<{ value: T; writes: Write[] }> {
    const sink = new WriteSink();
    let value: T;
    try {
      value = await work(sink);
    } catch (error) {
      const writes = sink.close();
      if (writes.length > 0)
        await this.run(async (m) => {
          for (const write of writes) await write(m);
        });
      throw error;
    }
    return { value, writes: sink.close() };
  }

  /** A lone write that joins the caller's next transaction when it comes with an open sink. */
  async writeWithNext(write: Write, sink: WriteSink | undefined): Promise<void> {
    if (!sink?.add(write)) await this.write(write);
  }

  /**
   * SQLite: joins the group that starts once the current one has committed; the first caller
   * starts a group after the event loop's I/O phase, so that every request read in it joins.
   */
  private inGroup<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.draining) return;
      this.draining = true;
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) await this.commitGroup(this.waiting.splice(0, MAX_GROUP));
    } finally {
      this.draining = false;
    }
  }

  /** Runs each caller's work in its own savepoint of one transaction; settles them after COMMIT. */
  private async commitGroup(group: Turn[]): Promise<void> {
    // Alone (an idle server): a plain transaction, no savepoint to open and release.
    if (group.length === 1) {
      const [turn] = group;
      try {
        turn.resolve(await this.dataSource.transaction(turn.work));
      } catch (error) {
        // Whether TypeORM's ROLLBACK ran or SQLite had ended it already: no transaction is open.
        if (!this.stillInTransaction()) resetRunner(this.dataSource.createQueryRunner());
        turn.reject(error);
      }
      return;
    }
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
    } catch (error) {
      // Busy past busy_timeout (another process holds the lock): nothing began.
      return this.abandon(runner, group, error);
    }
    const savepoints = this.savepoints();
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    for (const turn of group) {
      const mark = afterCommitMark(runner);
      let open = false;
      try {
        savepoints.open.run();
        open = true;
        const value = await turn.work(runner.manager);
        savepoints.release.run();
        outcomes.push({ ok: true, value });
      } catch (error) {
        outcomes.push({ ok: false, value: error });
        if (!this.stillInTransaction()) return this.abandon(runner, group, error);
        // Back to this caller's savepoint: what the others wrote stays.
        if (open && !savepoints.undo()) return this.abandon(runner, group, error);
        dropAfterCommitSince(runner, mark);
      }
    }
    try {
      await runner.commitTransaction();
    } catch (error) {
      if (this.stillInTransaction()) await runner.rollbackTransaction().catch(() => undefined);
      else resetRunner(runner);
      for (const turn of group) turn.reject(error);
      return;
    }
    group.forEach((turn, i) =>
      outcomes[i].ok ? turn.resolve(outcomes[i].value) : turn.reject(outcomes[i].value),
    );
  }

  /**
   * The savepoint around each caller of a group, run on better-sqlite3 directly: TypeORM's
   * nested transactions cost four subscriber broadcasts and two logged queries per caller, more
   * than SQLite spends on the savepoint. Its runner stays at depth 1 (the group's transaction),
   * so work that opens a transaction of its own nests inside as a TypeORM savepoint.
   */
  private savepoints(): GroupSavepoints {
    const db = (this.dataSource.driver as unknown as { databaseConnection: SqliteDatabase })
      .databaseConnection;
    if (this.prepared?.db !== db) {
      const open = db.prepare('SAVEPOINT group_caller');
      const release = db.prepare('RELEASE SAVEPOINT group_caller');
      const rollback = db.prepare('ROLLBACK TO SAVEPOINT group_caller');
      this.prepared = {
        db,
        open,
        release,
        undo: () => {
          try {
            rollback.run();
            release.run();
            return true;
          } catch {
            return false;
          }
        },
      };
    }
    return this.prepared;
  }

  /** SQLite ended the transaction itself (I/O error, disk full): nothing of the group is kept. */
  private abandon(runner: QueryRunner, group: Turn[], error: unknown): void {
    resetRunner(runner);
    for (const turn of group) turn.reject(error);
  }

  private stillInTransaction(): boolean {
    const db = (
      this.dataSource.driver as unknown as { databaseConnection?: { inTransaction?: boolean } }
    ).databaseConnection;
    return db?.inTransaction !== false;
  }

  /** SELECT … FOR UPDATE where the driver has it; SQLite is already serialized. */
  async lock<T extends ObjectLiteral>(
    manager: EntityManager,
    entity: EntityTarget<T>,
    id: string,
  ): Promise<T | null> {
    return manager.getRepository(entity).findOne({
      where: { id } as never,
      ...(this.serialize ? {} : { lock: { mode: 'pessimistic_write' as const } }),
    });
  }
}

interface GroupSavepoints {
  db: SqliteDatabase;
  open: SqliteStatement;
  release: SqliteStatement;
  /** Back to the savepoint and out of it; false if that failed (the transaction is gone). */
  undo(): boolean;
}

/**
 * After SQLite rolled the transaction back by itself, TypeORM's runner still believes it is in
 * one (and in a savepoint): its next BEGIN would become a SAVEPOINT. Said here, and what was
 * queued for the commit is dropped.
 */
function resetRunner(runner: QueryRunner): void {
  const state = runner as unknown as { transactionDepth: number; isTransactionActive: boolean };
  state.transactionDepth = 0;
  state.isTransactionActive = false;
  dropAfterCommitSince(runner, 0);
}

/** Unique-constraint violations, as each driver reports them. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; errno?: number; number?: number; driverError?: unknown };
  const inner = (e?.driverError ?? e) as { code?: string; errno?: number; number?: number };
  return (
    inner?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    inner?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    inner?.code === '23505' ||
    inner?.code === 'ER_DUP_ENTRY' ||
    inner?.errno === 1062 ||
    inner?.number === 2627 ||
    inner?.number === 2601
  );
}

/**
 * Deadlock victims and serialization failures, the aborts a rerun can cure: MySQL/MariaDB
 * 1213 (ER_LOCK_DEADLOCK) or SQLSTATE 40001, PostgreSQL 40P01 and 40001, SQL Server 1205.
 * Not a lock wait timeout (MySQL 1205): that statement alone failed, the transaction lives on.
 */
export function isTransientConflict(error: unknown): boolean {
  const e = error as { driverError?: unknown };
  const inner = (e?.driverError ?? e) as {
    code?: string;
    errno?: number;
    number?: number;
    sqlState?: string;
    originalError?: { info?: { number?: number } };
  };
  if (!inner || typeof inner !== 'object') return false;
  if (inner.errno === 1213 || inner.code === 'ER_LOCK_DEADLOCK') return true;
  if (inner.sqlState === '40001') return true;
  if (inner.code === '40P01' || inner.code === '40001') return true;
  // mssql reports the server's error number on the RequestError (and on its original error).
  const mssqlNumber = inner.number ?? inner.originalError?.info?.number;
  return mssqlNumber === 1205 && inner.errno === undefined;
}

/** SQLSTATEs of PostgreSQL for "not now": lock not available, shutting down or starting up, too many connections, statement timeout. */
const POSTGRES_UNAVAILABLE = new Set(['55P03', '57P01', '57P02', '57P03', '53300', '57014']);
/** MySQL/MariaDB: lock wait timeout, deadlock (once the retries are used up), too many connections. */
const MYSQL_UNAVAILABLE = new Set([1205, 1213, 1040]);
/** A connection that could not be made or was lost, as drivers and Node report it. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ETIMEOUT',
  'ESOCKET',
  'ECONNCLOSED',
]);

/**
 * The database could not do the work now but may in a moment: a lock it waited for in vain
 * (SQLite busy after `busy_timeout`, MySQL 1205, PostgreSQL 55P03), a conflict still there
 * after TransactionService's retries, too many connections, a connection refused or lost, a
 * pool that lent none in time. Nothing is wrong with the request, so it is answered `503` with
 * Retry-After (ProblemDetailsFilter), not `500`; a write retried with the same Idempotency-Key
 * is safe.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (isTransientConflict(error)) return true;
  const e = error as { driverError?: unknown; message?: unknown };
  const inner = (e?.driverError ?? e) as {
    code?: unknown;
    errno?: unknown;
    message?: unknown;
  };
  if (!inner || typeof inner !== 'object') return false;
  const code = typeof inner.code === 'string' ? inner.code : '';
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return true;
  if (typeof inner.errno === 'number' && MYSQL_UNAVAILABLE.has(inner.errno)) return true;
  if (POSTGRES_UNAVAILABLE.has(code) || code.startsWith('08')) return true;
  if (CONNECTION_CODES.has(code)) return true;
  // pg-pool's own errors carry no code.
  const message = typeof inner.message === 'string' ? inner.message : '';
  return /^(timeout exceeded when trying to connect|Connection terminated)/.test(message);
}
