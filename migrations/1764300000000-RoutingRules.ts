import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { schemaFor } from './support/schema';
import { addVersionRow } from './support/version-rows';

/** Routing rules and the version counter that invalidates every instance's rule cache. */
export class RoutingRules1764300000000 implements MigrationInterface {
  name = 'RoutingRules1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = schemaFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'routing_rules',
        columns: [
          c.id(),
          c.string('name', 128),
          c.integer('priority'),
          c.boolean('enabled'),
          c.ref('integrationId', true),
          c.json('conditions'),
          c.json('targets'),
          c.json('fallback'),
          c.timestamp('createdAt'),
          c.timestamp('updatedAt'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_routing_rules_priority', columnNames: ['priority'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'routing_versions',
        columns: [c.id(), c.integer('version'), c.timestamp('updatedAt')],
      }),
    );
    await addVersionRow(queryRunner, 'routing_rules');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('routing_versions');
    await queryRunner.dropTable('routing_rules');
  }
}
