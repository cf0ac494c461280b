import { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * Dialect-neutral column builders for migrations. Types go through the driver's own
 * normalizeType, the same mapping the entity decorators in src/database/columns.ts get,
 * so one migration creates the right types on sqlite, mysql/mariadb, postgres and mssql.
 */
export function schemaFor(queryRunner: QueryRunner) {
  const driver = queryRunner.connection.driver;
  const dialect = queryRunner.connection.options.type;
  const type = (spec: Parameters<typeof driver.normalizeType>[0]) => driver.normalizeType(spec);
  const nullable = (isNullable?: boolean) => ({ isNullable: isNullable ?? false });

  return {
    id: (name = 'id'): TableColumnOptions => ({
      name,
      type: type({ type: 'varchar' }),
      length: '40',
      isPrimary: true,
    }),
    ref: (name: string, isNullable?: boolean): TableColumnOptions => ({
      name,
      type: type({ type: 'varchar' }),
      length: '40',
      ...nullable(isNullable),
    }),
    string: (name: string, length: number, isNullable?: boolean): TableColumnOptions => ({
      name,
      type: type({ type: 'varchar' }),
      length: String(length),
      ...nullable(isNullable),
    }),
    integer: (name: string, isNullable?: boolean): TableColumnOptions => ({
      name,
      type: type({ type: 'bigint' }),
      ...nullable(isNullable),
    }),
    boolean: (name: string, isNullable?: boolean): TableColumnOptions => ({
      name,
      type: type({ type: Boolean }),
      ...nullable(isNullable),
    }),
    timestamp: (name: string, isNullable?: boolean): TableColumnOptions => ({
      name,
      type: dialect === 'mssql' ? 'datetime2' : type({ type: Date }),
      // Millisecond precision keeps "newest first" ordering stable on MySQL/MariaDB.
      ...(dialect === 'mysql' || dialect === 'mariadb' ? { precision: 3 } : {}),
      ...nullable(isNullable),
    }),
    text: (name: string, isNullable?: boolean): TableColumnOptions =>
      dialect === 'mssql'
        ? { name, type: 'nvarchar', length: 'MAX', ...nullable(isNullable) }
        : { name, type: type({ type: 'text' }), ...nullable(isNullable) },
    json: (name: string, isNullable?: boolean): TableColumnOptions =>
      dialect === 'mssql'
        ? { name, type: 'nvarchar', length: 'MAX', ...nullable(isNullable) }
        : { name, type: type({ type: 'simple-json' }), ...nullable(isNullable) },
  };
}
