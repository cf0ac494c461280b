/**
 * Is a change faster? `npm run bench:ab -- <git ref>` builds <ref> in a temporary git worktree,
 * then measures create-payment on it (A) and on this checkout's build (B) in turns, A B A B…:
 * each run a fresh server on a fresh database, warmed up, then BENCH_SECONDS of closed-loop load
 * at BENCH_CONNECTIONS. It prints every run (creates/s, server CPU per create, peak RSS) and B's
 * median throughput and CPU per create as a share of A's.
 *
 * Why: the host's speed changes from one `npm run bench` to the next (docs/benchmarks.md, up to
 * ±20 % within an afternoon, and not equally for every server), so two builds are compared
 * only within one session, interleaved, never across runs.
 *
 * With BENCH_AB_RATE, each run then also measures the tail: that many creates per second in an
 * open loop, and one create at a time (both BENCH_SECONDS).
 *
 *   npm run bench:ab -- 00ce7dc
 *   BENCH_AB_ROUNDS=3 BENCH_SECONDS=20 BENCH_DB=postgres npm run bench:ab -- main~3
 *   BENCH_AB_RATE=900 npm run bench:ab -- main~1
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { closedLoop, warmUp } from '../support/closed-loop';
import { fixedRate, sequential } from '../support/http-load';
import { freshDatabase } from '../support/databases';
import { describeMachine, machine } from '../support/machine';
import { BenchOptions, parseOptions } from '../support/options';
import { JSON_HEADERS, paymentBody } from '../support/payment-body';
import { API_KEY, ROOT, startPaymentServer } from '../support/targets';

export interface Build {
  label: string;
  /** A checkout of PaymentServer with its build in dist/ (or its sources, for a smoke run). */
  root: string;
}

export interface AbRun {
  build: string;
  round: number;
  perSecond: number;
  cpuMsPerCreate: number;
  mainThreadMsPerCreate: number;
  peakRssMb: number;
  ok: number;
  failed: number;
  /**
   * With an open-loop rate: p50/p99 at that rate, the main thread's CPU per create there and the
   * share of the time it was busy (near 100 % the p99 is a queue), and one create at a time (ms).
   */
  tail?: {
    rate: number;
    p50: number;
    p99: number;
    mainThreadMsPerCreate: number;
    mainThreadBusyPercent: number;
    sequentialP50: number;
    sequentialP99: number;
  };
}

export interface AbResult {
  runs: AbRun[];
  /** B's median throughput over A's, and B's median CPU per create over A's. */
  throughputRatio: number;
  cpuRatio: number;
  /** With an open-loop rate: B's median main-thread CPU per create at that rate over A's. */
  tailCpuRatio?: number;
}

