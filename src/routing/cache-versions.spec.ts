import { storage, Store } from 'nestjs-pino/storage';
import type { RowStatements } from '../database/statements/row-statements';
import { CacheVersions, forgetRequestVersions } from './cache-versions';
import {
  API_KEYS_VERSION_ID,
  ENDPOINTS_VERSION_ID,
  RULES_VERSION_ID,
} from './routing-version.entity';

/**
 * A version table in memory that counts the statements reading it. With `sqlite`, it reports a
 * data version (SQLite's `PRAGMA data_version`) that `foreignCommit` moves and `openTransaction`
 * hides, as SQLite does.
 */
function versionTable(initial: Record<string, number>, sqlite = false) {
  const table = new Map(Object.entries(initial));
  const reads: string[][] = [];
  let failNext = false;
  let dataVersion = 1;
  let inTransaction = false;
  const rows = {
    foreignCommits: () => (sqlite && !inTransaction ? dataVersion : undefined),
    async valuesById(_entity: unknown, ids: readonly string[]) {
      reads.push([...ids]);
      if (failNext) {
        failNext = false;
        throw new Error('connection lost');
      }
      return new Map([...table].filter(([id]) => ids.includes(id)));
    },
  } as unknown as RowStatements;
  return {
    table,
    reads,
    rows,
    failOnce: () => (failNext = true),
    /** Another connection (another instance on the file) writes a version. */
    foreignCommit: (id: string, version: number) => {
      table.set(id, version);
      dataVersion++;
    },
    transaction: (open: boolean) => (inTransaction = open),
  };
}

/** Stands for the instance's data source, whose bumps the versions count. */
const DATA_SOURCE = {};

const inRequest = <T>(work: () => Promise<T>): Promise<T> => storage.run({} as Store, work);

