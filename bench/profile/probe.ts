/**
 * Preloaded into the server under study (`node -r dist/bench/profile/probe.js …`, with an IPC
 * channel). Between a `start` and a `stop` message it records:
 *  - a V8 CPU profile (the inspector's Profiler, the same sampler as `--cpu-prof`), written to
 *    the file named in `stop`;
 *  - event-loop delay (perf_hooks.monitorEventLoopDelay) and event-loop utilisation;
 *  - every SQLite statement run through better-sqlite3: count and time inside SQLite per SQL
 *    text, statements prepared (statement-cache misses), and the slowest single executions;
 *  - the WAL: frames (pages) appended, and every checkpoint (seen in the shared-memory WAL
 *    index after each commit: nBackfill grows) with the time of the commit that ran it;
 *  - garbage collections (count, total and longest pause).
 * It answers `stop` with those figures. It changes nothing else in the server.
 */
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';

interface StatementStats {
  count: number;
  /** Milliseconds inside the native call. */
  ms: number;
  prepared: number;
}

interface Slow {
  at: number;
  ms: number;
  sql: string;
}

const SLOW_MS = 5;
let recording = false;
let started = 0;
let statements = new Map<string, StatementStats>();
let slow: Slow[] = [];
let gc = {
  count: 0,
  ms: 0,
  longestMs: 0,
  pauses: [] as { at: number; ms: number; kind: number }[],
};
let wal = {
  frames: 0,
  checkpoints: [] as { at: number; ms: number; frames: number; sql: string }[],
};
/** The WAL index (the -shm file): mxFrame at byte 16, nBackfill at byte 96 (little-endian). */
let shm: { fd: number; mxFrame: number; nBackfill: number } | undefined;
const shmHeader = Buffer.alloc(100);
const delay = monitorEventLoopDelay({ resolution: 1 });
let elu = performance.eventLoopUtilization();
const session = new inspector.Session();
session.connect();
const post = <T = unknown>(method: string, params?: object) =>
  new Promise<T>((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))),
  );

function stats(sql: string): StatementStats {
  let entry = statements.get(sql);
  if (!entry) statements.set(sql, (entry = { count: 0, ms: 0, prepared: 0 }));
  return entry;
}

/** After a commit: frames appended to the WAL, and whether that commit ran a checkpoint. */
function afterCommit(file: string, at: number, ms: number, sql: string): void {
  try {
    shm ??= { fd: fs.openSync(`${file}-shm`, 'r'), mxFrame: 0, nBackfill: 0 };
    fs.readSync(shm.fd, shmHeader, 0, 100, 0);
  } catch {
    return;
  }
  const mxFrame = shmHeader.readUInt32LE(16);
  const nBackfill = shmHeader.readUInt32LE(96);
  // A smaller mxFrame: the WAL was restarted from its beginning after a complete checkpoint.
  wal.frames += mxFrame >= shm.mxFrame ? mxFrame - shm.mxFrame : mxFrame;
  if (nBackfill > shm.nBackfill)
    wal.checkpoints.push({
      at,
      ms: Math.round(ms * 10) / 10,
      frames: nBackfill - shm.nBackfill,
      sql: sql.slice(0, 40),
    });
  shm.mxFrame = mxFrame;
  shm.nBackfill = nBackfill;
}

/** Wraps better-sqlite3 (the server's own copy, resolved from its working directory). */
function instrumentSqlite(): void {
  let Database: { prototype: { prepare(sql: string): object } };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Database = require(require.resolve('better-sqlite3', { paths: [process.cwd()] }));
  } catch {
    return;
  }
  const prepare = Database.prototype.prepare;
  let patched = false;
  Database.prototype.prepare = function (this: unknown, sql: string) {
    const statement = prepare.call(this, sql) as Record<string, (...args: unknown[]) => unknown> & {
      source: string;
    };
    if (recording) stats(sql).prepared++;
    if (!patched) {
      patched = true;
      const proto = Object.getPrototypeOf(statement) as Record<
        string,
        (...args: unknown[]) => unknown
      >;
      for (const method of ['run', 'get', 'all']) {
        const original = proto[method];
        proto[method] = function (
          this: { source: string; database: { inTransaction: boolean; name: string } },
          ...args: unknown[]
        ) {
          if (!recording) return original.apply(this, args);
          const t0 = performance.now();
          try {
            return original.apply(this, args);
          } finally {
            const ms = performance.now() - t0;
            const entry = stats(this.source);
            entry.count++;
            entry.ms += ms;
            const at = Math.round(t0 - started);
            if (ms >= SLOW_MS)
              slow.push({ at, ms: Math.round(ms * 10) / 10, sql: this.source.slice(0, 80) });
            if (method === 'run' && !this.database.inTransaction)
              afterCommit(this.database.name, at, ms, this.source);
          }
        };
      }
    }
    return statement;
  };
}

