import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  DocumentedStart,
  dockerRuntime,
  documentedStarts,
  npmStartCommand,
} from '../support/documented-commands';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { serviceUrl } from '../support/services';
import { freePort } from '../support/test-server';
import { sharedTestIdp, TestIdp } from '../support/test-idp';

/**
 * Every way to start the server that the docs show, run as written on the compiled server in
 * dist/ (`npm run build` first; CI does). The Docker image's CMD runs outside Docker with exactly
 * the image's ENV plus what the docs pass with `docker run`. Only what a machine differs in is
 * replaced: ports (free ones instead of 28888/28889/28890, as `-p` maps them), the data folder
 * (a temp folder where the image mounts its volume), the identity provider (the tests' own, where
 * the docs name login.example.com), database servers (the test servers; skipped when not
 * configured) and generated keys (`$(openssl rand -base64 32)`, `$KEY`, `…`).
 */

const ROOT = path.resolve(__dirname, '../..');
const DOCKER = dockerRuntime();

interface Started {
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

function run(command: string, args: string[], env: Record<string, string>): Started {
  const child = spawn(command, args, {
    cwd: ROOT,
    // The image's PATH has node; here node is this one.
    env: { PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    output: () => out,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Resolves when /health/ready answers 200; fails with the output if the process exits first. */
async function ready(started: Started, base: string): Promise<void> {
  let exitCode: number | null | undefined;
  void started.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`exited with ${exitCode} before it was ready:\n${started.output()}`);
    }
    try {
      if ((await fetch(`${base}/health/ready`)).status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`not ready in time:\n${started.output()}`);
}

const GENERATED_KEY = /^(\$\(openssl rand -base64 32\)|\$\{?KEY\}?|…)$/;

/** Why a documented start cannot run here, or undefined. */
function unavailable(start: DocumentedStart): string | undefined {
  const driver = start.env.PAYMENTSERVER_DB;
  if (driver === 'mssql') return 'no SQL Server runs in CI (docs/databases.md says so)';
  if ((driver === 'mysql' || driver === 'postgres') && !serviceUrl(driver)) {
    return `PAYMENTSERVER_TEST_${driver.toUpperCase()}_URL is not set`;
  }
  return undefined;
}

describe('every documented way to start the server', () => {
  const starts = documentedStarts();
  const dirs: string[] = [];
  const databases: TestDatabase[] = [];
  let idp: TestIdp;

  beforeAll(async () => {
    idp = await sharedTestIdp();
    if (!fs.existsSync(path.join(ROOT, 'dist/src/main.js'))) {
      execFileSync(
        process.execPath,
        [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
        {
          cwd: ROOT,
        },
      );
    }
  });

  afterAll(async () => {
    for (const database of databases) await database.drop();
    dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
  });

  it('finds the README start, the Docker image and a production node start in the docs', () => {
    const kinds = starts.map((start) => `${start.where.split(':')[0]} ${start.kind}`);
    expect(kinds).toContain('README.md npm-start');
    expect(kinds).toContain('docs/operations.md docker-run');
    expect(kinds).toContain('docs/operations.md node');
    expect(npmStartCommand()[0]).toBe('node');
    expect(DOCKER.env.NODE_ENV).toBe('production');
    expect(DOCKER.cmd.length).toBeGreaterThan(0);
  });

  /** The documented variables, with what differs on this machine replaced. */
  async function machineEnv(start: DocumentedStart): Promise<{ env: Record<string, string> }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-start-'));
    dirs.push(dir);
    const env: Record<string, string> = { ...start.env };
    for (const [name, value] of Object.entries(env)) {
      if (GENERATED_KEY.test(value)) env[name] = randomBytes(32).toString('base64');
      else if (/\$/.test(value))
        throw new Error(`${name}=${value}: a shell value the test cannot resolve`);
    }
    if (env.PAYMENTSERVER_OIDC_ISSUER) {
      env.PAYMENTSERVER_OIDC_ISSUER = idp.issuer;
      expect(env.PAYMENTSERVER_OIDC_AUDIENCE ?? 'urn:paymentserver').toBe(idp.audience);
    }
    if (env.PAYMENTSERVER_PUBLIC_PORT) env.PAYMENTSERVER_PUBLIC_PORT = String(await freePort());
    const driver = env.PAYMENTSERVER_DB;
    if (driver === 'mysql' || driver === 'postgres') {
      const database = await createTestDatabase(driver);
      databases.push(database);
      env.PAYMENTSERVER_DB_URL = database.env.PAYMENTSERVER_DB_URL;
    } else if (start.kind !== 'docker-run' && !env.PAYMENTSERVER_DB_URL) {
      // The default ./data/ would be this checkout's.
      env.PAYMENTSERVER_DB_URL = path.join(dir, 'paymentserver.sqlite');
    }
    if (start.kind === 'docker-run') {
      // -v <volume>:<path>: the image's paths under the mounted folder go to the temp folder.
      for (const volume of start.volumes) {
        const mount = volume.split(':')[1];
        for (const [name, value] of Object.entries(DOCKER.env)) {
          if (value.startsWith(mount + '/')) env[name] ??= dir + value.slice(mount.length);
        }
      }
      Object.assign(env, { ...DOCKER.env, ...env });
    }
    env.PAYMENTSERVER_PORT = String(await freePort());
    // The bundled development identity provider, where it starts, on a free port too.
    env.PAYMENTSERVER_DEV_IDP_PORT = String(await freePort());
    return { env };
  }

  function launch(start: DocumentedStart, env: Record<string, string>): Started {
    if (start.kind === 'docker-run') {
      // -p <host>:<container> maps the image's port; the test asks for a free one instead.
      expect(start.ports.map((port) => Number(port.split(':')[1]))).toContain(DOCKER.exposedPort);
      return run(DOCKER.cmd[0], DOCKER.cmd.slice(1), env);
    }
    const argv = start.kind === 'npm-start' ? npmStartCommand() : start.argv;
    expect(argv[0]).toBe('node');
    return run(process.execPath, argv.slice(1), env);
  }

  for (const start of documentedStarts()) {
    const reason = unavailable(start);
    const title = `${start.where}: ${start.text.slice(0, 90)}`;
    if (start.env.PAYMENTSERVER_DB === 'mssql') {
      // No SQL Server runs here (docs/databases.md): the command is run as written against a
      // closed port, which shows its configuration is accepted and the mssql driver is the one
      // that tries to connect.
      it(`${title} (configuration accepted; no SQL Server here)`, async () => {
        const { env } = await machineEnv(start);
        env.PAYMENTSERVER_DB_URL = 'mssql://sa:unused@127.0.0.1:1/paymentserver?encrypt=false';
        const server = launch(start, env);
        try {
          const deadline = Date.now() + 60_000;
          const connecting = /ECONNREFUSED|Failed to connect/i;
          while (!connecting.test(server.output()) && Date.now() < deadline) {
            if (/Invalid configuration/.test(server.output())) break;
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
          expect(server.output()).not.toMatch(/Invalid configuration/);
          expect(server.output()).toMatch(connecting);
        } finally {
          await server.stop();
        }
      });
      continue;
    }
    if (reason) {
      // Without CI=true a missing database URL skips; in CI it fails (see the README).
      if (process.env.CI === 'true')
        it(title, () => {
          throw new Error(reason);
        });
      else it.skip(`${title} (${reason})`, () => undefined);
      continue;
    }
    it(title, async () => {
      const { env } = await machineEnv(start);
      const server = launch(start, env);
      const base = `http://127.0.0.1:${env.PAYMENTSERVER_PORT}`;
      try {
        await ready(server, base);
        const production =
          (env.NODE_ENV ?? (start.kind === 'npm-start' ? 'development' : '')) !== 'development';
        // Swagger is on only in development; production needs the real identity provider.
        expect((await fetch(`${base}/swagger/json`)).status).toBe(production ? 404 : 200);
        if (env.PAYMENTSERVER_OIDC_ISSUER) {
          const answer = await fetch(`${base}/api/v1/admin/integrations`, {
            headers: { authorization: `Bearer ${await idp.adminToken()}` },
          });
          expect(answer.status).toBe(200);
        }
        if (env.PAYMENTSERVER_PUBLIC_PORT) {
          const publicBase = `http://127.0.0.1:${env.PAYMENTSERVER_PUBLIC_PORT}`;
          expect((await fetch(`${publicBase}/api/v1/payments`)).status).toBe(404);
        }
      } finally {
        expect(await server.stop()).toBe(0);
      }
    });
  }
});
