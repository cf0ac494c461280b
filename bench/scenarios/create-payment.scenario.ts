/**
 * Create-payment on the three servers, one after the other on the same machine and database
 * kind: the raw limit, the NestJS floor and PaymentServer. Per server: a warm-up, the peak
 * (closed loop, `connections` clients), an open-loop run at half that peak rate, a sequential
 * run (one create at a time), the server's CPU time per create, and its peak RSS.
 */
import type { BenchOptions } from '../support/options';
import { closedLoop, warmUp } from '../support/closed-loop';
import { fixedRate, sequential } from '../support/http-load';
import type { LatencyStats } from '../support/latency';
import { freshDatabase, openDataSource } from '../support/databases';
import { API_KEY, startTarget, TargetName, TARGETS } from '../support/targets';
import { JSON_HEADERS, paymentBody } from '../support/payment-body';
import type { CpuTime, ServerProcess } from '../support/server-process';

export interface PhaseResult extends LatencyStats {
  ok: number;
  failed: number;
  /** The failed ones by status, `0` for no answer (open-loop and sequential phases). */
  failures?: Record<number, number>;
  perSecond: number;
}

export interface TargetResult {
  target: TargetName;
  label: string;
  peak: PhaseResult;
  halfRate: PhaseResult & { rate: number; generatorLateP99: number };
  sequential: PhaseResult;
  /**
   * Server CPU per create in ms, all threads / the main thread only. At half the peak rate it
   * shows how busy the server was while the tail was measured (older result files lack it).
   */
  cpuMsPerCreate: { peak: CpuTime; halfRate?: CpuTime; sequential: CpuTime };
  peakRssMb: number;
  /** Payments in the database afterwards (must equal the 201s answered). */
  paymentsStored: number;
  created: number;
}

export interface CreatePaymentResult {
  database: string;
  connections: number;
  seconds: number;
  targets: TargetResult[];
}

/** Runs `phase` and returns it with the server's CPU ms per successful request. */
async function measured<T extends { ok: number }>(
  server: ServerProcess,
  phase: () => Promise<T>,
): Promise<[T, CpuTime]> {
  const before = server.cpu();
  const result = await phase();
  const after = server.cpu();
  const per = (a: number, b: number) =>
    Math.round(((b - a) * 1000 * 100) / Math.max(1, result.ok)) / 100;
  return [
    result,
    {
      process: per(before.process, after.process),
      mainThread: per(before.mainThread, after.mainThread),
    },
  ];
}

const phase = (r: PhaseResult): PhaseResult => ({
  ok: r.ok,
  failed: r.failed,
  ...(r.failed > 0 && r.failures ? { failures: r.failures } : {}),
  perSecond: Math.round(r.perSecond),
  p50: r.p50,
  p90: r.p90,
  p99: r.p99,
  max: r.max,
});

export async function benchTarget(
  name: TargetName,
  label: string,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<TargetResult> {
  const db = await freshDatabase(options.dialect, options.serverUrl, name);
  try {
    const { server, baseUrl } = await startTarget(name, db, { fromSource: options.smoke });
    try {
      const url = `${baseUrl}/api/v1/payments`;
      const headers = { ...JSON_HEADERS, 'x-api-key': API_KEY };
      // Each phase numbers its requests apart, so every reference is unique in the database.
      const body = (offset: number) => (i: number) => paymentBody(offset + i);
      const load = { url, headers, expectStatus: 201 };
      const warmup = await warmUp(
        { ...load, connections: options.connections, body: body(9_000_000) },
        { requests: options.warmupRequests, minSeconds: options.warmupSeconds, maxSeconds: 60 },
      );
      const [peak, peakCpu] = await measured(server, () =>
        closedLoop({
          ...load,
          connections: options.connections,
          seconds: options.seconds,
          body: body(0),
        }),
      );
      log(`  ${label}: peak ${Math.round(peak.perSecond)}/s, p99 ${peak.p99} ms`);
      const rate = Math.max(1, Math.round(peak.perSecond / 2));
      const [half, halfCpu] = await measured(server, () =>
        fixedRate({ ...load, rate, seconds: options.seconds, body: body(1_000_000) }),
      );
      log(`  ${label}: at ${rate}/s p50 ${half.p50} ms, p99 ${half.p99} ms`);
      const [seq, seqCpu] = await measured(server, () =>
        sequential({ ...load, seconds: options.seconds, body: body(2_000_000) }),
      );
      log(`  ${label}: sequential p50 ${seq.p50} ms`);
      const peakRssMb = server.peakRssMb();
      await server.stop();
      const created = warmup + peak.ok + half.ok + seq.ok;
      return {
        target: name,
        label,
        peak: phase(peak),
        halfRate: { ...phase(half), rate, generatorLateP99: half.generatorLateP99 },
        sequential: phase(seq),
        cpuMsPerCreate: { peak: peakCpu, halfRate: halfCpu, sequential: seqCpu },
        peakRssMb,
        paymentsStored: await countPayments(db),
        created,
      };
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
}

async function countPayments(db: Awaited<ReturnType<typeof freshDatabase>>): Promise<number> {
  const dataSource = await openDataSource(db);
  try {
    const [{ n }] = await dataSource.query('SELECT COUNT(*) AS n FROM payments');
    return Number(n);
  } finally {
    await dataSource.destroy();
  }
}

export async function runCreatePayment(
  options: BenchOptions,
  log: (line: string) => void = console.log,
): Promise<CreatePaymentResult> {
  const targets: TargetResult[] = [];
  for (const { name, label } of TARGETS) {
    log(`create-payment: ${label} on ${options.dialect}`);
    targets.push(await benchTarget(name, label, options, log));
  }
  return {
    database: options.dialect,
    connections: options.connections,
    seconds: options.seconds,
    targets,
  };
}
