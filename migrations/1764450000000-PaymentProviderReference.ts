import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { schemaFor } from './support/schema';

/**
 * A second provider id kept beside providerPaymentId: the one later operations need when it
 * differs from the checkout's id (Adyen: the pspReference of the authorisation, learnt by webhook).
 */
export class PaymentProviderReference1764450000000 implements MigrationInterface {
  name = 'PaymentProviderReference1764450000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = schemaFor(queryRunner);
    await queryRunner.addColumn(
      'payments',
      new TableColumn(c.string('providerReference', 128, true)),
    );
    await queryRunner.createIndex(
      'payments',
      new TableIndex({
        name: 'IDX_payments_account_provider_reference',
        columnNames: ['providerAccountId', 'providerReference'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('payments', 'IDX_payments_account_provider_reference');
    await queryRunner.dropColumn('payments', 'providerReference');
  }
}
