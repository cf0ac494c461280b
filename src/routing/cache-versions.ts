import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { currentRequestContext } from '../common/logging/http-logger';
import { RowStatements } from '../database/statements/row-statements';
import {
  API_KEYS_VERSION_ID,
  ENDPOINTS_VERSION_ID,
  RoutingVersion,
  RULES_VERSION_ID,
} from './routing-version.entity';

const VERSION_IDS = [API_KEYS_VERSION_ID, RULES_VERSION_ID, ENDPOINTS_VERSION_ID] as const;
type VersionId = (typeof VERSION_IDS)[number];

/** Each HTTP request's reading of the version rows, by the request's context. */
const readings = new WeakMap<object, Promise<Map<string, number>>>();

/**
 * Bumps begun or finished through each data source (this instance's connection): a reading kept
 * on SQLite that is older than one of them is stale.
 */
const bumps = new WeakMap<object, number>();

/**
 * Called by every bump, before and after its write: drops the current request's reading (a
 * request that bumps a version reads it again afterwards; shop requests, which read the
 * versions, never bump one) and the reading kept on SQLite for `dataSource`.
 */
export function forgetRequestVersions(dataSource: object): void {
  bumps.set(dataSource, (bumps.get(dataSource) ?? 0) + 1);
  const context = currentRequestContext();
  if (context) readings.delete(context);
}

/**
 * The version rows the in-memory caches check (API keys, routing state, endpoint subscriptions),
 * read together: one statement per request instead of one per cache, and one for all the
 * requests that ask before it is sent. The first cache to ask in an HTTP request joins the next reading (sent once the
 * event loop has taken in the requests that arrived with it); the others in the same request
 * reuse it. Every reading is sent after each request that uses it arrived, so it is as new as a
 * read of their own would have been at that moment. Outside requests (jobs, start-up) every
 * call reads.
 *
 * On SQLite a reading is kept and handed out again, without a statement, while nothing can have
 * changed the rows since: no other connection committed (`PRAGMA data_version`, which also sees
 * other instances on the same file) and this instance began no bump. That read costs a create
 * arriving alone ~74 µs inside SQLite (docs/benchmarks.md), the check a few; a reading taken
 * while a transaction is open (which would see its uncommitted writes) is never kept.
 */
@Injectable()
export class CacheVersions {
  /** The reading that requests join until it is sent. */
  private next?: Promise<Map<string, number>>;
  /** SQLite: the last reading taken outside a transaction, and what it was taken after. */
  private kept?: { dataVersion: number; bumps: number; values: Map<string, number> };

  constructor(
    private readonly rows: RowStatements,
    /** The instance's data source, whose bumps drop the kept reading. */
    @InjectDataSource() private readonly dataSource: object,
  ) {}

  /** The version of `id` as this request sees it; undefined when its row is missing. */
  async current(id: VersionId): Promise<number | undefined> {
    const context = currentRequestContext();
    if (!context) return (await this.read()).get(id);
    let reading = readings.get(context);
    if (!reading) {
      reading = this.shared();
      readings.set(context, reading);
      reading.catch(() => readings.delete(context));
    }
    return (await reading).get(id);
  }

  /** The reading not sent yet, or a new one, sent after the requests of this turn. */
  private shared(): Promise<Map<string, number>> {
    this.next ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.next = undefined; // sent from here on: later requests wait for the next one
      return this.read();
    });
    return this.next;
  }

  private read(): Promise<Map<string, number>> {
    const dataVersion = this.rows.foreignCommits();
    const bumped = bumps.get(this.dataSource) ?? 0;
    const kept = this.kept;
    if (
      kept &&
      dataVersion !== undefined &&
      kept.dataVersion === dataVersion &&
      kept.bumps === bumped
    )
      return Promise.resolve(kept.values);
    this.kept = undefined;
    const reading = this.rows.valuesById(RoutingVersion, VERSION_IDS, 'version');
    if (dataVersion === undefined) return reading;
    return reading.then((values) => {
      // Older than a bump or a foreign commit since (dataVersion was read first): never used.
      this.kept = { dataVersion, bumps: bumped, values };
      return values;
    });
  }
}