new PerformanceObserver((list) => {
  if (!recording) return;
  for (const entry of list.getEntries()) {
    gc.count++;
    gc.ms += entry.duration;
    gc.longestMs = Math.max(gc.longestMs, entry.duration);
    const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
    if (entry.duration >= SLOW_MS)
      gc.pauses.push({
        at: Math.round(entry.startTime - started),
        ms: Math.round(entry.duration * 10) / 10,
        kind,
      });
  }
}).observe({ entryTypes: ['gc'] });

async function start(intervalUs: number): Promise<void> {
  statements = new Map();
  slow = [];
  gc = { count: 0, ms: 0, longestMs: 0, pauses: [] };
  wal = { frames: 0, checkpoints: [] };
  if (shm) {
    fs.readSync(shm.fd, shmHeader, 0, 100, 0);
    shm.mxFrame = shmHeader.readUInt32LE(16);
    shm.nBackfill = shmHeader.readUInt32LE(96);
  }
  delay.reset();
  delay.enable();
  elu = performance.eventLoopUtilization();
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: intervalUs });
  await post('Profiler.start');
  started = performance.now();
  recording = true;
}

/**
 * Statements grouped with their numbers blanked out: TypeORM's SQLite driver writes number
 * parameters into the SQL text, so one INSERT has as many texts (and prepares) as amounts.
 */
function normalized() {
  const groups = new Map<string, StatementStats & { variants: number }>();
  for (const [sql, s] of statements) {
    const key = sql
      .replace(/\s+/g, ' ')
      .replace(/([\s(,=])-?\d+(\.\d+)?(?=[\s,)]|$)/g, '$1#')
      .slice(0, 160);
    const group = groups.get(key) ?? { count: 0, ms: 0, prepared: 0, variants: 0 };
    group.count += s.count;
    group.ms += s.ms;
    group.prepared += s.prepared;
    group.variants++;
    groups.set(key, group);
  }
  return [...groups.entries()]
    .map(([sql, g]) => ({ sql, ...g, ms: Math.round(g.ms * 100) / 100 }))
    .sort((a, b) => b.count - a.count);
}

async function stop(profileFile: string): Promise<object> {
  recording = false;
  const { profile } = await post<{ profile: object }>('Profiler.stop');
  fs.writeFileSync(profileFile, JSON.stringify(profile));
  delay.disable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  return {
    seconds: Math.round(performance.now() - started) / 1000,
    eventLoopUtilization:
      Math.round(performance.eventLoopUtilization(elu).utilization * 1000) / 1000,
    eventLoopDelayMs: {
      p50: ms(delay.percentile(50)),
      p90: ms(delay.percentile(90)),
      p99: ms(delay.percentile(99)),
      max: ms(delay.max),
      mean: ms(delay.mean),
    },
    statements: normalized(),
    wal,
    slowStatements: slow,
    gc: {
      count: gc.count,
      ms: Math.round(gc.ms),
      longestMs: Math.round(gc.longestMs * 10) / 10,
      pauses: gc.pauses,
    },
  };
}

if (process.send) {
  instrumentSqlite();
  process.on('message', (message: { type: string; file?: string; intervalUs?: number }) => {
    if (message.type === 'start')
      void start(message.intervalUs ?? 500).then(() => process.send!({ type: 'started' }));
    if (message.type === 'stop')
      void stop(message.file!).then((result) => process.send!({ type: 'stopped', result }));
  });
}
