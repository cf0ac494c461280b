import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { schemaFor } from './support/schema';

/** When reconciliation last asked the provider about a payment. */
export class PaymentPolling1764150000000 implements MigrationInterface {
  name = 'PaymentPolling1764150000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = schemaFor(queryRunner);
    await queryRunner.addColumn('payments', new TableColumn(c.timestamp('lastPolledAt', true)));
    await queryRunner.createIndex(
      'payments',
      new TableIndex({
        name: 'IDX_payments_status_polled',
        columnNames: ['status', 'lastPolledAt'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('payments', 'IDX_payments_status_polled');
    await queryRunner.dropColumn('payments', 'lastPolledAt');
  }
}
