import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { schemaFor } from './support/schema';

/**
 * State several instances on one database must share: each provider account's circuit
 * breaker, and the fixed-window counters of the per-client rate limits.
 */
export class SharedCircuitsAndRateLimits1764570000000 implements MigrationInterface {
  name = 'SharedCircuitsAndRateLimits1764570000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = schemaFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'provider_circuits',
        columns: [
          { ...c.string('providerAccountId', 64), isPrimary: true },
          c.integer('consecutiveFailures'),
          c.timestamp('openedAt', true),
          c.timestamp('probeStartedAt', true),
          c.string('lastFailure', 256, true),
          c.timestamp('lastFailureAt', true),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'rate_limit_windows',
        columns: [
          { ...c.string('key', 191), isPrimary: true },
          c.integer('hits'),
          c.timestamp('expiresAt'),
        ],
      }),
    );
    await queryRunner.createIndex(
      'rate_limit_windows',
      new TableIndex({ name: 'IDX_rate_limit_windows_expiresAt', columnNames: ['expiresAt'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('rate_limit_windows');
    await queryRunner.dropTable('provider_circuits');
  }
}
