import { MigrationInterface, QueryRunner } from 'typeorm';
import { addVersionRow, dropVersionRow } from './support/version-rows';

/**
 * A third counter row in `routing_versions`: bumped by every write to notification endpoints,
 * read with the other version rows once per request, so each instance knows which event types
 * an integration's endpoints subscribe to (an event nobody subscribes to wakes no worker).
 */
export class NotificationEndpointVersion1764590000000 implements MigrationInterface {
  name = 'NotificationEndpointVersion1764590000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addVersionRow(queryRunner, 'notification_endpoints');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropVersionRow(queryRunner, 'notification_endpoints');
  }
}
