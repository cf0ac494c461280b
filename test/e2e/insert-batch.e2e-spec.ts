import { DataSource, EntityManager } from 'typeorm';
import { RowStatements } from '../../src/database/statements/row-statements';
import { isUniqueViolation, TransactionService } from '../../src/database/transaction.service';
import { afterCommit, AfterCommitListener } from '../../src/metrics/after-commit';
import { Payment } from '../../src/payments/entities/payment.entity';
import { PaymentEvent } from '../../src/payments/entities/payment-event.entity';
import { useMigrationDataSource } from '../support/databases';
import { paymentRow } from '../support/payment-rows';
import { enabledDialects } from '../support/services';

/**
 * `TransactionService.run(work, { batchInserts: true })`, the create path's transactions: on
 * PostgreSQL and MariaDB its RowStatements inserts are held back and sent as one statement
 * (a WITH of INSERTs; a `BEGIN NOT ATOMIC … END` compound statement), without a separate BEGIN
 * and COMMIT when nothing else runs in it. What the work sees and what is kept must be what a
 * plain transaction gives, on every database: all or nothing, reads that see the held rows,
 * afterCommit only after a commit. On PostgreSQL and MariaDB the statements sent are counted too.
 */
const at = new Date('2026-12-03T22:10:00.000Z');

const payment = (id: string): Payment =>
  paymentRow(id, { integrationId: 'int_batch', description: 'batched', reference: id });

function created(paymentId: string, sequence = 1): PaymentEvent {
  return {
    id: `evt_${paymentId}_${sequence}`,
    paymentId,
    refundId: null,
    sequence,
    type: 'payment.created',
    fromStatus: null,
    toStatus: 'pending',
    source: 'api',
    ignored: false,
    detail: null,
    createdAt: at,
  } as PaymentEvent;
}