const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10} %`;

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function measure(
  build: Build,
  round: number,
  options: BenchOptions,
  rate?: number,
): Promise<AbRun> {
  const db = await freshDatabase(options.dialect, options.serverUrl, `ab_${round}`);
  const { server, baseUrl } = await startPaymentServer(db, {
    fromSource: options.smoke,
    root: build.root,
  });
  try {
    const load = {
      url: `${baseUrl}/api/v1/payments`,
      headers: { ...JSON_HEADERS, 'x-api-key': API_KEY },
      expectStatus: 201,
      connections: options.connections,
    };
    // Each run its own payment references: one run's warm-up is not another's load.
    const base = round * 10_000_000;
    await warmUp(
      { ...load, body: (i) => paymentBody(base + 5_000_000 + i) },
      {
        requests: options.warmupRequests,
        minSeconds: options.warmupSeconds,
        maxSeconds: options.smoke ? 1 : 60,
      },
    );
    const before = server.cpu();
    const result = await closedLoop({
      ...load,
      seconds: options.seconds,
      body: (i) => paymentBody(base + i),
    });
    const after = server.cpu();
    const per = (seconds: number) =>
      result.ok > 0 ? Math.round((seconds * 1e6) / result.ok) / 1000 : NaN;
    let tail: AbRun['tail'];
    let tailFailed = 0;
    if (rate) {
      const one = { url: load.url, headers: load.headers, expectStatus: load.expectStatus };
      const openStart = server.cpu();
      const openedAt = process.hrtime.bigint();
      const open = await fixedRate({
        ...one,
        rate,
        seconds: options.seconds,
        body: (i) => paymentBody(base + 3_000_000 + i),
      });
      const openSeconds = Number(process.hrtime.bigint() - openedAt) / 1e9;
      const openMainThread = server.cpu().mainThread - openStart.mainThread;
      const alone = await sequential({
        ...one,
        seconds: options.seconds,
        body: (i) => paymentBody(base + 4_000_000 + i),
      });
      tailFailed = open.failed + alone.failed;
      tail = {
        rate,
        p50: open.p50,
        p99: open.p99,
        mainThreadMsPerCreate:
          open.ok > 0 ? Math.round((openMainThread * 1e6) / open.ok) / 1000 : NaN,
        mainThreadBusyPercent: Math.round((openMainThread * 100) / openSeconds),
        sequentialP50: alone.p50,
        sequentialP99: alone.p99,
      };
    }
    return {
      build: build.label,
      round,
      perSecond: Math.round(result.perSecond),
      cpuMsPerCreate: per(after.process - before.process),
      mainThreadMsPerCreate: per(after.mainThread - before.mainThread),
      peakRssMb: server.peakRssMb(),
      ok: result.ok,
      failed: result.failed + tailFailed,
      tail,
    };
  } finally {
    await server.stop();
    await db.drop();
  }
}

/** Runs A and B in turns, `rounds` times each. */
export async function compareBuilds(
  a: Build,
  b: Build,
  options: BenchOptions,
  rounds: number,
  log: (line: string) => void = console.log,
  rate?: number,
): Promise<AbResult> {
  const runs: AbRun[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [index, build] of [a, b].entries()) {
      const run = await measure(build, round * 2 + index, options, rate);
      runs.push(run);
      const tail = run.tail
        ? `; at ${run.tail.rate}/s p50 ${run.tail.p50} / p99 ${run.tail.p99} ms, main thread ${run.tail.mainThreadMsPerCreate} ms per create, ${run.tail.mainThreadBusyPercent} % busy; one at a time p50 ${run.tail.sequentialP50} / p99 ${run.tail.sequentialP99} ms`
        : '';
      log(
        `  ${build.label}: ${run.perSecond}/s, ${run.cpuMsPerCreate} ms CPU per create (main thread ${run.mainThreadMsPerCreate}), peak RSS ${run.peakRssMb} MB, ${run.failed} failed${tail}`,
      );
    }
  }
  const of = (label: string, pick: (run: AbRun) => number) =>
    median(runs.filter((run) => run.build === label).map(pick));
  return {
    runs,
    throughputRatio: of(b.label, (r) => r.perSecond) / of(a.label, (r) => r.perSecond),
    cpuRatio: of(b.label, (r) => r.cpuMsPerCreate) / of(a.label, (r) => r.cpuMsPerCreate),
    tailCpuRatio: rate
      ? of(b.label, (r) => r.tail!.mainThreadMsPerCreate) /
        of(a.label, (r) => r.tail!.mainThreadMsPerCreate)
      : undefined,
  };
}

/** `ref` checked out and built in a temporary worktree sharing this checkout's node_modules. */
function buildRef(ref: string): { root: string; remove: () => void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-ab-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, stdio: 'inherit' });
  git('worktree', 'add', '--detach', '--force', root, ref);
  const remove = () => {
    git('worktree', 'remove', '--force', root);
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
    execFileSync(path.join(ROOT, 'node_modules/.bin/nest'), ['build'], {
      cwd: root,
      stdio: 'inherit',
    });
  } catch (error) {
    remove();
    throw error;
  }
  return { root, remove };
}

async function main(): Promise<void> {
  const ref = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
  if (!ref) throw new Error('usage: npm run bench:ab -- <git ref to compare this checkout with>');
  const rounds = Number(process.env.BENCH_AB_ROUNDS ?? 2);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`BENCH_AB_ROUNDS must be a positive integer (got "${rounds}")`);
  const options = parseOptions([], { BENCH_SECONDS: '20', ...process.env });
  const rate = process.env.BENCH_AB_RATE ? Number(process.env.BENCH_AB_RATE) : undefined;
  if (rate !== undefined && !(Number.isInteger(rate) && rate > 0))
    throw new Error(
      `BENCH_AB_RATE must be a positive integer (got "${process.env.BENCH_AB_RATE}")`,
    );
  const other = buildRef(ref);
  try {
    console.log(
      `bench:ab on ${options.dialect}: A = ${ref}, B = this checkout; ${rounds} round${rounds === 1 ? '' : 's'} of ${options.seconds} s at ${options.connections} connections; ${describeMachine(machine())}`,
    );
    const result = await compareBuilds(
      { label: ref, root: other.root },
      { label: 'this checkout', root: ROOT },
      options,
      rounds,
      console.log,
      rate,
    );
    console.log(
      `B / A (medians): throughput ${percent(result.throughputRatio)}, CPU per create ${percent(result.cpuRatio)}` +
        (result.tailCpuRatio === undefined
          ? ''
          : `, main-thread CPU per create at ${rate}/s ${percent(result.tailCpuRatio)}`),
    );
  } finally {
    other.remove();
  }
}

if (require.main === module) {
  void main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
