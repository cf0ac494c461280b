import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

const TABLE = 'webhook_deliveries';
const INDEX = 'IDX_webhook_deliveries_received';

/**
 * The admin inbox lists deliveries newest first, keyset-paged on (receivedAt, id), and
 * retention looks for old ones by receivedAt: both read this index instead of sorting the
 * whole table.
 */
export class WebhookInboxListing1764530000000 implements MigrationInterface {
  name = 'WebhookInboxListing1764530000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      TABLE,
      new TableIndex({ name: INDEX, columnNames: ['receivedAt', 'id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex(TABLE, INDEX);
  }
}
