/**
 * What a bench run does, from the command line and the environment:
 *
 *   npm run bench [-- <scenario>…] [-- --smoke]
 *   BENCH_DB=postgres npm run bench -- scale-out    (1 vs 3 instances behind nginx; not in the default set)
 *   BENCH_DB=sqlite|mysql|postgres  BENCH_SECONDS=15  BENCH_CONNECTIONS=32
 *   BENCH_WARMUP_REQUESTS=5000  BENCH_WARMUP_SECONDS=3
 *   BENCH_MYSQL_URL  BENCH_POSTGRES_URL  BENCH_RABBITMQ_URL  BENCH_WEBHOOKS  BENCH_EVENTS
 */
import type { BenchDialect } from '../targets/limit-store';

export const SCENARIOS = [
  'create-payment',
  'webhook-intake',
  'notifications',
  'scale-out',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/** What a run without names does: scale-out needs a server database and nginx, so it is asked for by name. */
const DEFAULT_SCENARIOS: ScenarioName[] = ['create-payment', 'webhook-intake', 'notifications'];

export interface BenchOptions {
  scenarios: ScenarioName[];
  dialect: BenchDialect;
  /** The database server for `dialect` (unused for SQLite). */
  serverUrl: string;
  rabbitUrl: string;
  /** Length of each measured phase. */
  seconds: number;
  warmupSeconds: number;
  /** Warm-up lasts until the server has answered this many requests (at most 60 s). */
  warmupRequests: number;
  connections: number;
  /** Webhooks sent in the intake scenario (each to its own pending payment). */
  webhooks: number;
  /** Events drained in the notifications scenario. */
  events: number;
  /** A few requests per phase, servers run from source (ts-node): proves the harness, measures nothing. */
  smoke: boolean;
  /** Where results go; undefined: nowhere (smoke runs). */
  resultsDir: string | undefined;
}

function number(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${key} must be a positive number (got "${raw}")`);
  return value;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const smoke = argv.includes('--smoke');
  const named = argv.filter((arg) => !arg.startsWith('--'));
  for (const name of named) {
    if (!(SCENARIOS as readonly string[]).includes(name))
      throw new Error(`unknown scenario "${name}" (known: ${SCENARIOS.join(', ')})`);
  }
  const dialect = (env.BENCH_DB ?? 'sqlite') as BenchDialect;
  if (!['sqlite', 'mysql', 'postgres'].includes(dialect))
    throw new Error(`BENCH_DB must be sqlite, mysql or postgres (got "${dialect}")`);
  return {
    scenarios: named.length > 0 ? (named as ScenarioName[]) : [...DEFAULT_SCENARIOS],
    dialect,
    serverUrl:
      dialect === 'mysql'
        ? env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306/'
        : env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    rabbitUrl: env.BENCH_RABBITMQ_URL || 'amqp://guest:guest@127.0.0.1:5672',
    seconds: smoke ? 0.5 : number(env, 'BENCH_SECONDS', 15),
    warmupSeconds: smoke ? 0 : number(env, 'BENCH_WARMUP_SECONDS', 3),
    warmupRequests: smoke ? 0 : number(env, 'BENCH_WARMUP_REQUESTS', 5000),
    connections: smoke ? 4 : number(env, 'BENCH_CONNECTIONS', 32),
    webhooks: smoke ? 20 : number(env, 'BENCH_WEBHOOKS', 20_000),
    events: smoke ? 20 : number(env, 'BENCH_EVENTS', 5000),
    smoke,
    resultsDir: smoke ? undefined : (env.BENCH_RESULTS_DIR ?? 'bench/results'),
  };
}
