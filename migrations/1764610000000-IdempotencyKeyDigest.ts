import { createHash } from 'node:crypto';
import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { schemaFor } from './support/schema';

const TABLE = 'idempotency_records';
const KEY_COLUMNS = ['integrationId', 'scope'];
/** Records per UPDATE: at most three parameters each, under SQL Server's 2,100 per statement. */
const BATCH = 500;

/**
 * Idempotency keys are kept as their SHA-256 (lowercase hex) in `keyDigest`, no longer as
 * themselves: under MySQL's and SQL Server's default collations the unique index took
 * `order-1a` for `ORDER-1A` (and `café` for `cafe`) and answered a second payment with the
 * first one's. Records kept from before are converted here, in batches, with the digest
 * IdempotencyService.keyDigest computes, so a retry after the upgrade still finds its answer.
 *
 * `down` cannot turn a digest back into its key: it deletes the records (kept 24 hours), and
 * the older version then treats a retry of a request made before as a new request.
 */
export class IdempotencyKeyDigest1764610000000 implements MigrationInterface {
  name = 'IdempotencyKeyDigest1764610000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = schemaFor(queryRunner);
    await queryRunner.addColumn(TABLE, new TableColumn(c.string('keyDigest', 64, true)));
    for (let after: string | undefined = ''; after !== undefined;) {
      after = await convertBatch(queryRunner, after);
    }
    await queryRunner.dropIndex(TABLE, 'UQ_idempotency_key');
    await queryRunner.dropColumn(TABLE, 'idempotencyKey');
    // The column as the database reports it, made NOT NULL: a different type or length would
    // make MySQL's and SQL Server's changeColumn drop and re-add it, digests and all.
    const table = (await queryRunner.getTable(TABLE))!;
    const nullable = table.findColumnByName('keyDigest')!;
    const required = nullable.clone();
    required.isNullable = false;
    await queryRunner.changeColumn(table, nullable, required);
    await queryRunner.createIndex(
      TABLE,
      new TableIndex({
        name: 'UQ_idempotency_key_digest',
        columnNames: [...KEY_COLUMNS, 'keyDigest'],
        isUnique: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const c = schemaFor(queryRunner);
    await queryRunner.dropIndex(TABLE, 'UQ_idempotency_key_digest');
    await queryRunner.query(`DELETE FROM ${queryRunner.connection.driver.escape(TABLE)}`);
    await queryRunner.dropColumn(TABLE, 'keyDigest');
    await queryRunner.addColumn(TABLE, new TableColumn(c.string('idempotencyKey', 255)));
    await queryRunner.createIndex(
      TABLE,
      new TableIndex({
        name: 'UQ_idempotency_key',
        columnNames: [...KEY_COLUMNS, 'idempotencyKey'],
        isUnique: true,
      }),
    );
  }
}

/**
 * Gives the next records (by id, after `after`) their digest, up to BATCH in one UPDATE; the
 * last id done, or undefined when none was left.
 */
async function convertBatch(queryRunner: QueryRunner, after: string): Promise<string | undefined> {
  const q = (name: string) => queryRunner.connection.driver.escape(name);
  const rows: { id: string; idempotencyKey: string }[] = await queryRunner.manager
    .createQueryBuilder()
    .select(q('id'), 'id')
    .addSelect(q('idempotencyKey'), 'idempotencyKey')
    .from(TABLE, TABLE)
    .where(`${q('keyDigest')} IS NULL AND ${q('id')} > :after`, { after })
    .orderBy(q('id'))
    .limit(BATCH)
    .getRawMany();
  if (rows.length === 0) return undefined;
  const parameters: Record<string, string> = {};
  const cases = rows.map((row, i) => {
    parameters[`id${i}`] = row.id;
    parameters[`digest${i}`] = createHash('sha256').update(row.idempotencyKey).digest('hex');
    return `WHEN :id${i} THEN :digest${i}`;
  });
  const ids = rows.map((_, i) => `:id${i}`).join(', ');
  // Plain SQL, not the query builder: that would read the table through today's entity.
  const [sql, values] = queryRunner.connection.driver.escapeQueryWithParameters(
    `UPDATE ${q(TABLE)} SET ${q('keyDigest')} = CASE ${q('id')} ${cases.join(' ')} END WHERE ${q('id')} IN (${ids})`,
    parameters,
    {},
  );
  await queryRunner.query(sql, values);
  return rows[rows.length - 1].id;
}
