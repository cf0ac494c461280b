import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { schemaFor } from './support/schema';

/**
 * Money safety for operations whose outcome may be unknown: captures and cancels are recorded
 * (payment_operations) before the provider call; refunds gain the same tracking columns (the
 * provider idempotency key, attempts, next look, last error, a lease for one instance at a
 * time); the payment mirrors its open capture/cancel; the test provider remembers idempotency
 * keys like a real PSP.
 */
export class PaymentOperations1764500000000 implements MigrationInterface {
  name = 'PaymentOperations1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = schemaFor(queryRunner);
    const tracking = () => [
      c.string('stage', 16, true),
      c.string('providerIdempotencyKey', 128, true),
      { ...c.integer('attempts'), default: 0 },
      c.timestamp('nextAttemptAt', true),
      c.string('lastError', 1024, true),
      c.string('leaseToken', 40, true),
      c.timestamp('leaseExpiresAt', true),
    ];
    await queryRunner.createTable(
      new Table({
        name: 'payment_operations',
        columns: [
          c.id(),
          c.ref('paymentId'),
          c.string('type', 16),
          c.string('status', 16),
          c.integer('amountValue', true),
          c.string('currency', 3),
          c.string('providerOperationId', 128, true),
          c.string('failureCode', 64, true),
          c.string('failureMessage', 1024, true),
          ...tracking(),
          c.timestamp('createdAt'),
          c.timestamp('updatedAt'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_payment_operations_payment', columnNames: ['paymentId'] }),
          new TableIndex({
            name: 'IDX_payment_operations_due',
            columnNames: ['status', 'nextAttemptAt'],
          }),
        ],
      }),
    );
    await queryRunner.addColumns(
      'refunds',
      tracking().map((column) => new TableColumn(column)),
    );
    await queryRunner.createIndex(
      'refunds',
      new TableIndex({ name: 'IDX_refunds_due', columnNames: ['status', 'nextAttemptAt'] }),
    );
    // Refunds still open from before: they used their own id as the provider's idempotency key.
    const q = (name: string) => queryRunner.connection.driver.escape(name);
    await queryRunner.query(
      `UPDATE refunds SET ${q('providerIdempotencyKey')} = id, stage = CASE WHEN ${q('providerRefundId')} IS NULL THEN 'unknown' ELSE 'accepted' END WHERE status = 'pending'`,
    );
    await queryRunner.addColumn('payments', new TableColumn(c.json('pendingOperation', true)));
    await queryRunner.addColumn(
      'test_provider_payments',
      new TableColumn(c.json('operations', true)),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('test_provider_payments', 'operations');
    await queryRunner.dropColumn('payments', 'pendingOperation');
    await queryRunner.dropIndex('refunds', 'IDX_refunds_due');
    for (const column of [
      'leaseExpiresAt',
      'leaseToken',
      'lastError',
      'nextAttemptAt',
      'attempts',
      'providerIdempotencyKey',
      'stage',
    ]) {
      await queryRunner.dropColumn('refunds', column);
    }
    await queryRunner.dropTable('payment_operations');
  }
}
