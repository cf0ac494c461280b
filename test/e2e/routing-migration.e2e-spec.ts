import { DataSource, MigrationExecutor } from 'typeorm';
import { RoutingRules1764300000000 } from '../../migrations/1764300000000-RoutingRules';
import { RoutingRule } from '../../src/routing/routing-rule.entity';
import { RoutingVersion, RULES_VERSION_ID } from '../../src/routing/routing-version.entity';
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

  it('writes the countries of rules stored in lower case in capitals, and moves the rules version', async () => {
    const name = 'RoutingRuleCountryCase1764620000000';
    const applied = async () =>
      (await new MigrationExecutor(dataSource).getExecutedMigrations()).map((m) => m.name);
    while ((await applied()).includes(name))
      await dataSource.undoLastMigration({ transaction: 'each' });
    const rules = dataSource.getRepository(RoutingRule);
    const rule = (id: string, conditions: RoutingRule['conditions']) => ({
      id,
      name: id,
      priority: Number(id.slice(-1)),
      enabled: true,
      integrationId: null,
      conditions,
      targets: [{ providerAccountId: 'pa_1', weight: 1 }],
      fallback: [],
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    await rules.insert([
      rule('rr_1', { countries: ['nl', 'NL', 'be'], currencies: ['EUR'] }),
      rule('rr_2', { countries: ['DE'] }),
      rule('rr_3', { currencies: ['eur'] }),
    ]);
    const versions = dataSource.getRepository(RoutingVersion);
    const before = (await versions.findOneByOrFail({ id: RULES_VERSION_ID })).version;

    await dataSource.runMigrations({ transaction: 'each' });

    const after = await rules.find({ order: { id: 'ASC' } });
    expect(after.map((r) => r.conditions)).toEqual([
      { countries: ['NL', 'BE'], currencies: ['EUR'] },
      { countries: ['DE'] },
      { currencies: ['eur'] },
    ]);
    expect((await versions.findOneByOrFail({ id: RULES_VERSION_ID })).version).toBe(before + 1);
  });
});
