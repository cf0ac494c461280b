import type { EntityManager, QueryRunner } from 'typeorm';

/** One INSERT held back: its statement (by RowStatements' shape) and its values. */
export interface HeldInsert {
  /** The table and the columns given, as one key (which statement this is). */
  key: string;
  table: string;
  /** The quoted column names, in the order of `values`. */
  names: string;
  values: unknown[];
}

const BATCH = 'insertBatch';

/**
 * The inserts of a PostgreSQL or MariaDB transaction run with `batchInserts`
 * (TransactionService): held back by RowStatements and sent as one statement, when a statement
 * of the transaction needs them in the database (`settle`, before any other statement on its
 * connection) or at its end. A transaction that is nothing but inserts is then one statement,
 * with no separate BEGIN or COMMIT.
 */
export class InsertBatch {
  private held: HeldInsert[] = [];
  private sending: Promise<void> = Promise.resolve();

  /** `send` sends what is held (and begins the transaction first if needed). */
  constructor(private readonly send: () => Promise<void>) {}

  /**
   * Sends what is held, after any sending already under way: statements run concurrently on the
   * transaction still find it begun and the rows in before they go.
   */
  settle(): Promise<void> {
    this.sending = this.sending.then(this.send);
    return this.sending;
  }

  hold(insert: HeldInsert): void {
    this.held.push(insert);
  }

  /** What is held, handed over once. */
  take(): HeldInsert[] {
    const held = this.held;
    this.held = [];
    return held;
  }
}

/** The batch of the transaction `manager` belongs to, if it holds its inserts back. */
export function insertBatchOf(manager: EntityManager | undefined): InsertBatch | undefined {
  const data = manager?.queryRunner?.data as Record<string, unknown> | undefined;
  return data?.[BATCH] as InsertBatch | undefined;
}

export function attachInsertBatch(runner: QueryRunner, batch: InsertBatch | undefined): void {
  const data = runner.data as Record<string, unknown>;
  if (batch) data[BATCH] = batch;
  else delete data[BATCH];
}
