import type { EntityManager } from 'typeorm';
import { RoutingVersion, RULES_VERSION_ID } from './routing-version.entity';

/**
 * Bumps the rules version; call it as the transaction's first write to the rules. That write
 * locks the version row (on SQLite: the database), so rule writers queue here, and every
 * instance's rule cache reloads on its next payment.
 */
export async function bumpRoutingVersion(m: EntityManager): Promise<void> {
  await m
    .createQueryBuilder()
    .update(RoutingVersion)
    .set({ version: () => `${m.connection.driver.escape('version')} + 1`, updatedAt: new Date() })
    .where('id = :id', { id: RULES_VERSION_ID })
    .execute();
}
