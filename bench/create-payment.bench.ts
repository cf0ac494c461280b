/**
 * Create-payment throughput and latency with the test provider, on SQLite unless BENCH_DB says
 * otherwise (a server database wants an empty database at BENCH_DB_URL).
 * Starts the real server in a child process (so the load generator does not share its event
 * loop), then drives POST /api/v1/payments with autocannon.
 *
 *   npm run bench                 # 15 s, 32 connections, SQLite
 *   BENCH_SECONDS=30 BENCH_CONNECTIONS=64 npm run bench
 *   BENCH_DB=postgres BENCH_DB_URL=postgres://postgres@127.0.0.1:5432/ps_bench npm run bench
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';

const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const port = Number(process.env.BENCH_PORT ?? 28999);
/** `sqlite` (a fresh file), or a server database given by BENCH_DB and BENCH_DB_URL. */
const database = process.env.BENCH_DB ?? 'sqlite';
const apiKey = 'bench_key_0123456789abcdef';

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('server did not become ready');
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-bench-'));
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PAYMENTSERVER_TEST_PROVIDER: 'true',
      PAYMENTSERVER_PORT: String(port),
      PAYMENTSERVER_DB: database,
      PAYMENTSERVER_DB_URL: process.env.BENCH_DB_URL ?? path.join(dir, 'bench.sqlite'),
      ...(database === 'sqlite' ? {} : { PAYMENTSERVER_EDITION: 'enterprise' }),
      PAYMENTSERVER_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
      PAYMENTSERVER_BOOTSTRAP_API_KEY: apiKey,
      // Production mode requires an issuer; the benchmark only uses API keys, so it is never fetched.
      PAYMENTSERVER_OIDC_ISSUER:
        process.env.PAYMENTSERVER_OIDC_ISSUER ?? 'http://127.0.0.1:9/unused',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitReady(`http://127.0.0.1:${port}/health/ready`);
    let n = 0;
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/api/v1/payments`,
      method: 'POST',
      connections,
      duration: seconds,
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      requests: [
        {
          setupRequest: (req: any) => ({
            ...req,
            body: JSON.stringify({
              amount: { value: 1050 + (n % 100), currency: 'EUR' },
              description: 'Benchmark order',
              reference: `bench-${n++}`,
              returnUrl: 'https://shop.example/return',
            }),
          }),
        },
      ],
    });
    const summary = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      seconds,
      connections,
      database,
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      throughputPerSecond: result.requests.average,
      latencyMs: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
      },
    };
    console.log(JSON.stringify(summary, null, 2));
    fs.mkdirSync('bench/results', { recursive: true });
    fs.writeFileSync(
      `bench/results/create-payment${database === 'sqlite' ? '' : `-${database}`}.json`,
      JSON.stringify(summary, null, 2) + '\n',
    );
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
