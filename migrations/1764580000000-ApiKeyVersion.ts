import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A second counter row in `routing_versions`: bumped by every write to API keys and
 * integrations, read (one primary-key lookup) before each cached API-key check, so a key
 * revoked on one instance is refused by every instance on its next request.
 */
export class ApiKeyVersion1764580000000 implements MigrationInterface {
  name = 'ApiKeyVersion1764580000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.manager
      .createQueryBuilder()
      .insert()
      .into('routing_versions')
      .values({ id: 'api_keys', version: 0, updatedAt: new Date() })
      .execute();
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.manager
      .createQueryBuilder()
      .delete()
      .from('routing_versions')
      .where('id = :id', { id: 'api_keys' })
      .execute();
  }
}
