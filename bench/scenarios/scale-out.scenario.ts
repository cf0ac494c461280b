/**
 * Scale-out: create-payment through nginx (deploy/compose/nginx.conf) in front of one, then
 * three PaymentServer processes on one MariaDB or PostgreSQL database. Same load generator,
 * same connections, same phase length; the ratio is the figure. Afterwards the rows are
 * counted: none of the 201s may be missing.
 */
import type { BenchOptions } from '../support/options';
import { closedLoop, warmUp } from '../support/closed-loop';
import { freshDatabase, openDataSource } from '../support/databases';
import { startComposeNginx } from '../support/nginx';
import { JSON_HEADERS, paymentBody } from '../support/payment-body';
import type { RunningTarget } from '../support/targets';
import { API_KEY, startPaymentServer } from '../support/targets';

export interface ScaleOutRun {
  instances: number;
  perSecond: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  /**
   * Rows in payments afterwards: at least the 201s answered (warm-up included); more by the
   * requests still in flight when a phase ended, which the server committed unheard.
   */
  paymentsStored: number;
  created: number;
  peakRssMb: number[];
}

export interface ScaleOutResult {
  database: string;
  connections: number;
  seconds: number;
  runs: ScaleOutRun[];
  /** Throughput of three instances over one. */
  ratio: number;
}

async function run(
  instances: number,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<ScaleOutRun> {
  const db = await freshDatabase(options.dialect, options.serverUrl, `scale${instances}`);
  const servers: RunningTarget[] = [];
  try {
    // The first applies the migrations; the others start on the migrated schema, as in compose.
    const env = { PAYMENTSERVER_AUTH_FAILURE_RATE_LIMIT: '0' };
    servers.push(await startPaymentServer(db, { fromSource: options.smoke, env }));
    for (let i = 1; i < instances; i++) {
      servers.push(
        await startPaymentServer(db, {
          fromSource: options.smoke,
          env: { ...env, PAYMENTSERVER_MIGRATIONS_RUN: 'false' },
        }),
      );
    }
    const nginx = await startComposeNginx(servers.map((s) => Number(new URL(s.baseUrl).port)));
    try {
      const load = {
        url: `${nginx.baseUrl}/api/v1/payments`,
        headers: { ...JSON_HEADERS, 'x-api-key': API_KEY },
        expectStatus: 201,
        connections: options.connections,
      };
      const warmup = await warmUp(
        { ...load, body: (i) => paymentBody(9_000_000 + i) },
        { requests: options.warmupRequests, minSeconds: options.warmupSeconds, maxSeconds: 60 },
      );
      const peak = await closedLoop({ ...load, seconds: options.seconds, body: paymentBody });
      log(`  ${instances} instance(s): ${Math.round(peak.perSecond)}/s, p99 ${peak.p99} ms`);
      const created = warmup + peak.ok;
      const peakRssMb = servers.map((s) => s.server.peakRssMb());
      const dataSource = await openDataSource(db);
      let stored: number;
      try {
        stored = Number((await dataSource.query('SELECT COUNT(*) AS n FROM payments'))[0].n);
      } finally {
        await dataSource.destroy();
      }
      if (stored < created) throw new Error(`${created} payments answered 201, ${stored} stored`);
      return {
        instances,
        perSecond: Math.round(peak.perSecond),
        p50: peak.p50,
        p99: peak.p99,
        ok: peak.ok,
        failed: peak.failed,
        paymentsStored: stored,
        created,
        peakRssMb,
      };
    } finally {
      await nginx.stop();
    }
  } finally {
    for (const s of servers) await s.server.stop();
    await db.drop();
  }
}

export async function runScaleOut(
  options: BenchOptions,
  log: (line: string) => void = console.log,
): Promise<ScaleOutResult> {
  if (options.dialect === 'sqlite')
    throw new Error('scale-out needs a server database: BENCH_DB=postgres or BENCH_DB=mysql');
  log(`scale-out: 1 and 3 instances behind nginx on ${options.dialect}`);
  const runs = [await run(1, options, log), await run(3, options, log)];
  return {
    database: options.dialect,
    connections: options.connections,
    seconds: options.seconds,
    runs,
    ratio: Math.round((runs[1].perSecond / Math.max(1, runs[0].perSecond)) * 100) / 100,
  };
}
