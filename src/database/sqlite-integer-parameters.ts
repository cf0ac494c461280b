import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

type Parameters = Record<string, unknown>;
type Escape = (sql: string, parameters: Parameters, native: Parameters) => [string, unknown[]];

/**
 * TypeORM's SQLite driver writes number parameters into the SQL text, so every amount (or
 * duration) makes a new statement: its statement cache missed on most creates and evicted the
 * stable statements too. Safe integers are handed over as BigInt instead, which the driver
 * binds as a parameter and better-sqlite3 as an INTEGER: the same value as the literal, one
 * SQL text per statement. Other numbers (none on the money path) are left as they were.
 */
@Injectable()
export class SqliteIntegerParameters implements OnModuleInit {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    if (this.dataSource.options.type !== 'better-sqlite3') return;
    const driver = this.dataSource.driver as unknown as { escapeQueryWithParameters: Escape };
    const escape = driver.escapeQueryWithParameters.bind(driver);
    driver.escapeQueryWithParameters = (sql, parameters, native) =>
      escape(sql, integersAsBigInt(parameters), native);
  }
}

export function integersAsBigInt(parameters: Parameters): Parameters {
  let bound: Parameters | undefined;
  for (const key in parameters) {
    const value = parameters[key];
    if (typeof value === 'number' && Number.isSafeInteger(value)) {
      bound ??= { ...parameters };
      bound[key] = BigInt(value);
    }
  }
  return bound ?? parameters;
}
