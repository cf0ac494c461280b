/**
 * Where the create path spends its time: `npm run bench:profile`.
 * Starts the built server (SQLite or BENCH_DB, production mode; PaymentServer with the test provider and no
 * notification endpoints) with bench/profile/probe preloaded, warms it up, then records phases,
 * each with a CPU profile, event-loop delay, every SQLite statement, the WAL and GC pauses:
 *   sequential  one create at a time             (the cost of a create alone)
 *   load        BENCH_CONNECTIONS clients         (the cost under load)
 *   half-rate   open loop at half the load rate   (where the tail comes from)
 *   idle        no requests for 5 s               (what runs in the background)
 *   webhooks    PaymentServer only: a signed `paid` webhook for each payment created so far
 *               (a status change: what runs after a commit that writes the outbox)
 * Writes bench/results/profile-create-payment[-<target>].data.{json,md} and the .cpuprofile
 * files (Chrome DevTools, speedscope) to bench/results/profiles/.
 *
 *   BENCH_SECONDS=10 npm run bench:profile
 *   BENCH_PROFILE_TARGET=raw-node npm run bench:profile      # the same phases on a limit server
 *   BENCH_DB=postgres npm run bench:profile                    # on a server database (file names get -postgres)
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closedLoop, warmUp } from '../support/closed-loop';
import { fixedRate, sequential } from '../support/http-load';
import { benchAppConfig, freshDatabase, openDataSource } from '../support/databases';
import { API_KEY, ROOT, startTarget, TargetName, TARGETS } from '../support/targets';
import { JSON_HEADERS, paymentBody } from '../support/payment-body';
import { describeMachine, loadAverage, machine } from '../support/machine';
import { parseOptions } from '../support/options';
import { Payment } from '../../src/payments/entities/payment.entity';
import type { ServerProcess } from '../support/server-process';
import { summarize } from './cpu-profile';
import { markdown, PhaseReport } from './profile-report';
import {
  TEST_SIGNATURE_HEADER,
  TestWebhookSigner,
} from '../../src/providers/test/test-webhook.signer';
import { TEST_PROVIDER_ACCOUNT_ID, TestWebhookBody } from '../../src/providers/test/test.provider';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const warmupRequests = Number(process.env.BENCH_WARMUP_REQUESTS ?? 5000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const intervalUs = Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 500);
const resultsDir = path.join(ROOT, 'bench/results');
const profilesDir = path.join(resultsDir, 'profiles');
const target = (process.env.BENCH_PROFILE_TARGET ?? 'paymentserver') as TargetName;
const { dialect, serverUrl } = parseOptions([]);
const suffix = `${target === 'paymentserver' ? '' : `-${target}`}${dialect === 'sqlite' ? '' : `-${dialect}`}`;
const DATABASE_NAMES = { sqlite: 'SQLite', mysql: 'MariaDB/MySQL', postgres: 'PostgreSQL' };

/** Functions whose inclusive time (everything under them while on the stack) is reported. */
const INCLUSIVE = [
  /^query .*typeorm\/driver\/better-sqlite3\/BetterSqlite3QueryRunner/,
  /^(getQuery|getQueryAndParameters|createInsertExpression|createValuesExpression|createWhereExpression) .*typeorm\/query-builder/,
  /^transform .*typeorm\/query-builder\/transformer\/RawSqlResultsToEntityTransformer/,
  /^broadcast\w* .*typeorm\/subscriber\/Broadcaster/,
  /^transform .*@nestjs\/common\/pipes\/validation.pipe/,
  // Our global pipe: the compiled check of a create body, else Nest's pipe above.
  /^transform .*src\/common\/http\/validation/,
  /^(validate|execute) .*class-validator/,
  /^plainToInstance .*class-transformer/,
  /^canActivate .*auth\/auth.guard/,
  /^(runRound|fanOut|deliverDue) .*notifications\/notification.worker/,
];

function ask(server: ServerProcess, message: object, answer: string): Promise<any> {
  return new Promise((resolve) => {
    const onMessage = (reply: { type: string }) => {
      if (reply.type !== answer) return;
      server.child.off('message', onMessage);
      resolve(reply);
    };
    server.child.on('message', onMessage);
    server.child.send(message);
  });
}

async function phase(
  server: ServerProcess,
  name: string,
  run: () => Promise<{ ok: number; p50?: number; p99?: number; max?: number; perSecond?: number }>,
): Promise<PhaseReport> {
  const profileFile = path.join(profilesDir, `create-payment${suffix}-${name}.cpuprofile`);
  await ask(server, { type: 'start', intervalUs }, 'started');
  const before = server.cpu();
  const t0 = performance.now();
  const result = await run();
  const wall = (performance.now() - t0) / 1000;
  const after = server.cpu();
  const { result: probe } = await ask(server, { type: 'stop', file: profileFile }, 'stopped');
  const per = (value: number, by: number) =>
    Math.round((value * 1000 * 100) / Math.max(1, by)) / 100;
  const cpu = {
    process: after.process - before.process,
    mainThread: after.mainThread - before.mainThread,
  };
  console.log(`  ${name}: ${result.ok} requests, ${per(cpu.process, result.ok)} ms CPU each`);
  return {
    phase: name,
    requests: result.ok,
    latency:
      result.p50 === undefined
        ? undefined
        : { p50: result.p50, p99: result.p99!, max: result.max! },
    perSecond: result.perSecond === undefined ? undefined : Math.round(result.perSecond),
    cpuMsPerCreate: {
      process: per(cpu.process, result.ok),
      mainThread: per(cpu.mainThread, result.ok),
    },
    cpuMsPerSecond: { process: per(cpu.process, wall), mainThread: per(cpu.mainThread, wall) },
    probe,
    profile: summarize(profileFile, INCLUSIVE),
    profileFile: path.relative(ROOT, profileFile),
  };
}

