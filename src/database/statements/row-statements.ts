import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In } from 'typeorm';
import type {
  DataSource,
  EntityManager,
  EntityMetadata,
  EntityTarget,
  ObjectLiteral,
} from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { StatementRunner, statementRunnerFor } from './statement-runners';
import { HeldInsert, insertBatchOf } from './insert-batch';

interface Shape {
  key: string;
  sql: string;
  columns: ColumnMetadata[];
  /** Inserts: what a batch needs of this statement (see sendInserts), made on first use. */
  held?: Omit<HeldInsert, 'values'>;
}

/** What is derived once per entity: its columns, and the statements per set of columns given. */
interface EntityPlan {
  metadata: EntityMetadata;
  primary: ColumnMetadata;
  table: string;
  /** Shapes by kind and by which columns are given (a bit per column, in metadata order). */
  shapes: Map<string, Shape>;
}

/**
 * The few statements every payment runs (insert a row, update a row by id, read one value by
 * id), sent to the driver as prepared statements instead of being built by TypeORM's query
 * builder on every call, which cost more than SQLite itself (bench/results/profile-create-payment.md).
 *
 * TypeORM stays the model: the SQL is derived once per entity and column set from its metadata,
 * and every value is converted by the driver's own `preparePersistentValue` / `prepareHydratedValue`,
 * so a row written here is the row `manager.insert` would write (test/e2e/row-statements).
 * Not for entities with subscribers on their inserts or updates (none are broadcast here), nor for
 * generated, version or date-stamp columns (refused). SQL Server keeps TypeORM's statements.
 */
