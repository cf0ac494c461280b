import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { schemaFor } from './support/schema';

const TABLE = 'webhook_deliveries';

/**
 * The provider webhook inbox as operators see it: whether a delivery was verified, which
 * payment it names, its attempts, when it is tried next (and a lease, so two instances never
 * process one at once). Open deliveries are due at once; Mollie's (unsigned) are unverified.
 */
export class WebhookInbox1764510000000 implements MigrationInterface {
  name = 'WebhookInbox1764510000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = schemaFor(queryRunner);
    const q = (name: string) => queryRunner.connection.driver.escape(name);
    const dialect = queryRunner.connection.options.type;
    const yes = dialect === 'postgres' ? 'true' : '1';
    await queryRunner.renameColumn(TABLE, 'processingAttempts', 'attempts');
    await queryRunner.addColumns(TABLE, [
      // Written as each driver writes the entity's default, so the schema matches it exactly.
      new TableColumn({ ...c.boolean('verified'), default: yes }),
      new TableColumn(c.ref('paymentId', true)),
      new TableColumn(c.timestamp('nextAttemptAt', true)),
      new TableColumn(c.timestamp('lastAttemptAt', true)),
      new TableColumn(c.string('leaseToken', 32, true)),
      new TableColumn(c.timestamp('leaseExpiresAt', true)),
    ]);
    const no = dialect === 'postgres' ? 'FALSE' : '0';
    await queryRunner.query(
      `UPDATE ${q(TABLE)} SET ${q('verified')} = ${no} WHERE ${q('provider')} = 'mollie'`,
    );
    // What the old intake gave up on (or had not yet got to) is tried again under the new rules.
    await queryRunner.query(
      `UPDATE ${q(TABLE)} SET ${q('nextAttemptAt')} = ${q('receivedAt')} WHERE ${q('status')} IN ('received', 'failed')`,
    );
    await queryRunner.dropIndex(TABLE, 'IDX_webhook_deliveries_status');
    await queryRunner.createIndex(
      TABLE,
      new TableIndex({
        name: 'IDX_webhook_deliveries_due',
        columnNames: ['status', 'nextAttemptAt'],
      }),
    );
    await queryRunner.createIndex(
      TABLE,
      new TableIndex({ name: 'IDX_webhook_deliveries_payment', columnNames: ['paymentId'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const q = (name: string) => queryRunner.connection.driver.escape(name);
    // The old code knows only received, processed and failed.
    await queryRunner.query(
      `UPDATE ${q(TABLE)} SET ${q('status')} = 'failed' WHERE ${q('status')} IN ('dead', 'rejected')`,
    );
    await queryRunner.dropIndex(TABLE, 'IDX_webhook_deliveries_payment');
    await queryRunner.dropIndex(TABLE, 'IDX_webhook_deliveries_due');
    await queryRunner.createIndex(
      TABLE,
      new TableIndex({
        name: 'IDX_webhook_deliveries_status',
        columnNames: ['status', 'receivedAt'],
      }),
    );
    for (const column of [
      'leaseExpiresAt',
      'leaseToken',
      'lastAttemptAt',
      'nextAttemptAt',
      'paymentId',
      'verified',
    ]) {
      await queryRunner.dropColumn(TABLE, column);
    }
    await queryRunner.renameColumn(TABLE, 'attempts', 'processingAttempts');
  }
}