/** Payments still pending at the test provider (its id, and the amount a `paid` webhook reports). */
async function pendingAtProvider(
  db: Awaited<ReturnType<typeof freshDatabase>>,
): Promise<{ id: string; amount: number; currency: string }[]> {
  const dataSource = await openDataSource(db);
  try {
    const rows = await dataSource.getRepository(Payment).find({
      select: { providerPaymentId: true, amountValue: true, currency: true },
      where: { status: 'pending' },
    });
    return rows.flatMap((row) =>
      row.providerPaymentId
        ? [{ id: row.providerPaymentId, amount: row.amountValue, currency: row.currency }]
        : [],
    );
  } finally {
    await dataSource.destroy();
  }
}

async function main(): Promise<void> {
  if (!TARGETS.some((t) => t.name === target))
    throw new Error(`BENCH_PROFILE_TARGET must be one of ${TARGETS.map((t) => t.name).join(', ')}`);
  fs.mkdirSync(profilesDir, { recursive: true });
  const db = await freshDatabase(dialect, serverUrl, 'profile');
  const { server, baseUrl } = await startTarget(target, db, {
    fromSource: false,
    nodeArgs: ['-r', path.join(ROOT, 'dist/bench/profile/probe.js')],
    ipc: true,
  });
  const load = {
    url: `${baseUrl}/api/v1/payments`,
    headers: { ...JSON_HEADERS, 'x-api-key': API_KEY },
    expectStatus: 201,
  };
  const body = (offset: number) => (i: number) => paymentBody(offset + i);
  const loadBefore = loadAverage();
  const phases: PhaseReport[] = [];
  try {
    console.log(
      `profile ${target}: warming up (${warmupRequests} requests, at least ${warmupSeconds} s)`,
    );
    const warmedWith = await warmUp(
      { ...load, connections, body: body(9_000_000) },
      { requests: warmupRequests, minSeconds: warmupSeconds, maxSeconds: 60 },
    );
    phases.push(
      await phase(server, 'sequential', () => sequential({ ...load, seconds, body: body(0) })),
    );
    const loaded = await phase(server, 'load', () =>
      closedLoop({ ...load, connections, seconds, body: body(1_000_000) }),
    );
    phases.push(loaded);
    const rate = Math.max(1, Math.round(loaded.perSecond! / 2));
    phases.push(
      await phase(server, 'half-rate', () =>
        fixedRate({ ...load, rate, seconds, body: body(2_000_000) }),
      ),
    );
    phases.push(
      await phase(server, 'idle', async () => {
        await new Promise((resolve) => setTimeout(resolve, 5000));
        return { ok: 0 };
      }),
    );
    if (target === 'paymentserver') {
      const pending = await pendingAtProvider(db);
      const signer = new TestWebhookSigner(benchAppConfig());
      const webhook = (i: number) => {
        const event: TestWebhookBody = {
          id: `tpevt_profile${i}`,
          type: 'payment.updated',
          createdAt: new Date().toISOString(),
          data: {
            id: pending[i].id,
            status: 'paid',
            amount: { value: pending[i].amount, currency: pending[i].currency },
            amountCaptured: pending[i].amount,
          },
        };
        return JSON.stringify(event);
      };
      phases.push(
        await phase(server, 'webhooks', () =>
          closedLoop({
            url: `${baseUrl}/webhooks/test/${TEST_PROVIDER_ACCOUNT_ID}`,
            connections,
            amount: pending.length,
            headers: JSON_HEADERS,
            expectStatus: 200,
            body: webhook,
            sign: (b) => ({ [TEST_SIGNATURE_HEADER]: signer.sign(TEST_PROVIDER_ACCOUNT_ID, b) }),
          }),
        ),
      );
    }
    const walBytes =
      dialect === 'sqlite' && fs.existsSync(`${db.url}-wal`)
        ? fs.statSync(`${db.url}-wal`).size
        : 0;
    const header = [
      `# Create-payment profile (${target}): measurements`,
      '',
      `Generated by \`npm run bench:profile\` on ${new Date().toISOString()}; ${describeMachine(machine())}; load average ${loadBefore} before / ${loadAverage()} after.`,
      `${target}, built, production mode, ${DATABASE_NAMES[dialect]}${target === 'paymentserver' ? ', test provider, no notification endpoints' : ''}; ${seconds} s per phase after a warm-up of ${warmedWith} creates; ${connections} connections under load; half-rate phase at ${rate}/s (open loop); CPU sampled every ${intervalUs} µs.${dialect === 'sqlite' ? ` WAL file at the end: ${Math.round(walBytes / 2 ** 20)} MB.` : ''} Peak RSS ${server.peakRssMb()} MB.`,
      '',
      'CPU per request comes from /proc (all threads, and the main thread alone); the owner tables from the CPU profile (main thread only). The probe itself costs CPU (its share is shown as "profiling probe").',
    ].join('\n');
    const base = path.join(resultsDir, `profile-create-payment${suffix}.data`);
    fs.writeFileSync(`${base}.json`, JSON.stringify({ header, phases }, null, 2) + '\n');
    fs.writeFileSync(`${base}.md`, markdown(phases, header));
    console.log(
      `profile: ${path.relative(ROOT, base)}.{json,md}, profiles in bench/results/profiles/`,
    );
  } finally {
    await server.stop();
    await db.drop();
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