@Injectable()
export class RowStatements implements OnModuleInit {
  private readonly runner: StatementRunner | null;
  private readonly plans = new Map<unknown, EntityPlan>();
  /** The one statement for a batch of held inserts, by their keys in order (and mode). */
  private readonly batches = new Map<string, string>();
  /** MariaDB (not MySQL): held inserts go as one compound statement (see sendInserts). */
  private compound = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.runner = statementRunnerFor(dataSource);
  }

  /** On the mysql driver: is the server MariaDB, which runs compound statements? */
  async onModuleInit(): Promise<void> {
    const type = this.dataSource.options.type;
    if (!this.runner || (type !== 'mysql' && type !== 'mariadb')) return;
    const [{ version }] = (await this.dataSource.query('SELECT VERSION() AS version')) as {
      version: string;
    }[];
    this.compound = /mariadb/i.test(version);
  }

  /**
   * Whether a transaction's inserts can be held and sent as one statement (InsertBatch): on
   * PostgreSQL and on MariaDB.
   */
  get batchesInserts(): boolean {
    return this.runner !== null && (this.dataSource.options.type === 'postgres' || this.compound);
  }

  /** INSERT of `row`; columns left `undefined` take their database default, as with TypeORM. */
  async insert<T extends ObjectLiteral>(
    manager: EntityManager,
    entity: EntityTarget<T>,
    row: T,
  ): Promise<void> {
    if (!this.runner) {
      await manager.insert(entity, row as never);
      return;
    }
    const plan = this.plan(entity);
    const shape = this.shape(plan, 'insert', row, null, (given) => {
      const names = given.map((column) => this.escape(column.databaseName)).join(', ');
      const slots = given.map((_, index) => this.slot(index)).join(', ');
      return `INSERT INTO ${plan.table} (${names}) VALUES (${slots})`;
    });
    const values = this.values(shape.columns, row);
    const batch = insertBatchOf(manager);
    if (batch) {
      shape.held ??= {
        key: `${plan.table}:${shape.key}`,
        table: plan.table,
        names: shape.columns.map((column) => this.escape(column.databaseName)).join(', '),
      };
      batch.hold({ ...shape.held, values });
      return;
    }
    await this.runner.run(manager, shape.sql, values);
  }

  /**
   * Held inserts (see InsertBatch) as one statement, prepared like the others; all of them or
   * none are kept (test/e2e/insert-batch). PostgreSQL runs the INSERTs of a WITH clause as parts
   * of one statement. MariaDB runs a compound statement (`BEGIN NOT ATOMIC … END`) as one
   * prepared statement; `atomic` (no transaction open) puts START TRANSACTION and COMMIT inside
   * it, with a handler that rolls back and re-raises the error (its code intact, for retries and
   * unique violations). In an open transaction a failing insert fails the transaction's work,
   * which then rolls back.
   */
  async sendInserts(
    manager: EntityManager,
    inserts: HeldInsert[],
    { atomic }: { atomic: boolean },
  ): Promise<void> {
    if (inserts.length === 0) return;
    const key = `${inserts.map((insert) => insert.key).join(';')}${atomic ? '' : ';open'}`;
    let sql = this.batches.get(key);
    if (!sql) {
      let next = 0;
      const statements = inserts.map((insert) => {
        const slots = insert.values.map(() => this.slot(next++)).join(', ');
        return `INSERT INTO ${insert.table} (${insert.names}) VALUES (${slots})`;
      });
      sql = statements.length === 1 ? statements[0] : this.oneStatement(statements, atomic);
      this.batches.set(key, sql);
    }
    const values = inserts.length === 1 ? inserts[0].values : inserts.flatMap((i) => i.values);
    await this.runner!.run(manager, sql, values);
  }

  private oneStatement(statements: string[], atomic: boolean): string {
    if (this.dataSource.options.type === 'postgres') {
      const last = statements.pop()!;
      return `WITH ${statements.map((statement, i) => `held_${i + 1} AS (${statement})`).join(', ')} ${last}`;
    }
    const body = statements.map((statement) => `${statement};`).join(' ');
    return atomic
      ? 'BEGIN NOT ATOMIC DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END; ' +
          `START TRANSACTION; ${body} COMMIT; END`
      : `BEGIN NOT ATOMIC ${body} END`;
  }

  /**
   * UPDATE of the given fields of the row with this primary key, only while the columns of
   * `guard` hold those (non-null) values (a compare-and-set); the number of rows changed.
   */
  async update<T extends ObjectLiteral>(
    manager: EntityManager,
    entity: EntityTarget<T>,
    id: string,
    changes: Partial<T>,
    guard: Partial<T> = {},
  ): Promise<number> {
    if (!this.runner) {
      const result = await manager.update(entity, { ...guard, id } as never, changes as never);
      return result.affected ?? 0;
    }
    const plan = this.plan(entity);
    const guarded = this.shape(plan, 'guard', guard, plan.primary, () => '');
    for (const column of guarded.columns)
      if (guard[column.propertyName] === null)
        throw new Error(`${plan.metadata.name}.${column.propertyName}: a guard compares values`);
    const shape = this.shape(
      plan,
      'update',
      changes,
      plan.primary,
      (set) => {
        const assignments = set
          .map((column, index) => `${this.escape(column.databaseName)} = ${this.slot(index)}`)
          .join(', ');
        const where = [plan.primary, ...guarded.columns]
          .map(
            (column, index) =>
              `${this.escape(column.databaseName)} = ${this.slot(set.length + index)}`,
          )
          .join(' AND ');
        return `UPDATE ${plan.table} SET ${assignments} WHERE ${where}`;
      },
      guarded,
    );
    const values = this.values(shape.columns, changes);
    values.push(id, ...this.values(guarded.columns, guard));
    await insertBatchOf(manager)?.settle();
    return this.runner.run(manager, shape.sql, values);
  }

  /** One column of the row with this primary key, read outside any transaction. */
  async valueById<T extends ObjectLiteral, K extends keyof T & string>(
    entity: EntityTarget<T>,
    id: string,
    property: K,
  ): Promise<T[K] | undefined> {
    const plan = this.plan(entity);
    const column = plan.metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${plan.metadata.name} has no column ${property}`);
    if (!this.runner) {
      const row = await this.dataSource
        .getRepository(entity)
        .findOne({ where: { [plan.primary.propertyName]: id } as never });
      return row?.[property];
    }
    const key = `value:${property}`;
    let shape = plan.shapes.get(key);
    if (!shape) {
      const where = `${this.escape(plan.primary.databaseName)} = ${this.slot(0)}`;
      const sql = `SELECT ${this.escape(column.databaseName)} AS v FROM ${plan.table} WHERE ${where}`;
      plan.shapes.set(key, (shape = { key, sql, columns: [column] }));
    }
    const row = await this.runner.first(shape.sql, [id]);
    if (!row) return undefined;
    return this.dataSource.driver.prepareHydratedValue(row.v, column) as T[K];
  }

  /**
   * SQLite, outside a transaction: a number that changes whenever another connection commits
   * (another process or instance on the same file), read without touching a table (`PRAGMA
   * data_version`). Commits of this connection leave it as it is. Undefined on other databases
   * and while a transaction is open (a read then sees that transaction's uncommitted writes).
   */
  foreignCommits(): number | undefined {
    return this.runner?.foreignCommits?.();
  }

  /** One column of the rows with these primary keys (one statement), by key; outside any transaction. */
  async valuesById<T extends ObjectLiteral, K extends keyof T & string>(
    entity: EntityTarget<T>,
    ids: readonly string[],
    property: K,
  ): Promise<Map<string, T[K]>> {
    const plan = this.plan(entity);
    const column = plan.metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${plan.metadata.name} has no column ${property}`);
    const values = new Map<string, T[K]>();
    if (!this.runner) {
      const rows = await this.dataSource
        .getRepository(entity)
        .findBy({ [plan.primary.propertyName]: In([...ids]) } as never);
      for (const row of rows) values.set(row[plan.primary.propertyName] as string, row[property]);
      return values;
    }
    const key = `values:${property}:${ids.length}`;
    let shape = plan.shapes.get(key);
    if (!shape) {
      const slots = ids.map((_, index) => this.slot(index)).join(', ');
      const id = this.escape(plan.primary.databaseName);
      const sql = `SELECT ${id} AS k, ${this.escape(column.databaseName)} AS v FROM ${plan.table} WHERE ${id} IN (${slots})`;
      plan.shapes.set(key, (shape = { key, sql, columns: [column] }));
    }
    const driver = this.dataSource.driver;
    for (const row of await this.runner.all(shape.sql, [...ids]))
      values.set(String(row.k), driver.prepareHydratedValue(row.v, column) as T[K]);
    return values;
  }

  /**
   * The row whose columns equal the (non-null) values of `where`, as the entity TypeORM would
   * hydrate; null when there is none. Inside `manager`'s transaction when given. No lock: use
   * `TransactionService.lock` for that.
   */
  async findOne<T extends ObjectLiteral>(
    entity: EntityTarget<T>,
    where: Partial<T>,
    manager?: EntityManager,
  ): Promise<T | null> {
    if (!this.runner) return (manager ?? this.dataSource.manager).findOneBy(entity, where as never);
    const plan = this.plan(entity);
    const filter = this.shape(plan, 'guard', where, null, () => '');
    if (filter.columns.length === 0) throw new Error('findOne needs at least one column');
    for (const column of filter.columns)
      if (where[column.propertyName] === null)
        throw new Error(`${plan.metadata.name}.${column.propertyName}: findOne compares values`);
    const shape = this.shape(
      plan,
      'select',
      where,
      null,
      () => {
        const columns = plan.metadata.columns
          .map((column) => this.escape(column.databaseName))
          .join(', ');
        const conditions = filter.columns
          .map((column, index) => `${this.escape(column.databaseName)} = ${this.slot(index)}`)
          .join(' AND ');
        return `SELECT ${columns} FROM ${plan.table} WHERE ${conditions}`;
      },
      filter,
    );
    await insertBatchOf(manager)?.settle();
    const raw = await this.runner.first(shape.sql, this.values(filter.columns, where), manager);
    if (!raw) return null;
    const driver = this.dataSource.driver;
    const row = plan.metadata.create() as T;
    for (const column of plan.metadata.columns) {
      const value = raw[column.databaseName];
      if (value !== undefined)
        (row as ObjectLiteral)[column.propertyName] = driver.prepareHydratedValue(value, column);
    }
    return row;
  }

  /** The statement for the columns `source` gives (not undefined), built on first use. */
  private shape(
    plan: EntityPlan,
    kind: 'insert' | 'update' | 'guard' | 'select',
    source: ObjectLiteral,
    except: ColumnMetadata | null,
    build: (columns: ColumnMetadata[]) => string,
    guard?: Shape,
  ): Shape {
    const columns = plan.metadata.columns;
    let key = guard ? `${kind}:${guard.key}:` : kind;
    for (let i = 0; i < columns.length; i++)
      key += columns[i] !== except && source[columns[i].propertyName] !== undefined ? '1' : '0';
    let shape = plan.shapes.get(key);
    if (!shape) {
      const given = columns.filter(
        (column) => column !== except && source[column.propertyName] !== undefined,
      );
      shape = { key, sql: build(given), columns: given };
      plan.shapes.set(key, shape);
    }
    return shape;
  }

  private values(columns: ColumnMetadata[], source: ObjectLiteral): unknown[] {
    const driver = this.dataSource.driver;
    const values = new Array<unknown>(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const value = driver.preparePersistentValue(source[columns[i].propertyName], columns[i]);
      values[i] = value === undefined ? null : value;
    }
    return values;
  }

  private plan(entity: EntityTarget<ObjectLiteral>): EntityPlan {
    let plan = this.plans.get(entity);
    if (!plan) {
      const metadata = this.dataSource.getMetadata(entity);
      refuseComputedColumns(metadata);
      if (metadata.primaryColumns.length !== 1)
        throw new Error(`${metadata.name} needs exactly one primary column here`);
      plan = {
        metadata,
        primary: metadata.primaryColumns[0],
        table: metadata.tablePath
          .split('.')
          .map((part) => this.escape(part))
          .join('.'),
        shapes: new Map(),
      };
      this.plans.set(entity, plan);
    }
    return plan;
  }

  private escape(name: string): string {
    return this.dataSource.driver.escape(name);
  }

  private slot(index: number): string {
    return this.dataSource.driver.createParameter(`p${index}`, index);
  }
}

/**
 * An entity with columns whose value TypeORM computes on insert or update (generated, version,
 * date stamps), with relations or with embedded columns (read here as plain properties) would be
 * written differently here: refused outright.
 */
function refuseComputedColumns(metadata: EntityMetadata): void {
  const computed = metadata.columns.find(
    (column) =>
      column.isGenerated ||
      column.isVersion ||
      column.isCreateDate ||
      column.isUpdateDate ||
      column.isDeleteDate ||
      column.relationMetadata ||
      column.embeddedMetadata,
  );
  if (computed)
    throw new Error(
      `${metadata.name}.${computed.propertyName} is computed by TypeORM; not supported`,
    );
}
