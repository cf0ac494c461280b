import type { QueryRunner } from 'typeorm';

/** A cache-version counter row in `routing_versions` (see src/routing/cache-versions.ts), at 0. */
export async function addVersionRow(queryRunner: QueryRunner, id: string): Promise<void> {
  await queryRunner.manager
    .createQueryBuilder()
    .insert()
    .into('routing_versions')
    .values({ id, version: 0, updatedAt: new Date() })
    .execute();
}

export async function dropVersionRow(queryRunner: QueryRunner, id: string): Promise<void> {
  await queryRunner.manager
    .createQueryBuilder()
    .delete()
    .from('routing_versions')
    .where('id = :id', { id })
    .execute();
}
