import { Injectable } from '@nestjs/common';
import { Integration } from './integration.entity';
import { API_KEYS_VERSION_ID } from '../routing/routing-version.entity';
import { CacheVersions } from '../routing/cache-versions';
import { VersionedMap } from '../routing/versioned-map';

/** Beyond this many keys the map starts over (one entry per key in use, so rarely). */
const MAX_KEYS = 10_000;

/**
 * Known API keys (by SHA-256) and their integrations, in memory. Every check first reads the
 * version row (with the other caches' versions: `CacheVersions`) that each write to keys or
 * integrations bumps in its own transaction, on whichever instance it ran; a moved version
 * empties the map. So a revoked key is refused by every instance on its next request. Unknown
 * hashes are never cached: a new key works at once, and a wrong key always costs a database
 * lookup (and the auth-failure limiter).
 */
@Injectable()
export class ApiKeyCache {
  private readonly byHash = new VersionedMap<string, Integration>(MAX_KEYS);

  constructor(private readonly versions: CacheVersions) {}

  /** The integration for `hash`, looked up with `load` when this instance does not know it. */
  async integrationFor(
    hash: string,
    load: () => Promise<Integration | null>,
  ): Promise<Integration | null> {
    const version = await this.currentVersion();
    if (version === null) return load(); // no version row: nothing could invalidate a cache
    const known = this.byHash.sync(version) ? this.byHash.get(hash) : undefined;
    if (known) return known;
    // Read after the version: at least as new as it. Kept only if no newer version was seen
    // meanwhile (then this answer may predate the write that moved it).
    const integration = await load();
    if (integration) this.byHash.set(version, hash, integration);
    return integration;
  }

  private async currentVersion(): Promise<number | null> {
    return (await this.versions.current(API_KEYS_VERSION_ID)) ?? null;
  }
}
