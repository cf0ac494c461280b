// pg ships no type declarations (and @types/pg is not installed): the little the bench uses.
declare module 'pg' {
  interface QueryConfig {
    name?: string;
    text: string;
    values?: unknown[];
  }
  interface QueryResult<R = any> {
    rows: R[];
  }
  interface Queryable {
    query<R = any>(config: QueryConfig | string, values?: unknown[]): Promise<QueryResult<R>>;
  }
  export class Client implements Queryable {
    constructor(config: { connectionString: string });
    connect(): Promise<void>;
    query<R = any>(config: QueryConfig | string, values?: unknown[]): Promise<QueryResult<R>>;
    end(): Promise<void>;
  }
  export interface PoolClient extends Queryable {
    release(): void;
  }
  export class Pool implements Queryable {
    constructor(config: { connectionString: string; max?: number });
    connect(): Promise<PoolClient>;
    query<R = any>(config: QueryConfig | string, values?: unknown[]): Promise<QueryResult<R>>;
    end(): Promise<void>;
  }
}
