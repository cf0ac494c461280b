import type { EntityManager } from 'typeorm';
import { forgetRequestVersions } from './cache-versions';
import {
  API_KEYS_VERSION_ID,
  ENDPOINTS_VERSION_ID,
  RoutingVersion,
  RULES_VERSION_ID,
} from './routing-version.entity';

/**
 * Bumps the rules version; call it as the transaction's first write to the rules. That write
 * locks the version row (on SQLite: the database), so rule writers queue here, and every
 * instance's rule cache reloads on its next payment.
 */
export async function bumpRoutingVersion(m: EntityManager): Promise<void> {
  await bumpVersion(m, RULES_VERSION_ID);
}

/**
 * Bumps the API-key version; call it in every transaction that writes API keys or
 * integrations, so every instance's key cache drops what it holds on its next request.
 */
export async function bumpApiKeyVersion(m: EntityManager): Promise<void> {
  await bumpVersion(m, API_KEYS_VERSION_ID);
}

/**
 * Bumps the notification-endpoint version; call it in every transaction that writes endpoints,
 * so every instance learns on its next status change which event types are subscribed.
 */
export async function bumpEndpointsVersion(m: EntityManager): Promise<void> {
  await bumpVersion(m, ENDPOINTS_VERSION_ID);
}

async function bumpVersion(m: EntityManager, id: string): Promise<void> {
  forgetRequestVersions(m.connection);
  await m
    .createQueryBuilder()
    .update(RoutingVersion)
    .set({ version: () => `${m.connection.driver.escape('version')} + 1`, updatedAt: new Date() })
    .where('id = :id', { id })
    .execute();
  forgetRequestVersions(m.connection); // again: a reading taken while the write was on its way is stale
}
