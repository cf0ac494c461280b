import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { schemaFor } from './support/schema';

/**
 * A lease per periodic job, so that with several instances on one database each tick of
 * reconciliation, retention and the inbox retry runs on one of them, with its last result.
 */
export class JobLocks1764540000000 implements MigrationInterface {
  name = 'JobLocks1764540000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = schemaFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'job_locks',
        columns: [
          { ...c.string('name', 64), isPrimary: true },
          c.string('holder', 64, true),
          c.timestamp('lockedUntil', true),
          c.timestamp('lastStartedAt', true),
          c.timestamp('lastFinishedAt', true),
          c.string('lastResult', 16, true),
          c.string('lastError', 500, true),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('job_locks');
  }
}
