import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLE = 'routing_rules';

/**
 * Country conditions of routing rules in capitals. Until country codes were taken in capitals
 * only, a rule could be stored with `nl`; payments now always carry `NL`, so such a rule would
 * never match again. Its countries are written in capitals here (duplicates dropped), and the
 * rules version moves so running instances reload their rule cache.
 *
 * `down` leaves the rules as they are: capitals were always valid.
 */
export class RoutingRuleCountryCase1764620000000 implements MigrationInterface {
  name = 'RoutingRuleCountryCase1764620000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const q = (name: string) => queryRunner.connection.driver.escape(name);
    // Plain SQL, not the query builder over today's entity: the table as it is now.
    const rows: { id: string; conditions: string }[] = await queryRunner.query(
      `SELECT ${q('id')} AS ${q('id')}, ${q('conditions')} AS ${q('conditions')} FROM ${q(TABLE)}`,
    );
    let changed = 0;
    for (const row of rows) {
      const conditions = JSON.parse(row.conditions) as { countries?: unknown };
      const upper = capitalCountries(conditions.countries);
      if (!upper) continue;
      conditions.countries = upper;
      const [sql, values] = queryRunner.connection.driver.escapeQueryWithParameters(
        `UPDATE ${q(TABLE)} SET ${q('conditions')} = :conditions WHERE ${q('id')} = :id`,
        { conditions: JSON.stringify(conditions), id: row.id },
        {},
      );
      await queryRunner.query(sql, values);
      changed++;
    }
    if (changed === 0) return;
    const [sql, values] = queryRunner.connection.driver.escapeQueryWithParameters(
      `UPDATE ${q('routing_versions')} SET ${q('version')} = ${q('version')} + 1, ${q('updatedAt')} = :now WHERE ${q('id')} = :id`,
      { now: new Date(), id: 'routing_rules' },
      {},
    );
    await queryRunner.query(sql, values);
  }

  async down(): Promise<void> {
    // Nothing to undo: rules in capitals were valid before this migration too.
  }
}

/** The countries in capitals without duplicates, or undefined when they already were. */
function capitalCountries(countries: unknown): string[] | undefined {
  if (!Array.isArray(countries)) return undefined;
  const upper = [...new Set(countries.map((c) => String(c).toUpperCase()))];
  const same = upper.length === countries.length && upper.every((c, i) => c === countries[i]);
  return same ? undefined : upper;
}