describe.each(enabledDialects())('transactions with batched inserts on %s', (dialect) => {
  const db = useMigrationDataSource(dialect);
  let dataSource: DataSource;
  let rows: RowStatements;
  let tx: TransactionService;
  /** SQL texts sent to PostgreSQL or MariaDB during `during` (empty on SQLite). */
  let sent: string[];
  const batched = { batchInserts: true };
  /** Whether the statements sent are checked: a database that batches (not SQLite, not MySQL). */
  let counted = false;
  /** The one statement of held inserts that begin with a payment: alone, or in an open transaction. */
  const combined = (atomic: boolean): RegExp =>
    dialect === 'postgres'
      ? /^WITH held_1 AS \(INSERT INTO "payments"/
      : atomic
        ? /^BEGIN NOT ATOMIC DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END; START TRANSACTION; INSERT INTO `payments`.*; COMMIT; END$/
        : /^BEGIN NOT ATOMIC INSERT INTO `payments`.*; END$/;

  beforeAll(async () => {
    dataSource = db.dataSource;
    await dataSource.runMigrations({ transaction: 'each' });
    new AfterCommitListener(dataSource).onModuleInit();
    rows = new RowStatements(dataSource);
    await rows.onModuleInit();
    tx = new TransactionService(dataSource, rows);
    counted = rows.batchesInserts;
  });

  it('batches on PostgreSQL and MariaDB, not on SQLite or MySQL', async () => {
    const [{ version }] =
      dialect === 'sqlite'
        ? [{ version: '' }]
        : await dataSource.query('SELECT VERSION() AS version');
    expect(rows.batchesInserts).toBe(dialect === 'postgres' || /mariadb/i.test(version));
  });

  /** Records every SQL text sent to PostgreSQL or MariaDB/MySQL while `work` runs. */
  async function during<T>(work: () => Promise<T>): Promise<T> {
    sent = [];
    if (dialect === 'sqlite') return work();
    const driver = dataSource.driver as unknown as {
      postgres?: { Client: { prototype: object } };
      mysql?: { Connection: { prototype: object } };
    };
    const prototype = (driver.postgres?.Client ?? driver.mysql!.Connection).prototype;
    const methods = (dialect === 'postgres' ? ['query'] : ['query', 'execute']) as never[];
    const spies = methods.map((method) => {
      const original = (prototype as Record<string, (...args: unknown[]) => unknown>)[method];
      return jest.spyOn(prototype, method).mockImplementation(function (
        this: unknown,
        ...args: unknown[]
      ) {
        const first = args[0] as string | { text?: string; sql?: string };
        sent.push(typeof first === 'string' ? first : (first.text ?? first.sql)!);
        return original.apply(this, args);
      } as never);
    });
    try {
      return await work();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  }

  const stored = async (id: string) =>
    (await dataSource.getRepository(Payment).findOneBy({ id }))?.description ?? null;
  const events = (paymentId: string) =>
    dataSource.getRepository(PaymentEvent).countBy({ paymentId });

  it('commits inserts alone as one statement, then runs afterCommit', async () => {
    const order: string[] = [];
    await during(() =>
      tx.run(async (m) => {
        await rows.insert(m, Payment, payment('pay_b1'));
        await rows.insert(m, PaymentEvent, created('pay_b1'));
        afterCommit(m, () => order.push('after commit'));
        order.push('work done');
      }, batched),
    );
    expect(order).toEqual(['work done', 'after commit']);
    expect(await stored('pay_b1')).toBe('batched');
    expect(await events('pay_b1')).toBe(1);
    if (counted) {
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatch(combined(true));
    }
  });

  it('sends what is held before a read of the transaction, which then sees it', async () => {
    let seen: [string | null, number, number] | undefined;
    await during(() =>
      tx.run(async (m: EntityManager) => {
        await rows.insert(m, Payment, payment('pay_b2'));
        await rows.insert(m, PaymentEvent, created('pay_b2'));
        const viaRows = await rows.findOne(Payment, { id: 'pay_b2' }, m);
        const viaTypeorm = await m.getRepository(PaymentEvent).countBy({ paymentId: 'pay_b2' });
        await rows.insert(m, PaymentEvent, created('pay_b2', 2));
        const changed = await rows.update(m, Payment, 'pay_b2', { description: 'changed' });
        seen = [viaRows?.description ?? null, viaTypeorm, changed];
      }, batched),
    );
    expect(seen).toEqual(['batched', 1, 1]);
    expect(await stored('pay_b2')).toBe('changed');
    expect(await events('pay_b2')).toBe(2);
    if (counted) {
      expect(sent[0]).toBe('START TRANSACTION');
      expect(sent[1]).toMatch(combined(false));
      expect(sent[sent.length - 1]).toBe('COMMIT');
      expect(sent.filter((sql) => /^(INSERT|WITH|BEGIN NOT ATOMIC)/.test(sql))).toHaveLength(2);
    }
  });

  it('begins once and sends the rows first when two statements of the transaction run at once', async () => {
    let seen: [string | null, number] | undefined;
    await during(() =>
      tx.run(async (m) => {
        await rows.insert(m, Payment, payment('pay_b6'));
        await rows.insert(m, PaymentEvent, created('pay_b6'));
        const [found, counted] = await Promise.all([
          rows.findOne(Payment, { id: 'pay_b6' }, m),
          m.getRepository(PaymentEvent).countBy({ paymentId: 'pay_b6' }),
        ]);
        seen = [found?.description ?? null, counted];
      }, batched),
    );
    expect(seen).toEqual(['batched', 1]);
    if (counted) {
      expect(sent.filter((sql) => sql === 'START TRANSACTION')).toHaveLength(1);
      expect(sent[0]).toBe('START TRANSACTION');
      expect(sent[1]).toMatch(combined(false));
    }
  });

  it('keeps nothing when one held insert fails, and runs no afterCommit', async () => {
    await tx.run((m) => rows.insert(m, Payment, payment('pay_b3')));
    let applied = false;
    const failure = await during(() =>
      tx
        .run(async (m) => {
          await rows.insert(m, PaymentEvent, created('pay_b3'));
          await rows.insert(m, Payment, payment('pay_b3')); // the same id again
          afterCommit(m, () => (applied = true));
        }, batched)
        .catch((error: unknown) => error),
    );
    expect(isUniqueViolation(failure)).toBe(true);
    expect(applied).toBe(false);
    expect(await events('pay_b3')).toBe(0);
    if (counted) expect(sent).toHaveLength(1);
  });

  it('sends nothing when the work fails before the end', async () => {
    let applied = false;
    const failure = await during(() =>
      tx
        .run(async (m) => {
          await rows.insert(m, Payment, payment('pay_b4'));
          afterCommit(m, () => (applied = true));
          throw new Error('changed its mind');
        }, batched)
        .catch((error: unknown) => error),
    );
    expect((failure as Error).message).toBe('changed its mind');
    expect(applied).toBe(false);
    expect(await stored('pay_b4')).toBeNull();
    if (counted) expect(sent).toHaveLength(0);
  });

  it('lets one of two concurrent creates of the same id win, the other fail whole', async () => {
    const attempt = (description: string) =>
      tx
        .run(async (m) => {
          await rows.insert(m, Payment, { ...payment('pay_b5'), description });
          await rows.insert(m, PaymentEvent, { ...created('pay_b5'), id: `evt_${description}` });
        }, batched)
        .then(
          () => 'ok',
          (error: unknown) => (isUniqueViolation(error) ? 'duplicate' : String(error)),
        );
    const outcomes = await Promise.all([attempt('first'), attempt('second')]);
    expect([...outcomes].sort()).toEqual(['duplicate', 'ok']);
    const winner = outcomes[0] === 'ok' ? 'first' : 'second';
    expect(await stored('pay_b5')).toBe(winner);
    expect(await events('pay_b5')).toBe(1);
  });
});
