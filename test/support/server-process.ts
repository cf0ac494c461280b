import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './test-server';

const ROOT = path.resolve(__dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Runs the server as its own process, from source (ts-node, transpile only) so no build is
 * needed first: for start-up, shutdown and crash behaviour that an in-process app cannot show.
 */
export function spawnServer(env: Record<string, string>): ServerProcess {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src/main.ts')],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

export async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer in time`);
}

/** The server as its own process with the bundled development identity provider. */
export interface DevIdpServer {
  process: ServerProcess;
  /** Its temp folder, with the SQLite database `dbFile` in it. */
  dir: string;
  dbFile: string;
  base: string;
  issuer: string;
}

/**
 * For the enclosing describe block: starts the server as its own process (SQLite in a temp
 * folder, the development identity provider on a free port) and waits until it is ready; stops
 * it if it still runs afterwards, and removes the folder.
 */
export function useServerWithDevIdp(name: string, env: Record<string, string> = {}): DevIdpServer {
  const handle = {} as DevIdpServer;
  beforeAll(async () => {
    handle.dir = fs.mkdtempSync(path.join(os.tmpdir(), `paymentserver-${name}-`));
    handle.dbFile = path.join(handle.dir, 'db.sqlite');
    const port = await freePort();
    const idpPort = await freePort();
    handle.base = `http://127.0.0.1:${port}`;
    handle.issuer = `http://localhost:${idpPort}`;
    handle.process = spawnServer({
      PAYMENTSERVER_PORT: String(port),
      PAYMENTSERVER_DB_URL: handle.dbFile,
      PAYMENTSERVER_DEV_IDP_PORT: String(idpPort),
      ...env,
    });
    await waitForHttp(`${handle.base}/health/ready`);
  });

  afterAll(async () => {
    const server = handle.process;
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    if (handle.dir) fs.rmSync(handle.dir, { recursive: true, force: true });
  });

  return handle;
}

/**
 * An access token for the development identity provider's admin client, by client_credentials;
 * the README's curl: curl -s -u paymentserver-admin:paymentserver-dev-secret -d grant_type=client_credentials -d scope=paymentserver:admin http://localhost:28890/token
 */
export async function devIdpAdminToken(issuer: string, scope?: string): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scope) form.set('scope', scope);
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('paymentserver-admin:paymentserver-dev-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: form,
  });
  if (response.status !== 200)
    throw new Error(
      `the development identity provider answered ${response.status}: ${await response.text()}`,
    );
  return ((await response.json()) as { access_token: string }).access_token;
}
