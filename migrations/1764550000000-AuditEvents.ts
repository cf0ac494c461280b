import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { schemaFor } from './support/schema';

/**
 * The audit log of admin writes and admin-initiated payment operations, listed newest first
 * (keyset on at, id; retention reads the same index) and filtered by target.
 */
export class AuditEvents1764550000000 implements MigrationInterface {
  name = 'AuditEvents1764550000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = schemaFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          c.id(),
          c.timestamp('at'),
          c.string('actorSub', 255, true),
          c.string('actorClientId', 255, true),
          c.string('actorIp', 64, true),
          c.string('action', 64),
          c.string('targetType', 64),
          c.string('targetId', 64, true),
          c.string('outcome', 16),
          c.string('failureCode', 64, true),
          c.json('changedFields'),
          c.string('correlationId', 128, true),
        ],
        indices: [
          new TableIndex({ name: 'IDX_audit_events_at', columnNames: ['at', 'id'] }),
          new TableIndex({
            name: 'IDX_audit_events_target',
            columnNames: ['targetType', 'targetId'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_events');
  }
}
