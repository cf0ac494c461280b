import { DataSource, MigrationExecutor } from 'typeorm';
import { existingTables, useMigrationDataSource } from '../support/databases';
import { enabledDialects } from '../support/services';
import { IdempotencyRecord } from '../../src/idempotency/idempotency-record.entity';
import { IdempotencyService } from '../../src/idempotency/idempotency.service';
import { TransactionService } from '../../src/database/transaction.service';
import { RowStatements } from '../../src/database/statements/row-statements';
import { sha256Hex, stableStringify } from '../../src/common/http/stable-json';

const TABLES = [
  'integrations',
  'api_keys',
  'provider_accounts',
  'payments',
  'payment_attempts',
  'payment_events',
  'refunds',
  'payment_operations',
  'idempotency_records',
  'webhook_deliveries',
  'outbox_events',
  'job_locks',
  'provider_circuits',
  'rate_limit_windows',
];

/** Undoes the latest migrations until `name` is no longer applied. */
async function revertThrough(dataSource: DataSource, name: string): Promise<void> {
  const applied = async () =>
    (await new MigrationExecutor(dataSource).getExecutedMigrations()).map((m) => m.name);
  while ((await applied()).includes(name))
    await dataSource.undoLastMigration({ transaction: 'each' });
}

/** Inserts `rows` into `table` as the table is, not as today's entity sees it. */
async function insertRows(
  dataSource: DataSource,
  table: string,
  rows: Record<string, unknown>[],
): Promise<void> {
  const q = (name: string) => dataSource.driver.escape(name);
  const columns = Object.keys(rows[0]);
  const parameters: Record<string, unknown> = {};
  const tuples = rows.map((row, r) => {
    columns.forEach((column) => (parameters[`${column}_${r}`] = row[column]));
    return `(${columns.map((column) => `:${column}_${r}`).join(', ')})`;
  });
  const [sql, values] = dataSource.driver.escapeQueryWithParameters(
    `INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES ${tuples.join(', ')}`,
    parameters,
    {},
  );
  await dataSource.query(sql, values);
}

describe.each(enabledDialects())('migrations on %s', (dialect) => {
  const db = useMigrationDataSource(dialect);
  let dataSource: DataSource;
  beforeAll(() => {
    dataSource = db.dataSource;
  });

  const tables = () => existingTables(dataSource, TABLES);

  it('applies every migration to an empty database, reverts them all, and applies them again', async () => {
    expect(await tables()).toEqual([]);
    expect(await dataSource.showMigrations()).toBe(true);

    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied.length).toBe(dataSource.migrations.length);
    expect(await tables()).toEqual(TABLES);
    expect(await dataSource.showMigrations()).toBe(false);

    for (let i = 0; i < applied.length; i++)
      await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual([]);

    await dataSource.runMigrations({ transaction: 'each' });
    expect(await tables()).toEqual(TABLES);
  });

  it('created the schema the entities expect (a round trip through every table)', async () => {
    // TypeORM compares the entity metadata with the live schema: nothing may be missing.
    const pending = await dataSource.driver.createSchemaBuilder().log();
    const missing = pending.upQueries.filter((q) =>
      /CREATE TABLE|ADD COLUMN|ADD "|ADD `/i.test(q.query),
    );
    expect(missing.map((q) => q.query)).toEqual([]);
  });

  it('stores kept Idempotency-Keys as digests, in batches: a retry after the upgrade gets its stored answer', async () => {
    await revertThrough(dataSource, 'IdempotencyKeyDigest1764610000000');
    const now = Date.now();
    const record = (id: string, key: string, body: unknown) => ({
      id,
      integrationId: 'int_a',
      scope: 'POST /payments',
      idempotencyKey: key,
      requestHash: sha256Hex(stableStringify({ key })),
      state: 'completed',
      responseStatus: 201,
      responseBody: JSON.stringify(body),
      createdAt: new Date(now),
      expiresAt: new Date(now + 3_600_000),
    });
    // More than one batch (500) of records from before the upgrade, keys in mixed case.
    const keys = Array.from({ length: 600 }, (_, i) => `Order-${i}A`);
    const before = keys.map((key, i) => record(`idem_${i}`, key, { id: `pay_${i}` }));
    for (let from = 0; from < before.length; from += 100)
      await insertRows(dataSource, 'idempotency_records', before.slice(from, from + 100));

    await dataSource.runMigrations({ transaction: 'each' });

    const rows = await dataSource.getRepository(IdempotencyRecord).find();
    expect(rows).toHaveLength(keys.length);
    for (const row of rows)
      expect(row.keyDigest).toBe(IdempotencyService.keyDigest(`Order-${row.id.slice(5)}A`));
    const service = new IdempotencyService(
      dataSource.getRepository(IdempotencyRecord),
      new TransactionService(dataSource),
      { idempotency: { leaseSeconds: 60 } },
      new RowStatements(dataSource),
    );
    const handler = jest.fn(async () => ({ status: 201, body: { id: 'pay_new' } }));
    const retry = (key: string) =>
      service.execute('int_a', 'POST /payments', key, { key: 'Order-7A' }, handler);
    expect(await retry('Order-7A')).toEqual({ status: 201, body: { id: 'pay_7' }, replayed: true });
    // Under MariaDB's collation the old index took this one for the key above.
    expect(await retry('ORDER-7a')).toEqual({
      status: 201,
      body: { id: 'pay_new' },
      replayed: false,
    });
    expect(handler).toHaveBeenCalledTimes(1);

    // Reverted, the records go (a digest does not give its key back); the old index works again.
    await revertThrough(dataSource, 'IdempotencyKeyDigest1764610000000');
    expect(await dataSource.getRepository(IdempotencyRecord).count()).toBe(0);
    await insertRows(dataSource, 'idempotency_records', [record('idem_old', 'Order-7A', {})]);
    await dataSource.runMigrations({ transaction: 'each' });
    expect(
      (await dataSource.getRepository(IdempotencyRecord).findOneByOrFail({ id: 'idem_old' }))
        .keyDigest,
    ).toBe(IdempotencyService.keyDigest('Order-7A'));
  });
});
