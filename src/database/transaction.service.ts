import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, ObjectLiteral, EntityTarget } from 'typeorm';

/** A write that can run on any manager: alone, or inside someone else's transaction. */
export type Write = (manager: EntityManager) => Promise<unknown>;

interface WriteCollector {
  open: boolean;
  writes: Write[];
}

/**
 * The one way to write. On server databases it is a real transaction with row locks.
 * SQLite has one connection that TypeORM shares between callers, so concurrent transactions
 * would nest into each other; here they are queued and run one at a time instead.
 */
@Injectable()
export class TransactionService {
  private readonly serialize: boolean;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly collectors = new AsyncLocalStorage<WriteCollector>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialize = dataSource.options.type === 'better-sqlite3';
  }

  get dialect(): string {
    return this.dataSource.options.type;
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.inTurn(() => this.dataSource.transaction(work));
  }

  /**
   * One statement, atomic by itself, so without BEGIN/COMMIT around it. On SQLite it still
   * waits its turn behind open transactions (it would otherwise land inside one of them).
   */
  write<T>(statement: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.inTurn(() => statement(this.dataSource.manager));
  }

  /**
   * Runs `work` and hands back, instead of committing them one by one, the writes it made with
   * `writeWithNext`, for the caller to run inside its next transaction. Should `work` fail, they
   * are committed at once (what they record happened); writes made after it settled go directly.
   */
  async collectWrites<T>(work: () => Promise<T>): Promise<{ value: T; writes: Write[] }> {
    const collector: WriteCollector = { open: true, writes: [] };
    try {
      const value = await this.collectors.run(collector, work);
      return { value, writes: collector.writes };
    } catch (error) {
      const writes = collector.writes.splice(0);
      if (writes.length > 0)
        await this.run(async (m) => {
          for (const write of writes) await write(m);
        });
      throw error;
    } finally {
      collector.open = false;
    }
  }

  /** A lone write that joins the caller's next transaction inside `collectWrites`. */
  async writeWithNext(write: Write): Promise<void> {
    const collector = this.collectors.getStore();
    if (collector?.open) collector.writes.push(write);
    else await this.write(write);
  }

  /** On SQLite, after every write queued before it; elsewhere at once. */
  private inTurn<T>(write: () => Promise<T>): Promise<T> {
    if (!this.serialize) return write();
    const next = this.queue.then(write);
    this.queue = next.catch(() => undefined);
    return next;
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
