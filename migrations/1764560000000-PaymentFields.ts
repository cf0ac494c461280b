import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { schemaFor } from './support/schema';

/**
 * What the customer actually paid with (`methodUsed`, as the provider reports it), whether the
 * provider account was in test mode when the payment was made, and the order details a shop
 * may send at creation (lines, addresses, expiry). Existing payments get nulls: unknown.
 * The test provider's ledger gains the requested method, the one chosen at its checkout, and
 * the expiry of its checkout page.
 */
export class PaymentFields1764560000000 implements MigrationInterface {
  name = 'PaymentFields1764560000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = schemaFor(queryRunner);
    await queryRunner.addColumns('payments', [
      new TableColumn(c.string('methodUsed', 64, true)),
      new TableColumn(c.boolean('providerTestMode', true)),
      new TableColumn(c.json('orderLines', true)),
      new TableColumn(c.json('billingAddress', true)),
      new TableColumn(c.json('shippingAddress', true)),
      new TableColumn(c.timestamp('expiresAt', true)),
    ]);
    // The test provider's own ledger: the requested method and the one chosen at its checkout.
    await queryRunner.addColumns('test_provider_payments', [
      new TableColumn(c.string('method', 32, true)),
      new TableColumn(c.string('methodUsed', 32, true)),
      new TableColumn(c.timestamp('expiresAt', true)),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('test_provider_payments', 'expiresAt');
    await queryRunner.dropColumn('test_provider_payments', 'methodUsed');
    await queryRunner.dropColumn('test_provider_payments', 'method');
    for (const column of [
      'expiresAt',
      'shippingAddress',
      'billingAddress',
      'orderLines',
      'providerTestMode',
      'methodUsed',
    ])
      await queryRunner.dropColumn('payments', column);
  }
}