describe('CacheVersions', () => {
  it('reads every version row in one statement, once per request', async () => {
    const db = versionTable({
      [API_KEYS_VERSION_ID]: 3,
      [RULES_VERSION_ID]: 9,
      [ENDPOINTS_VERSION_ID]: 2,
    });
    const versions = new CacheVersions(db.rows, DATA_SOURCE);
    const seen = await inRequest(async () => [
      await versions.current(API_KEYS_VERSION_ID),
      await versions.current(RULES_VERSION_ID),
      await versions.current(ENDPOINTS_VERSION_ID),
    ]);
    expect(seen).toEqual([3, 9, 2]);
    expect(db.reads).toEqual([[API_KEYS_VERSION_ID, RULES_VERSION_ID, ENDPOINTS_VERSION_ID]]);
  });

  it('reads again for the next request, so a bump in between is seen', async () => {
    const db = versionTable({ [API_KEYS_VERSION_ID]: 3, [RULES_VERSION_ID]: 9 });
    const versions = new CacheVersions(db.rows, DATA_SOURCE);
    expect(await inRequest(() => versions.current(API_KEYS_VERSION_ID))).toBe(3);
    db.table.set(API_KEYS_VERSION_ID, 4);
    expect(await inRequest(() => versions.current(API_KEYS_VERSION_ID))).toBe(4);
    expect(db.reads).toHaveLength(2);
  });

  it('reads once for the requests that ask in the same turn of the event loop', async () => {
    const db = versionTable({ [API_KEYS_VERSION_ID]: 3, [RULES_VERSION_ID]: 9 });
    const versions = new CacheVersions(db.rows, DATA_SOURCE);
    const seen = await Promise.all(
      [1, 2, 3].map(() =>
        inRequest(async () => [
          await versions.current(API_KEYS_VERSION_ID),
          await versions.current(RULES_VERSION_ID),
        ]),
      ),
    );
    expect(seen).toEqual([
      [3, 9],
      [3, 9],
      [3, 9],
    ]);
    expect(db.reads).toHaveLength(1);
  });

  it('never hands a request a reading sent before it arrived', async () => {
    const db = versionTable({ [API_KEYS_VERSION_ID]: 3 });
    let sent!: () => void;
    const reading = new Promise<void>((resolve) => (sent = resolve));
    const slow = {
      foreignCommits: () => undefined,
      async valuesById(...args: Parameters<RowStatements['valuesById']>) {
        const result = (db.rows.valuesById as (...a: unknown[]) => unknown)(...args);
        sent();
        await new Promise((resolve) => setTimeout(resolve, 20)); // the answer is on its way
        return result;
      },
    } as unknown as RowStatements;
    const versions = new CacheVersions(slow, DATA_SOURCE);
    const first = inRequest(() => versions.current(API_KEYS_VERSION_ID));
    await reading;
    // The key is revoked (the version bumped) while the first reading is on the wire.
    db.table.set(API_KEYS_VERSION_ID, 4);
    const second = inRequest(() => versions.current(API_KEYS_VERSION_ID));
    expect(await first).toBe(3);
    expect(await second).toBe(4);
    expect(db.reads).toHaveLength(2);
  });

  it('reads on every call outside a request (jobs)', async () => {
    const db = versionTable({ [RULES_VERSION_ID]: 1 });
    const versions = new CacheVersions(db.rows, DATA_SOURCE);
    expect(await versions.current(RULES_VERSION_ID)).toBe(1);
    db.table.set(RULES_VERSION_ID, 2);
    expect(await versions.current(RULES_VERSION_ID)).toBe(2);
    expect(await versions.current(API_KEYS_VERSION_ID)).toBeUndefined();
    expect(db.reads).toHaveLength(3);
  });

  it('reads again after a bump made by the same request', async () => {
    const db = versionTable({ [RULES_VERSION_ID]: 1 });
    const versions = new CacheVersions(db.rows, DATA_SOURCE);
    const seen = await inRequest(async () => {
      const before = await versions.current(RULES_VERSION_ID);
      db.table.set(RULES_VERSION_ID, 2);
      forgetRequestVersions(DATA_SOURCE); // what bumpRoutingVersion does
      return [before, await versions.current(RULES_VERSION_ID)];
    });
    expect(seen).toEqual([1, 2]);
  });

  it('keeps no failed reading: the next call in the request reads again', async () => {
    const db = versionTable({ [API_KEYS_VERSION_ID]: 5 });
    const versions = new CacheVersions(db.rows, DATA_SOURCE);
    db.failOnce();
    const seen = await inRequest(async () => {
      await expect(versions.current(API_KEYS_VERSION_ID)).rejects.toThrow('connection lost');
      return versions.current(API_KEYS_VERSION_ID);
    });
    expect(seen).toBe(5);
    expect(db.reads).toHaveLength(2);
  });

  describe('on SQLite, a reading kept between requests', () => {
    it('is handed out again while no connection wrote: no statement', async () => {
      const db = versionTable({ [API_KEYS_VERSION_ID]: 3, [RULES_VERSION_ID]: 9 }, true);
      const versions = new CacheVersions(db.rows, DATA_SOURCE);
      for (let i = 0; i < 3; i++)
        expect(await inRequest(() => versions.current(RULES_VERSION_ID))).toBe(9);
      expect(await versions.current(API_KEYS_VERSION_ID)).toBe(3); // a job, outside requests
      expect(db.reads).toHaveLength(1);
    });

    it('is dropped when another connection commits (another instance on the file)', async () => {
      const db = versionTable({ [API_KEYS_VERSION_ID]: 3 }, true);
      const versions = new CacheVersions(db.rows, DATA_SOURCE);
      expect(await inRequest(() => versions.current(API_KEYS_VERSION_ID))).toBe(3);
      db.foreignCommit(API_KEYS_VERSION_ID, 4); // a key revoked on the other instance
      expect(await inRequest(() => versions.current(API_KEYS_VERSION_ID))).toBe(4);
      expect(db.reads).toHaveLength(2);
    });

    it('is dropped by a bump of this process, before and after its write', async () => {
      const db = versionTable({ [RULES_VERSION_ID]: 1 }, true);
      const versions = new CacheVersions(db.rows, DATA_SOURCE);
      expect(await inRequest(() => versions.current(RULES_VERSION_ID))).toBe(1);
      forgetRequestVersions(DATA_SOURCE); // bumpVersion, before its UPDATE…
      // …a request reads while the UPDATE is on its way (it still sees 1)…
      expect(await inRequest(() => versions.current(RULES_VERSION_ID))).toBe(1);
      db.table.set(RULES_VERSION_ID, 2);
      forgetRequestVersions(DATA_SOURCE); // …and after it: that reading is not used again
      expect(await inRequest(() => versions.current(RULES_VERSION_ID))).toBe(2);
      expect(db.reads).toHaveLength(3);
    });

    it('is never taken inside an open transaction, which may yet roll back', async () => {
      const db = versionTable({ [RULES_VERSION_ID]: 1 }, true);
      const versions = new CacheVersions(db.rows, DATA_SOURCE);
      db.transaction(true);
      forgetRequestVersions(DATA_SOURCE);
      db.table.set(RULES_VERSION_ID, 2); // the transaction's own, uncommitted bump
      expect(await inRequest(() => versions.current(RULES_VERSION_ID))).toBe(2);
      db.table.set(RULES_VERSION_ID, 1); // rolled back
      db.transaction(false);
      expect(await inRequest(() => versions.current(RULES_VERSION_ID))).toBe(1);
      expect(await inRequest(() => versions.current(RULES_VERSION_ID))).toBe(1);
      expect(db.reads).toHaveLength(2);
    });

    it('keeps no failed reading', async () => {
      const db = versionTable({ [API_KEYS_VERSION_ID]: 5 }, true);
      const versions = new CacheVersions(db.rows, DATA_SOURCE);
      db.failOnce();
      await expect(inRequest(() => versions.current(API_KEYS_VERSION_ID))).rejects.toThrow(
        'connection lost',
      );
      expect(await inRequest(() => versions.current(API_KEYS_VERSION_ID))).toBe(5);
      expect(await inRequest(() => versions.current(API_KEYS_VERSION_ID))).toBe(5);
      expect(db.reads).toHaveLength(2);
    });
  });
});
