import { TransactionService } from '../../src/database/transaction.service';
import { afterCommit } from '../../src/metrics/after-commit';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { Dialect, serviceUrl } from '../support/services';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * A genuine deadlock on a real server database: two transactions lock two rows in opposite
 * order, the database aborts one of them, and TransactionService runs the victim again so
 * both commit. Work queued with afterCommit happens once per committed transaction.
 */
const dialects = (['mysql', 'postgres'] as Dialect[]).filter((d) =>
  serviceUrl(d as 'mysql' | 'postgres'),
);
const describeEach =
  dialects.length > 0 ? describe.each(dialects) : describe.skip.each([['none' as Dialect]]);

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describeEach('transactions that deadlock on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;
  let tx: TransactionService;
  const q = (name: string) => server.dataSource.driver.escape(name);

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({ database });
    tx = server.server.app.get(TransactionService, { strict: false });
    await server.dataSource.query(
      `CREATE TABLE ${q('deadlock_probe')} (${q('id')} INT PRIMARY KEY, ${q('n')} INT NOT NULL)`,
    );
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('aborts one of two opposite-order transactions and reruns it until both commit', async () => {
    await server.dataSource.query(`DELETE FROM ${q('deadlock_probe')}`);
    await server.dataSource.query(`INSERT INTO ${q('deadlock_probe')} VALUES (1, 0), (2, 0)`);
    const bump = (id: number) =>
      `UPDATE ${q('deadlock_probe')} SET ${q('n')} = ${q('n')} + 1 WHERE ${q('id')} = ${id}`;
    const aHolds = deferred();
    const bHolds = deferred();
    const runs = { a: 0, b: 0 };
    const committed: string[] = [];

    const transfer = (name: 'a' | 'b', first: number, second: number) =>
      tx.run(async (m) => {
        runs[name]++;
        await m.query(bump(first));
        if (runs[name] === 1) {
          // Only the first run waits for the other to hold its row: that makes the deadlock.
          (name === 'a' ? aHolds : bHolds).resolve();
          await (name === 'a' ? bHolds : aHolds).promise;
        }
        await m.query(bump(second));
        afterCommit(m, () => committed.push(name));
        return name;
      });

    const results = await Promise.all([transfer('a', 1, 2), transfer('b', 2, 1)]);

    expect(results).toEqual(['a', 'b']);
    // One of them was the deadlock victim and ran again; the other ran once.
    expect([runs.a, runs.b].sort()).toEqual([1, 2]);
    expect(committed.sort()).toEqual(['a', 'b']);
    const rows = await server.dataSource.query(
      `SELECT ${q('id')} AS id, ${q('n')} AS n FROM ${q('deadlock_probe')} ORDER BY ${q('id')}`,
    );
    expect(rows.map((r: { n: unknown }) => Number(r.n))).toEqual([2, 2]);
  });
});
