import { DataSource, EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** Rows per DELETE: short statements, so writers are never held up for long. */
export const PURGE_BATCH = 500;

/**
 * Selects up to PURGE_BATCH ids of `entity` (aliased `a`) matching `where`, hands them to
 * `remove`, and repeats until none are left; returns how many were handed over.
 */
export async function inBatches<T extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  where: (q: SelectQueryBuilder<T>) => SelectQueryBuilder<T>,
  remove: (ids: string[]) => Promise<unknown>,
): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await where(
      dataSource.getRepository(entity).createQueryBuilder('a').select('a.id', 'id'),
    )
      .orderBy('a.id')
      .limit(PURGE_BATCH)
      .getRawMany<{ id: string }>();
    if (rows.length === 0) return total;
    await remove(rows.map((r) => r.id));
    total += rows.length;
    if (rows.length < PURGE_BATCH) return total;
  }
}
