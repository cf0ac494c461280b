import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CacheVersions } from '../routing/cache-versions';
import { ENDPOINTS_VERSION_ID, RoutingVersion } from '../routing/routing-version.entity';
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
/** The event types an integration's endpoints take; `ALL` when that cannot be known for sure. */
interface Subscribed {
  has(type: string): boolean;
}
const ALL: Subscribed = { has: () => true };

@Injectable()
export class EndpointSubscriptions {
  private readonly byIntegration = new VersionedMap<string, Promise<Subscribed>>(MAX_INTEGRATIONS);

  constructor(private readonly versions: CacheVersions) {}

  /**
   * Whether an enabled endpoint of `integrationId` subscribes to `type`. Loaded (on a miss) with
   * the caller's manager, so inside a transaction it reads what that transaction sees, together
   * with the version row: a transaction whose snapshot is older than the version just read (on
   * MySQL/MariaDB, REPEATABLE READ fixes it at its first read) may miss a new endpoint, so its
   * answer is neither kept nor trusted to say "nobody": the event is delivered, and the fan-out
   * decides with what is current then.
   */
  async wanted(manager: EntityManager, integrationId: string, type: string): Promise<boolean> {
    const version = await this.versions.current(ENDPOINTS_VERSION_ID);
    // No version row: nothing would tell this instance of a new endpoint, so always deliver.
    if (version === undefined) return true;
    // A reading older than one already seen: ask the database, keep nothing.
    if (!this.byIntegration.sync(version))
      return (await load(manager, integrationId, version)).has(type);
    let types = this.byIntegration.get(integrationId);
    if (!types) {
      const loading: Promise<Subscribed> = load(manager, integrationId, version).then((loaded) => {
        if (loaded === ALL) this.byIntegration.forget(integrationId, loading);
        return loaded;
      });
      this.byIntegration.set(version, integrationId, loading);
      loading.catch(() => this.byIntegration.forget(integrationId, loading));
      types = loading;
    }
    return (await types).has(type);
  }
}

/** The types subscribed as `manager` sees them, or ALL when it sees an older version than `version`. */
async function load(
  manager: EntityManager,
  integrationId: string,
  version: number,
): Promise<Subscribed> {
  const row = await manager.findOne(RoutingVersion, {
    select: { version: true },
    where: { id: ENDPOINTS_VERSION_ID },
  });
  if (!row || Number(row.version) < version) return ALL;
  const endpoints = await manager.find(NotificationEndpoint, {
    select: { events: true },
    where: { integrationId, enabled: true },
  });
  return new Set(endpoints.flatMap((endpoint) => endpoint.events));
}
