import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { schemaFor } from './support/schema';

/**
 * A payment an operator must look at because its provider reported something our records
 * contradict (a success after it died here, a capture or refund failed after it succeeded, a
 * refused chargeback): since when, and why. Existing payments get nulls: nothing to look at.
 */
export class PaymentAttention1764630000000 implements MigrationInterface {
  name = 'PaymentAttention1764630000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = schemaFor(queryRunner);
    await queryRunner.addColumns('payments', [
      new TableColumn(c.timestamp('attentionSince', true)),
      new TableColumn(c.string('attentionReason', 512, true)),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('payments', 'attentionReason');
    await queryRunner.dropColumn('payments', 'attentionSince');
  }
}
