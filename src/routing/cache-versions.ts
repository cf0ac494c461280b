import { Injectable } from '@nestjs/common';
import { currentRequestContext } from '../common/logging/http-logger';
import { RowStatements } from '../database/statements/row-statements';
import { API_KEYS_VERSION_ID, RoutingVersion, RULES_VERSION_ID } from './routing-version.entity';

const VERSION_IDS = [API_KEYS_VERSION_ID, RULES_VERSION_ID] as const;
type VersionId = (typeof VERSION_IDS)[number];

/** Each HTTP request's reading of the version rows, by the request's context. */
const readings = new WeakMap<object, Promise<Map<string, number>>>();

/**
 * Drops the current request's reading: a request that bumps a version reads it again afterwards
 * (called by every bump; shop requests, which read the versions, never bump one).
 */
export function forgetRequestVersions(): void {
  const context = currentRequestContext();
  if (context) readings.delete(context);
}

/**
 * The version rows the in-memory caches check (API keys, routing state), read together: one
 * statement per request instead of one per cache. The first cache to ask in an HTTP request
 * reads them all; the others in the same request reuse that reading, which was made after the
 * request arrived and so is as new as a read of their own would have been at that moment.
 * Outside requests (jobs, start-up) every call reads.
 */
@Injectable()
export class CacheVersions {
  constructor(private readonly rows: RowStatements) {}

  /** The version of `id` as this request sees it; undefined when its row is missing. */
  async current(id: VersionId): Promise<number | undefined> {
    const context = currentRequestContext();
    if (!context) return (await this.read()).get(id);
    let reading = readings.get(context);
    if (!reading) {
      reading = this.read();
      readings.set(context, reading);
      reading.catch(() => readings.delete(context));
    }
    return (await reading).get(id);
  }

  private read(): Promise<Map<string, number>> {
    return this.rows.valuesById(RoutingVersion, VERSION_IDS, 'version');
  }
}
