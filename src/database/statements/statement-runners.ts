import type { DataSource, EntityManager } from 'typeorm';
import { QueryFailedError } from 'typeorm';

/** Executes one parameterised statement; `manager` says whose transaction it belongs to. */
export interface StatementRunner {
  /** A write; resolves with the number of rows it changed. */
  run(manager: EntityManager, sql: string, parameters: unknown[]): Promise<number>;
  /** A read, inside `manager`'s transaction when it has one: the first row, or undefined. */
  first(
    sql: string,
    parameters: unknown[],
    manager?: EntityManager,
  ): Promise<Record<string, unknown> | undefined>;
  /** A read outside any transaction: every row. */
  all(sql: string, parameters: unknown[]): Promise<Record<string, unknown>[]>;
  /** SQLite only: see `RowStatements.foreignCommits`. */
  foreignCommits?(): number | undefined;
}

/**
 * The statement runner for the data source's driver; none for SQL Server, which keeps TypeORM's
 * own statements (no server here to prove a hand-built path against).
 */
export function statementRunnerFor(dataSource: DataSource): StatementRunner | null {
  switch (dataSource.options.type) {
    case 'better-sqlite3':
      return new SqliteRunner(dataSource);
    case 'mysql':
    case 'mariadb':
      return new MysqlRunner(dataSource);
    case 'postgres':
      return new PostgresRunner(dataSource);
    default:
      return null;
  }
}

/** Errors look the way TypeORM hands them over, so `isUniqueViolation` and retries still apply. */
function failed(sql: string, parameters: unknown[], error: unknown): QueryFailedError {
  return new QueryFailedError(sql, parameters, error as Error);
}

export interface SqliteStatement {
  run(...parameters: unknown[]): { changes: number };
  get(...parameters: unknown[]): Record<string, unknown> | undefined;
  all(...parameters: unknown[]): Record<string, unknown>[];
}
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  /** False in autocommit mode, true while a transaction is open on the connection. */
  readonly inTransaction: boolean;
}

/**
 * better-sqlite3: each SQL text prepared once on the one connection. TransactionService queues
 * every transaction on that connection, so a statement run inside `run(work)` is inside it.
 */
class SqliteRunner implements StatementRunner {
  private readonly prepared = new Map<string, SqliteStatement>();

  constructor(private readonly dataSource: DataSource) {}

  private get db(): SqliteDatabase {
    return (this.dataSource.driver as unknown as { databaseConnection: SqliteDatabase })
      .databaseConnection;
  }

  private statement(sql: string): SqliteStatement {
    let statement = this.prepared.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.prepared.set(sql, statement);
    }
    return statement;
  }

  foreignCommits(): number | undefined {
    if (this.db.inTransaction) return undefined;
    return Number(this.statement('PRAGMA data_version').get()?.data_version);
  }

  async run(_manager: EntityManager, sql: string, parameters: unknown[]): Promise<number> {
    try {
      return this.statement(sql).run(...parameters.map(sqliteValue)).changes;
    } catch (error) {
      throw failed(sql, parameters, error);
    }
  }

  async first(sql: string, parameters: unknown[]): Promise<Record<string, unknown> | undefined> {
    try {
      return this.statement(sql).get(...parameters.map(sqliteValue));
    } catch (error) {
      throw failed(sql, parameters, error);
    }
  }

  async all(sql: string, parameters: unknown[]): Promise<Record<string, unknown>[]> {
    try {
      return this.statement(sql).all(...parameters.map(sqliteValue));
    } catch (error) {
      throw failed(sql, parameters, error);
    }
  }
}

/** Integers bound as INTEGER, as TypeORM's SQLite driver writes them (see SqliteIntegerParameters). */
function sqliteValue(value: unknown): unknown {
  return typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
}

type MysqlCallback = (error: Error | null, result: unknown) => void;
interface MysqlExecutor {
  execute(sql: string, parameters: unknown[], callback: MysqlCallback): void;
}

/** mysql2's `execute`: a server-side prepared statement, cached per connection by mysql2. */
class MysqlRunner implements StatementRunner {
  constructor(private readonly dataSource: DataSource) {}

