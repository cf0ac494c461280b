import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { schemaFor } from './support/schema';

/** Notification endpoints, per-endpoint deliveries (with leases) and their attempts. */
export class Notifications1764200000000 implements MigrationInterface {
  name = 'Notifications1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = schemaFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'notification_endpoints',
        columns: [
          c.id(),
          c.ref('integrationId'),
          c.string('type', 16),
          c.string('url', 2048, true),
          c.string('exchange', 255, true),
          c.string('routingKeyPrefix', 128, true),
          c.json('events'),
          c.boolean('enabled'),
          c.string('disabledReason', 255, true),
          c.text('secretSealed', true),
          c.text('previousSecretSealed', true),
          c.timestamp('previousSecretExpiresAt', true),
          c.timestamp('createdAt'),
          c.timestamp('updatedAt'),
        ],
        indices: [
          new TableIndex({
            name: 'IDX_notif_endpoints_integration',
            columnNames: ['integrationId'],
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'notification_deliveries',
        columns: [
          c.id(),
          c.ref('endpointId'),
          c.ref('eventId'),
          c.string('eventType', 40),
          c.ref('paymentId'),
          c.integer('sequence'),
          c.string('status', 16),
          c.integer('attempts'),
          c.timestamp('nextAttemptAt'),
          c.string('leaseToken', 40, true),
          c.timestamp('leaseExpiresAt', true),
          c.integer('lastResponseCode', true),
          c.string('lastError', 512, true),
          c.timestamp('deliveredAt', true),
          c.timestamp('createdAt'),
          c.timestamp('updatedAt'),
        ],
        indices: [
          new TableIndex({
            name: 'UQ_notif_deliveries_endpoint_event',
            columnNames: ['endpointId', 'eventId'],
            isUnique: true,
          }),
          new TableIndex({
            name: 'IDX_notif_deliveries_due',
            columnNames: ['status', 'nextAttemptAt'],
          }),
          new TableIndex({
            name: 'IDX_notif_deliveries_order',
            columnNames: ['endpointId', 'paymentId', 'sequence'],
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'notification_attempts',
        columns: [
          c.id(),
          c.ref('deliveryId'),
          c.ref('endpointId'),
          c.string('outcome', 16),
          c.integer('responseCode', true),
          c.integer('durationMs'),
          c.string('error', 512, true),
          c.timestamp('startedAt'),
        ],
        indices: [
          new TableIndex({
            name: 'IDX_notif_attempts_delivery',
            columnNames: ['deliveryId', 'startedAt'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('notification_attempts');
    await queryRunner.dropTable('notification_deliveries');
    await queryRunner.dropTable('notification_endpoints');
  }
}
