import { DataSource } from 'typeorm';
import { RoutingRules1764300000000 } from '../../migrations/1764300000000-RoutingRules';
import { existingTables, useMigrationDataSource } from '../support/databases';
import { enabledDialects } from '../support/services';

describe.each(enabledDialects())('routing migration on %s', (dialect) => {
  const db = useMigrationDataSource(dialect);
  let dataSource: DataSource;
  beforeAll(async () => {
    dataSource = db.dataSource;
    await dataSource.runMigrations({ transaction: 'each' });
  });

  const RULES = ['routing_rules', 'routing_versions'];

  it('creates the rules table and a seeded version row, reverts cleanly, and applies again', async () => {
    expect(await existingTables(dataSource, RULES)).toEqual(RULES);
    const migration = new RoutingRules1764300000000();
    const runner = dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      expect(await existingTables(dataSource, RULES)).toEqual([]);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    const rows = await dataSource.query(
      `SELECT ${dataSource.driver.escape('version')} AS v FROM routing_versions`,
    );
    expect(rows.map((r: { v: unknown }) => Number(r.v))).toEqual([0]);
  });
});
