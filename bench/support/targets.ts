/**
 * How to start each server under test. The built JavaScript (dist/) is what gets measured; a
 * smoke run starts the TypeScript sources through ts-node instead, so no build is needed.
 */
import * as path from 'node:path';
import type { BenchDatabase } from './databases';
import { ENCRYPTION_KEY, prepareLimitDatabase, UNUSED_OIDC_ISSUER } from './databases';
import { freePort, ServerProcess, startServer } from './server-process';

export const ROOT = path.resolve(__dirname, '../..');
export const API_KEY = 'bench_key_0123456789abcdef';

export type TargetName = 'raw-node' | 'minimal-nest' | 'paymentserver';

export const TARGETS: { name: TargetName; label: string }[] = [
  { name: 'raw-node', label: 'raw Node' },
  { name: 'minimal-nest', label: 'minimal NestJS' },
  { name: 'paymentserver', label: 'PaymentServer' },
];

export interface RunningTarget {
  server: ServerProcess;
  baseUrl: string;
}

/** `node` arguments for a script of checkout `root`: its build output, or its source through ts-node. */
function script(
  source: string,
  fromSource: boolean,
  nodeArgs: string[] = [],
  root = ROOT,
): string[] {
  if (fromSource)
    return [...nodeArgs, '-r', 'ts-node/register/transpile-only', path.join(root, source)];
  return [...nodeArgs, path.join(root, 'dist', source.replace(/\.ts$/, '.js'))];
}

export interface StartOptions {
  fromSource: boolean;
  /** Flags for `node` before the script (e.g. a preloaded probe). */
  nodeArgs?: string[];
  /** An IPC channel to the process (for the profiling probe). */
  ipc?: boolean;
}

export interface PaymentServerOptions extends StartOptions {
  env?: Record<string, string>;
  /** Another checkout of PaymentServer to start instead of this one (bench:ab). */
  root?: string;
}

/**
 * PaymentServer as shipped, with the test provider and no notification endpoints. NODE_ENV=test
 * has production's defaults but, unlike production, lets PAYMENTSERVER_TEST_PROVIDER turn the
 * test provider on.
 */
export async function startPaymentServer(
  db: BenchDatabase,
  options: PaymentServerOptions,
): Promise<RunningTarget> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = await startServer({
    name: 'paymentserver',
    args: script('src/main.ts', options.fromSource, options.nodeArgs, options.root),
    env: {
      NODE_ENV: 'test',
      PAYMENTSERVER_PORT: String(port),
      PAYMENTSERVER_TEST_PROVIDER: 'true',
      PAYMENTSERVER_ENCRYPTION_KEY: ENCRYPTION_KEY,
      PAYMENTSERVER_BOOTSTRAP_API_KEY: API_KEY,
      // Production requires an issuer; only API keys are used here, so it is never fetched.
      PAYMENTSERVER_OIDC_ISSUER: UNUSED_OIDC_ISSUER,
      // One load generator on loopback would hit the per-IP webhook limit at once.
      PAYMENTSERVER_WEBHOOK_RATE_LIMIT: '0',
      ...db.env,
      ...options.env,
    },
    readyUrl: `${baseUrl}/health/ready`,
    ipc: options.ipc,
  });
  return { server, baseUrl };
}

/** Starts one of the three create-payment targets on `db` (fresh and empty). */
export async function startTarget(
  name: TargetName,
  db: BenchDatabase,
  options: StartOptions,
): Promise<RunningTarget> {
  if (name === 'paymentserver') return startPaymentServer(db, options);
  await prepareLimitDatabase(db, API_KEY);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const source =
    name === 'raw-node'
      ? 'bench/targets/raw-node.server.ts'
      : 'bench/targets/minimal-nest/minimal-nest.server.ts';
  const server = await startServer({
    name,
    args: script(source, options.fromSource, options.nodeArgs),
    env: {
      NODE_ENV: 'production',
      BENCH_TARGET_PORT: String(port),
      BENCH_DB: db.dialect,
      BENCH_DB_URL: db.url,
    },
    readyUrl: `${baseUrl}/health`,
    ipc: options.ipc,
  });
  return { server, baseUrl };
}
