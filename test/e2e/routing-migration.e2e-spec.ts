import { DataSource } from 'typeorm';
import { loadAppConfig } from '../../src/config/app.config';
import { buildDataSourceOptions } from '../../src/database/data-source';
import { RoutingRules1764300000000 } from '../../migrations/1764300000000-RoutingRules';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { enabledDialects } from '../support/services';

describe.each(enabledDialects())('routing migration on %s', (dialect) => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const config = loadAppConfig({ ...database.env, PAYMENTSERVER_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') });
    dataSource = new DataSource(buildDataSourceOptions(config.database));
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const has = async (table: string) => {
    const runner = dataSource.createQueryRunner();
    try {
      return await runner.hasTable(table);
    } finally {
      await runner.release();
    }
  };

  it('creates the rules table and a seeded version row, reverts cleanly, and applies again', async () => {
    expect([await has('routing_rules'), await has('routing_versions')]).toEqual([true, true]);
    const migration = new RoutingRules1764300000000();
    const runner = dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      expect([await has('routing_rules'), await has('routing_versions')]).toEqual([false, false]);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    const rows = await dataSource.query(`SELECT ${dataSource.driver.escape('version')} AS v FROM routing_versions`);
    expect(rows.map((r: { v: unknown }) => Number(r.v))).toEqual([0]);
  });
});
