import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  DataSource,
  EntityManager,
  EntityMetadata,
  EntityTarget,
  ObjectLiteral,
} from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { StatementRunner, statementRunnerFor } from './statement-runners';

interface Shape {
  sql: string;
  columns: ColumnMetadata[];
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
export class RowStatements {
  private readonly runner: StatementRunner | null;
  private readonly shapes = new Map<string, Shape>();
  private readonly checked = new Set<EntityMetadata>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.runner = statementRunnerFor(dataSource);
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
    const metadata = this.metadata(entity);
    const given = metadata.columns.filter((column) => column.getEntityValue(row) !== undefined);
    const shape = this.shape(metadata, 'insert', given, () => {
      const names = given.map((column) => this.escape(column.databaseName)).join(', ');
      const slots = given.map((_, index) => this.slot(index)).join(', ');
      return `INSERT INTO ${this.table(metadata)} (${names}) VALUES (${slots})`;
    });
    await this.runner.run(manager, shape.sql, this.values(shape.columns, row));
  }

  /** UPDATE of the given fields of the row with this primary key; the number of rows changed. */
  async update<T extends ObjectLiteral>(
    manager: EntityManager,
    entity: EntityTarget<T>,
    id: string,
    changes: Partial<T>,
  ): Promise<number> {
    if (!this.runner) {
      const result = await manager.update(entity, id, changes as never);
      return result.affected ?? 0;
    }
    const metadata = this.metadata(entity);
    const primary = this.primaryColumn(metadata);
    const set = metadata.columns.filter(
      (column) => column !== primary && column.getEntityValue(changes) !== undefined,
    );
    const shape = this.shape(metadata, 'update', set, () => {
      const assignments = set
        .map((column, index) => `${this.escape(column.databaseName)} = ${this.slot(index)}`)
        .join(', ');
      const where = `${this.escape(primary.databaseName)} = ${this.slot(set.length)}`;
      return `UPDATE ${this.table(metadata)} SET ${assignments} WHERE ${where}`;
    });
    return this.runner.run(manager, shape.sql, [...this.values(shape.columns, changes), id]);
  }

  /** One column of the row with this primary key, read outside any transaction. */
  async valueById<T extends ObjectLiteral, K extends keyof T & string>(
    entity: EntityTarget<T>,
    id: string,
    property: K,
  ): Promise<T[K] | undefined> {
    const metadata = this.metadata(entity);
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${metadata.name} has no column ${property}`);
    if (!this.runner) {
      const row = await this.dataSource
        .getRepository(entity)
        .findOne({ where: { [this.primaryColumn(metadata).propertyName]: id } as never });
      return row?.[property];
    }
    const shape = this.shape(metadata, `value:${property}`, [column], () => {
      const where = `${this.escape(this.primaryColumn(metadata).databaseName)} = ${this.slot(0)}`;
      return `SELECT ${this.escape(column.databaseName)} AS v FROM ${this.table(metadata)} WHERE ${where}`;
    });
    const row = await this.runner.first(shape.sql, [id]);
    if (!row) return undefined;
    return this.dataSource.driver.prepareHydratedValue(row.v, column) as T[K];
  }

  private shape(
    metadata: EntityMetadata,
    kind: string,
    columns: ColumnMetadata[],
    build: () => string,
  ): Shape {
    const key = `${metadata.tablePath}|${kind}|${columns.map((c) => c.databaseName).join(',')}`;
    let shape = this.shapes.get(key);
    if (!shape) {
      shape = { sql: build(), columns };
      this.shapes.set(key, shape);
    }
    return shape;
  }

  private values(columns: ColumnMetadata[], source: ObjectLiteral): unknown[] {
    const driver = this.dataSource.driver;
    return columns.map((column) => {
      const value = driver.preparePersistentValue(column.getEntityValue(source), column);
      return value === undefined ? null : value;
    });
  }

  private metadata(entity: EntityTarget<ObjectLiteral>): EntityMetadata {
    const metadata = this.dataSource.getMetadata(entity);
    if (!this.checked.has(metadata)) {
      refuseComputedColumns(metadata);
      this.checked.add(metadata);
    }
    return metadata;
  }

  private primaryColumn(metadata: EntityMetadata): ColumnMetadata {
    if (metadata.primaryColumns.length !== 1)
      throw new Error(`${metadata.name} needs exactly one primary column here`);
    return metadata.primaryColumns[0];
  }

  private table(metadata: EntityMetadata): string {
    return metadata.tablePath
      .split('.')
      .map((part) => this.escape(part))
      .join('.');
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
 * date stamps) or with relations would be written differently here: refused outright.
 */
function refuseComputedColumns(metadata: EntityMetadata): void {
  const computed = metadata.columns.find(
    (column) =>
      column.isGenerated ||
      column.isVersion ||
      column.isCreateDate ||
      column.isUpdateDate ||
      column.isDeleteDate ||
      column.relationMetadata,
  );
  if (computed)
    throw new Error(
      `${metadata.name}.${computed.propertyName} is computed by TypeORM; not supported`,
    );
}
