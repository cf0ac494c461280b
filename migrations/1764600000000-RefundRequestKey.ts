import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { schemaFor } from './support/schema';

/**
 * Refunds remember the request that made them when it came with an Idempotency-Key (a hash of
 * integration, key and body), so a retry finds its refund even when the key's stored answer is
 * gone (the request died after calling the provider): no second refund is sent. Existing
 * refunds get null.
 */
export class RefundRequestKey1764600000000 implements MigrationInterface {
  name = 'RefundRequestKey1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = schemaFor(queryRunner);
    await queryRunner.addColumn('refunds', new TableColumn(c.string('requestKey', 64, true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('refunds', 'requestKey');
  }
}
