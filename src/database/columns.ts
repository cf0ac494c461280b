import { Column, ColumnOptions, PrimaryColumn, ValueTransformer } from 'typeorm';

/**
 * Column decorators with dialect-neutral types. TypeORM maps `Date`, `Boolean`, `bigint`
 * and `simple-json` to each driver's own type; the migrations use the same mapping
 * (migrations/support/schema.ts), so entity and schema agree on every dialect.
 */

/** bigint comes back as a string from mysql/pg/mssql; money must stay an exact integer. */
export const bigintTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => {
    if (value === null || value === undefined) return value;
    const parsed = typeof value === 'number' ? value : Number(value);
    if (!Number.isSafeInteger(parsed)) throw new Error(`integer out of range: ${value}`);
    return parsed;
  },
};

export const IdColumn = () => PrimaryColumn({ type: 'varchar', length: 40 });

export const RefColumn = (options: ColumnOptions = {}) =>
  Column({ type: 'varchar', length: 40, ...options });

export const StringColumn = (length: number, options: ColumnOptions = {}) =>
  Column({ type: 'varchar', length, ...options });

export const IntegerColumn = (options: ColumnOptions = {}) =>
  Column({ type: 'bigint', transformer: bigintTransformer, ...options });

export const TimestampColumn = (options: ColumnOptions = {}) => Column({ type: Date, ...options });

export const BooleanColumn = (options: ColumnOptions = {}) => Column({ type: Boolean, ...options });

export const JsonColumn = (options: ColumnOptions = {}) =>
  Column({ type: 'simple-json', ...options });

export const TextColumn = (options: ColumnOptions = {}) => Column({ type: 'text', ...options });
