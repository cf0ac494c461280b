import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A third counter row in `routing_versions`: bumped by every write to notification endpoints,
 * read with the other version rows once per request, so each instance knows which event types
 * an integration's endpoints subscribe to (an event nobody subscribes to wakes no worker).
 */
export class NotificationEndpointVersion1764590000000 implements MigrationInterface {
  name = 'NotificationEndpointVersion1764590000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.manager
      .createQueryBuilder()
      .insert()
      .into('routing_versions')
      .values({ id: 'notification_endpoints', version: 0, updatedAt: new Date() })
      .execute();
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.manager
      .createQueryBuilder()
      .delete()
      .from('routing_versions')
      .where('id = :id', { id: 'notification_endpoints' })
      .execute();
  }
}
