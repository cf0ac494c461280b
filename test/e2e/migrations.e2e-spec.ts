import { DataSource } from 'typeorm';
import { existingTables, useMigrationDataSource } from '../support/databases';
import { enabledDialects } from '../support/services';

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
});
