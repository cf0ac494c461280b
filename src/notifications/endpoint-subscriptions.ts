import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CacheVersions } from '../routing/cache-versions';
import { ENDPOINTS_VERSION_ID } from '../routing/routing-version.entity';
import { VersionedMap } from '../routing/versioned-map';
import { NotificationEndpoint } from './notification-endpoint.entity';

/** Beyond this many integrations the map starts over. */
const MAX_INTEGRATIONS = 10_000;

/**
 * Which event types each integration's enabled notification endpoints subscribe to, in memory,
 * so a status change knows whether its outbox row needs delivering at all. Every answer first
 * reads the version row (with the other caches' versions: `CacheVersions`) that each write to
 * endpoints bumps in its own transaction, on whichever instance it ran; a moved version empties
 * the map. An endpoint created or subscribed on one instance is seen by every instance from its
 * next request on.
 */
@Injectable()
export class EndpointSubscriptions {
  private readonly byIntegration = new VersionedMap<string, Promise<ReadonlySet<string>>>(
    MAX_INTEGRATIONS,
  );

  constructor(private readonly versions: CacheVersions) {}

  /**
   * Whether an enabled endpoint of `integrationId` subscribes to `type`. Loaded (on a miss) with
   * the caller's manager, so inside a transaction it reads what that transaction sees.
   */
  async wanted(manager: EntityManager, integrationId: string, type: string): Promise<boolean> {
    const version = await this.versions.current(ENDPOINTS_VERSION_ID);
    // No version row: nothing would tell this instance of a new endpoint, so always deliver.
    if (version === undefined) return true;
    // A reading older than one already seen: ask the database, keep nothing.
    if (!this.byIntegration.sync(version)) return (await load(manager, integrationId)).has(type);
    let types = this.byIntegration.get(integrationId);
    if (!types) {
      const loading = load(manager, integrationId);
      this.byIntegration.set(version, integrationId, loading);
      loading.catch(() => this.byIntegration.forget(integrationId, loading));
      types = loading;
    }
    return (await types).has(type);
  }
}

async function load(manager: EntityManager, integrationId: string): Promise<ReadonlySet<string>> {
  const endpoints = await manager.find(NotificationEndpoint, {
    select: { events: true },
    where: { integrationId, enabled: true },
  });
  return new Set(endpoints.flatMap((endpoint) => endpoint.events));
}
