import { storage, Store } from 'nestjs-pino/storage';
import type { RowStatements } from '../database/statements/row-statements';
import { CacheVersions, forgetRequestVersions } from './cache-versions';
import {
  API_KEYS_VERSION_ID,
  ENDPOINTS_VERSION_ID,
  RULES_VERSION_ID,
} from './routing-version.entity';

/** A version table in memory that counts the statements reading it. */
function versionTable(initial: Record<string, number>) {
  const table = new Map(Object.entries(initial));
  const reads: string[][] = [];
  let failNext = false;
  const rows = {
    async valuesById(_entity: unknown, ids: readonly string[]) {
      reads.push([...ids]);
      if (failNext) {
        failNext = false;
        throw new Error('connection lost');
      }
      return new Map([...table].filter(([id]) => ids.includes(id)));
    },
  } as unknown as RowStatements;
  return { table, reads, rows, failOnce: () => (failNext = true) };
}

const inRequest = <T>(work: () => Promise<T>): Promise<T> => storage.run({} as Store, work);

describe('CacheVersions', () => {
  it('reads every version row in one statement, once per request', async () => {
    const db = versionTable({
      [API_KEYS_VERSION_ID]: 3,
      [RULES_VERSION_ID]: 9,
      [ENDPOINTS_VERSION_ID]: 2,
    });
    const versions = new CacheVersions(db.rows);
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
    const versions = new CacheVersions(db.rows);
    expect(await inRequest(() => versions.current(API_KEYS_VERSION_ID))).toBe(3);
    db.table.set(API_KEYS_VERSION_ID, 4);
    expect(await inRequest(() => versions.current(API_KEYS_VERSION_ID))).toBe(4);
    expect(db.reads).toHaveLength(2);
  });

  it('reads once for the requests that ask in the same turn of the event loop', async () => {
    const db = versionTable({ [API_KEYS_VERSION_ID]: 3, [RULES_VERSION_ID]: 9 });
    const versions = new CacheVersions(db.rows);
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
      async valuesById(...args: Parameters<RowStatements['valuesById']>) {
        const result = (db.rows.valuesById as (...a: unknown[]) => unknown)(...args);
        sent();
        await new Promise((resolve) => setTimeout(resolve, 20)); // the answer is on its way
        return result;
      },
    } as unknown as RowStatements;
    const versions = new CacheVersions(slow);
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
    const versions = new CacheVersions(db.rows);
    expect(await versions.current(RULES_VERSION_ID)).toBe(1);
    db.table.set(RULES_VERSION_ID, 2);
    expect(await versions.current(RULES_VERSION_ID)).toBe(2);
    expect(await versions.current(API_KEYS_VERSION_ID)).toBeUndefined();
    expect(db.reads).toHaveLength(3);
  });

  it('reads again after a bump made by the same request', async () => {
    const db = versionTable({ [RULES_VERSION_ID]: 1 });
    const versions = new CacheVersions(db.rows);
    const seen = await inRequest(async () => {
      const before = await versions.current(RULES_VERSION_ID);
      db.table.set(RULES_VERSION_ID, 2);
      forgetRequestVersions(); // what bumpRoutingVersion does
      return [before, await versions.current(RULES_VERSION_ID)];
    });
    expect(seen).toEqual([1, 2]);
  });

  it('keeps no failed reading: the next call in the request reads again', async () => {
    const db = versionTable({ [API_KEYS_VERSION_ID]: 5 });
    const versions = new CacheVersions(db.rows);
    db.failOnce();
    const seen = await inRequest(async () => {
      await expect(versions.current(API_KEYS_VERSION_ID)).rejects.toThrow('connection lost');
      return versions.current(API_KEYS_VERSION_ID);
    });
    expect(seen).toBe(5);
    expect(db.reads).toHaveLength(2);
  });
});