  private execute(executor: MysqlExecutor, sql: string, parameters: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) =>
      executor.execute(sql, parameters, (error, result) =>
        error ? reject(failed(sql, parameters, error)) : resolve(result),
      ),
    );
  }

  async run(manager: EntityManager, sql: string, parameters: unknown[]): Promise<number> {
    const result = await this.execute(
      await executorOf<MysqlExecutor>(manager, this.pool()),
      sql,
      parameters,
    );
    return (result as { affectedRows: number }).affectedRows;
  }

  async first(
    sql: string,
    parameters: unknown[],
    manager?: EntityManager,
  ): Promise<Record<string, unknown> | undefined> {
    const executor = await executorOf(manager, this.pool());
    const rows = (await this.execute(executor, sql, parameters)) as Record<string, unknown>[];
    return rows[0];
  }

  async all(sql: string, parameters: unknown[]): Promise<Record<string, unknown>[]> {
    return (await this.execute(this.pool(), sql, parameters)) as Record<string, unknown>[];
  }

  private pool(): MysqlExecutor {
    return (this.dataSource.driver as unknown as { pool: MysqlExecutor }).pool;
  }
}

interface PostgresResult {
  rowCount: number | null;
  rows: Record<string, unknown>[];
}
/** pg's own `Query` (the driver's class), made from the SQL text and then named. */
interface PostgresQuery {
  name?: string;
  callback?: (error: Error | null, result: PostgresResult) => void;
}
type PostgresQueryClass = new (text: string, values: unknown[]) => PostgresQuery;
/** A pooled client (answers through the query's callback) or the pool (answers a promise). */
interface PostgresExecutor {
  query(query: PostgresQuery): unknown;
}

/** pg's named statements: parsed and planned once per connection. */
class PostgresRunner implements StatementRunner {
  private readonly names = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * A `Query` made from the text and named afterwards: handed a config object instead, pg copies
   * it descriptor by descriptor on every call (`cloneQueryConfig`, ~1.5 % of a create's CPU).
   */
  private async query(
    executor: PostgresExecutor,
    text: string,
    values: unknown[],
  ): Promise<PostgresResult> {
    let name = this.names.get(text);
    if (!name) {
      name = `ps_hot_${this.names.size + 1}`;
      this.names.set(text, name);
    }
    const driver = this.dataSource.driver as unknown as { postgres: { Query: PostgresQueryClass } };
    const query = new driver.postgres.Query(text, values);
    query.name = name;
    try {
      // The pool gives the query its own callback, which also returns the client to the pool.
      if (executor === this.pool()) return await (executor.query(query) as Promise<PostgresResult>);
      return await new Promise<PostgresResult>((resolve, reject) => {
        query.callback = (error, result) => (error ? reject(error) : resolve(result));
        executor.query(query);
      });
    } catch (error) {
      throw failed(text, values, error);
    }
  }

  async run(manager: EntityManager, sql: string, parameters: unknown[]): Promise<number> {
    const executor = await executorOf<PostgresExecutor>(manager, this.pool());
    return (await this.query(executor, sql, parameters)).rowCount ?? 0;
  }

  async first(
    sql: string,
    parameters: unknown[],
    manager?: EntityManager,
  ): Promise<Record<string, unknown> | undefined> {
    const executor = await executorOf(manager, this.pool());
    return (await this.query(executor, sql, parameters)).rows[0];
  }

  async all(sql: string, parameters: unknown[]): Promise<Record<string, unknown>[]> {
    return (await this.query(this.pool(), sql, parameters)).rows;
  }

  private pool(): PostgresExecutor {
    return (this.dataSource.driver as unknown as { master: PostgresExecutor }).master;
  }
}

/**
 * Inside a transaction, the connection TypeORM holds for it; otherwise the pool, which lends a
 * connection for the one statement.
 */
async function executorOf<T>(manager: EntityManager | undefined, pool: T): Promise<T> {
  const runner = manager?.queryRunner;
  if (!runner || runner.isReleased) return pool;
  return ((runner as unknown as { databaseConnection?: T }).databaseConnection ??
    (await runner.connect())) as T;
}
