import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { WalCheckpointer } from './wal-checkpointer';

describe('WalCheckpointer', () => {
  let dir: string;
  let file: string;
  let db: Database.Database;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wal-checkpointer-'));
    file = path.join(dir, 'db.sqlite');
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  });

  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const walSize = () => fs.statSync(`${file}-wal`).size;
  const until = async (condition: () => boolean) => {
    const deadline = Date.now() + 5000;
    while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return condition();
  };

  it('copies the WAL into the database and truncates it once writes stop', async () => {
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    for (let i = 0; i < 500; i++) insert.run('x'.repeat(200));
    expect(walSize()).toBeGreaterThan(0);

    const checkpointer = new WalCheckpointer(file, 20);
    checkpointer.onModuleInit();
    expect(await until(() => walSize() === 0)).toBe(true);
    await checkpointer.onApplicationShutdown();

    // A reader on a fresh connection, without the WAL, sees every row in the database file.
    db.close();
    fs.rmSync(`${file}-wal`, { force: true });
    db = new Database(file, { readonly: true });
    expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(500);
  });

  it('keeps the WAL bounded while the main connection keeps writing', async () => {
    const checkpointer = new WalCheckpointer(file, 20);
    checkpointer.onModuleInit();
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    let pages = 0;
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 50; i++) insert.run('y'.repeat(500));
      await new Promise((r) => setTimeout(r, 25));
      pages = Math.max(pages, walSize() / 4096);
    }
    await checkpointer.onApplicationShutdown();
    // 30 rounds write ~1,500 pages; the WAL is reused after each checkpoint instead.
    expect(pages).toBeLessThan(600);
  });

  it('restarts the WAL under writes that never pause, instead of letting it grow without end', async () => {
    const restartFrames = 400;
    const checkpointer = new WalCheckpointer(file, 20, restartFrames);
    checkpointer.onModuleInit();
    await new Promise((r) => setTimeout(r, 300)); // the worker thread has started and ticked
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    let rows = 0;
    let largest = 0;
    const stop = Date.now() + 1500;
    // Commits keep coming while each checkpoint runs (the worker is another thread), as under
    // steady load: PASSIVE alone never finds the WAL fully copied, so it never starts over.
    // ~10 rows a millisecond: a few hundred frames per 20 ms tick.
    while (Date.now() < stop) {
      for (let i = 0; i < 10; i++, rows++) insert.run('z'.repeat(500));
      largest = Math.max(largest, walSize() / 4096);
      await new Promise((r) => setTimeout(r, 1));
    }
    await checkpointer.onApplicationShutdown();
    expect(rows).toBeGreaterThan(restartFrames * 10);
    expect(largest).toBeLessThan(restartFrames * 4);
    expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(rows);
  });
});
