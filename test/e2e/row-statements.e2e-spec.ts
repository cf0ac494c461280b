import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { RowStatements } from '../../src/database/statements/row-statements';
import { isUniqueViolation } from '../../src/database/transaction.service';
import { Payment } from '../../src/payments/entities/payment.entity';
import { PaymentEvent } from '../../src/payments/entities/payment-event.entity';
import { PaymentAttempt } from '../../src/payments/entities/payment-attempt.entity';
import { TestProviderPayment } from '../../src/providers/test/test-provider-payment.entity';
import { RoutingVersion } from '../../src/routing/routing-version.entity';
import { useMigrationDataSource } from '../support/databases';
import { PAYMENT_ROW_AT, paymentRow } from '../support/payment-rows';
import { enabledDialects } from '../support/services';

/**
 * The create path writes its rows through RowStatements (prepared statements sent to the
 * driver) instead of TypeORM's query builder. On every database, a row written that way must be
 * the row `manager.insert` / `manager.update` writes: the same stored values, column by column,
 * and the same entity when TypeORM reads it back. It must also take part in the caller's
 * transaction and report errors the way TypeORM does.
 */
const at = PAYMENT_ROW_AT;
const payment = (id: string): Payment => paymentRow(id);

describe.each(enabledDialects())('row statements on %s', (dialect) => {
  const db = useMigrationDataSource(dialect);
  let dataSource: DataSource;
  let rows: RowStatements;

  beforeAll(async () => {
    dataSource = db.dataSource;
    await dataSource.runMigrations({ transaction: 'each' });
    rows = new RowStatements(dataSource);
  });

  const q = (name: string) => dataSource.driver.escape(name);

  /** Both rows as stored, without their ids. */
  async function storedPair<T extends ObjectLiteral>(
    entity: EntityTarget<T>,
    ids: [string, string],
  ): Promise<[Record<string, unknown>, Record<string, unknown>]> {
    const table = dataSource.getMetadata(entity).tableName;
    const raw: Record<string, unknown>[] = await dataSource.query(
      `SELECT * FROM ${q(table)} WHERE ${q('id')} IN (${[0, 1]
        .map((i) => dataSource.driver.createParameter(`p${i}`, i))
        .join(', ')})`,
      ids,
    );
    const byId = (id: string) => {
      const rest = { ...raw.find((row) => row.id === id)! };
      delete rest.id;
      return rest;
    };
    return [byId(ids[0]), byId(ids[1])];
  }

  async function expectSameAsTypeorm<T extends ObjectLiteral>(
    entity: EntityTarget<T>,
    make: (id: string) => T,
    prefix: string,
  ): Promise<void> {
    const ids: [string, string] = [`${prefix}_typeorm`, `${prefix}_direct`];
    await dataSource.transaction(async (m) => {
      await m.insert(entity, make(ids[0]) as never);
      await rows.insert(m, entity, make(ids[1]));
    });
    const [viaTypeorm, direct] = await storedPair(entity, ids);
    expect(direct).toEqual(viaTypeorm);
    const repository = dataSource.getRepository(entity);
    const [a, b] = await Promise.all(ids.map((id) => repository.findOneBy({ id } as never)));
    expect({ ...b, id: 'x' }).toEqual({ ...a, id: 'x' });
  }

  it('writes a payment exactly as manager.insert does (JSON, dates, booleans, big integers, nulls)', async () => {
    await expectSameAsTypeorm(Payment, payment, 'pay_a');
    const read = await dataSource.getRepository(Payment).findOneByOrFail({ id: 'pay_a_direct' });
    expect(read.amountValue).toBe(9_007_199_254_740_991);
    expect(read.expiresAt).toEqual(at);
    expect(read.metadata).toEqual({ orderId: '42', note: "it's" });
    expect(read.providerTestMode).toBe(true);
  });

  it('leaves columns given as undefined to their default, as TypeORM does', async () => {
    await expectSameAsTypeorm(
      Payment,
      (id) => ({ ...payment(id), providerTestMode: undefined, methodUsed: undefined }),
      'pay_b',
    );
  });

  it('writes history, attempt and test-provider rows as TypeORM does', async () => {
    await expectSameAsTypeorm(
      PaymentEvent,
      (id) =>
        ({
          id,
          paymentId: 'pay_a_direct',
          sequence: 1,
          type: 'payment.created',
          fromStatus: null,
          toStatus: 'pending',
          source: 'api',
          ignored: false,
          refundId: null,
          detail: null,
          createdAt: at,
        }) as PaymentEvent,
      'evt',
    );
    await expectSameAsTypeorm(
      PaymentAttempt,
      (id) => ({
        id,
        paymentId: 'pay_a_direct',
        providerAccountId: 'pa_1',
        provider: 'test',
        outcome: 'succeeded',
        errorCode: null,
        errorMessage: null,
        retryable: false,
        providerPaymentId: 'tp_1',
        durationMs: 3,
        createdAt: at,
      }),
      'att',
    );
    await expectSameAsTypeorm(
      TestProviderPayment,
      (id) =>
        ({
          id,
          accountId: 'pa_1',
          status: 'open',
          amountValue: 1000,
          currency: 'JPY',
          amountCaptured: 0,
          amountRefunded: 0,
          description: 'x',
          captureMode: 'automatic',
          returnUrl: 'https://shop.example/r',
          cancelUrl: null,
          method: null,
          expiresAt: null,
          createdAt: at,
          updatedAt: at,
        }) as TestProviderPayment,
      'tp',
    );
  });

  it('updates the given fields by id exactly as manager.update does, and counts the rows', async () => {
    const changes: Partial<Payment> = {
      providerName: 'test',
      providerPaymentId: 'tp_9',
      providerTestMode: false,
      checkoutUrl: 'https://checkout.example/tp_9',
      routing: { ruleId: 'rule_1', reason: 'rule "x"', attempts: [] },
      updatedAt: new Date('2026-12-03T08:00:00.001Z'),
    };
    await dataSource.transaction(async (m) => {
      await m.update(Payment, { id: 'pay_b_typeorm' }, changes);
      expect(await rows.update(m, Payment, 'pay_b_direct', changes)).toBe(1);
      expect(await rows.update(m, Payment, 'pay_missing', changes)).toBe(0);
    });
    const [viaTypeorm, direct] = await storedPair(Payment, ['pay_b_typeorm', 'pay_b_direct']);
    expect(direct).toEqual(viaTypeorm);
  });

  it('updates only while the guard columns hold their values (compare-and-set)', async () => {
    const m = dataSource.manager;
    const changes: Partial<Payment> = { status: 'authorized', updatedAt: at };
    expect(await rows.update(m, Payment, 'pay_a_direct', changes, { status: 'failed' })).toBe(0);
    expect(
      await rows.update(m, Payment, 'pay_a_direct', changes, {
        status: 'pending',
        integrationId: 'int_rows',
      }),
    ).toBe(1);
    const read = await dataSource.getRepository(Payment).findOneByOrFail({ id: 'pay_a_direct' });
    expect(read.status).toBe('authorized');
    await expect(
      rows.update(m, Payment, 'pay_a_direct', changes, { providerName: null }),
    ).rejects.toThrow(/guard compares values/);
  });

  it('finds a row by equal columns and hydrates it exactly as TypeORM does', async () => {
    const repository = dataSource.getRepository(Payment);
    for (const id of ['pay_a_typeorm', 'pay_b_direct']) {
      const expected = await repository.findOneByOrFail({ id });
      const found = await rows.findOne(Payment, { id, integrationId: 'int_rows' });
      expect(found).toEqual(expected);
      expect(found).toBeInstanceOf(Payment);
    }
    expect(await rows.findOne(Payment, { id: 'pay_a_typeorm', integrationId: 'other' })).toBeNull();
    // Inside a transaction it reads that transaction's own writes.
    await dataSource.transaction(async (m) => {
      await rows.insert(m, Payment, payment('pay_in_tx'));
      expect((await rows.findOne(Payment, { id: 'pay_in_tx' }, m))?.reference).toBe('ref-42');
    });
    await expect(rows.findOne(Payment, { providerName: null })).rejects.toThrow(/compares values/);
  });

  it('joins the caller’s transaction: a rollback takes its rows with it', async () => {
    await expect(
      dataSource.transaction(async (m) => {
        await rows.insert(m, Payment, payment('pay_rolled_back'));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await dataSource.getRepository(Payment).countBy({ id: 'pay_rolled_back' })).toBe(0);
  });

  it('reports a duplicate key the way TypeORM does', async () => {
    const error = await rows
      .insert(dataSource.manager, Payment, payment('pay_a_direct'))
      .catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });

  it('reads one value by id, converted as TypeORM converts it', async () => {
    await dataSource
      .getRepository(RoutingVersion)
      .save({ id: 'probe', version: 41, updatedAt: at });
    expect(await rows.valueById(RoutingVersion, 'probe', 'version')).toBe(41);
    expect(await rows.valueById(RoutingVersion, 'absent', 'version')).toBeUndefined();
  });

  it('hands the connection of every read outside a transaction back to the pool', async () => {
    // A read that kept its pooled connection would stall the pool (20 connections) well before this.
    for (let i = 0; i < 60; i++)
      expect(await rows.valueById(RoutingVersion, 'absent', 'version')).toBeUndefined();
    const values = await Promise.all(
      Array.from({ length: 60 }, () => rows.valuesById(RoutingVersion, ['absent'], 'version')),
    );
    expect(values.every((v) => v.size === 0)).toBe(true);
  });

  it('reads one value of several rows in one statement, by id; missing ids are absent', async () => {
    await dataSource.getRepository(RoutingVersion).save([
      { id: 'probe_a', version: 7, updatedAt: at },
      { id: 'probe_b', version: 2 ** 40, updatedAt: at },
    ]);
    const values = await rows.valuesById(
      RoutingVersion,
      ['probe_a', 'probe_b', 'absent'],
      'version',
    );
    expect([...values.entries()].sort()).toEqual([
      ['probe_a', 7],
      ['probe_b', 2 ** 40],
    ]);
  });

  it('tells, on SQLite, when another connection committed; elsewhere nothing', async () => {
    if (dialect !== 'sqlite') {
      expect(rows.foreignCommits()).toBeUndefined();
      return;
    }
    const before = rows.foreignCommits();
    expect(typeof before).toBe('number');
    // This connection's own commit leaves it as it is…
    await dataSource.getRepository(RoutingVersion).save({ id: 'own', version: 1, updatedAt: at });
    expect(rows.foreignCommits()).toBe(before);
    // …another connection's (another instance on the same file) moves it.
    const other = new DataSource({ ...dataSource.options, migrationsRun: false } as never);
    await other.initialize();
    try {
      await other.getRepository(RoutingVersion).save({ id: 'other', version: 1, updatedAt: at });
    } finally {
      await other.destroy();
    }
    const after = rows.foreignCommits();
    expect(after).not.toBe(before);
    // Inside a transaction a read would see its uncommitted writes: no answer there.
    await dataSource.transaction(async () => {
      expect(rows.foreignCommits()).toBeUndefined();
    });
    expect(rows.foreignCommits()).toBe(after);
  });
});
