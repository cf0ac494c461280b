import { MigrationInterface, QueryRunner } from 'typeorm';
import { addVersionRow, dropVersionRow } from './support/version-rows';

/**
 * A second counter row in `routing_versions`: bumped by every write to API keys and
 * integrations, read (one primary-key lookup) before each cached API-key check, so a key
 * revoked on one instance is refused by every instance on its next request.
 */
export class ApiKeyVersion1764580000000 implements MigrationInterface {
  name = 'ApiKeyVersion1764580000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addVersionRow(queryRunner, 'api_keys');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropVersionRow(queryRunner, 'api_keys');
  }
}
