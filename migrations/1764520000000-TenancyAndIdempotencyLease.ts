import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { schemaFor } from './support/schema';

/**
 * Provider accounts belong to integrations (`integrationIds`; null, as every existing account
 * gets, is shared by all), and an in-progress Idempotency-Key carries a lease: its holder's
 * token and when it runs out, so a key whose request died is free again after the lease.
 * In-progress rows from before have no lease and count as expired.
 */
export class TenancyAndIdempotencyLease1764520000000 implements MigrationInterface {
  name = 'TenancyAndIdempotencyLease1764520000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = schemaFor(queryRunner);
    await queryRunner.addColumn(
      'provider_accounts',
      new TableColumn(c.json('integrationIds', true)),
    );
    await queryRunner.addColumn(
      'idempotency_records',
      new TableColumn(c.string('leaseOwner', 32, true)),
    );
    await queryRunner.addColumn(
      'idempotency_records',
      new TableColumn(c.timestamp('leaseExpiresAt', true)),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('idempotency_records', 'leaseExpiresAt');
    await queryRunner.dropColumn('idempotency_records', 'leaseOwner');
    await queryRunner.dropColumn('provider_accounts', 'integrationIds');
  }
}
