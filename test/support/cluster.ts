import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTestDatabase, TestDatabase } from './databases';
import { findProgram, SERVER_NAME, templatedExample } from './reverse-proxy';
import { Dialect } from './services';
import { freePort, startPeer, startTestServer, TestServer } from './test-server';

/** Debian's nginx, wherever it is installed (or on PATH). */
export const nginxProgram = findProgram('nginx', [
  '/usr/sbin/nginx',
  '/usr/bin/nginx',
  '/usr/local/sbin/nginx',
]);

export interface Cluster {
  database: TestDatabase;
  servers: TestServer[];
  /** nginx's internal entrance (deploy/compose/nginx.conf, `listen 8080`), plain HTTP. */
  apiUrl: string;
  /** nginx's public TLS entrance (webhooks only). */
  webhookPort: number;
  /** The certificate nginx presents for pay.example.com (to trust it in requests). */
  ca: Buffer;
  /** Through nginx's internal entrance, with the shared bootstrap API key unless told otherwise. */
  request(
    method: string,
    target: string,
    options?: { body?: unknown; headers?: Record<string, string>; token?: string },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * `count` server instances on one fresh database of `dialect`, and the real nginx running
 * deploy/compose/nginx.conf in front of them: only the listen ports, the upstream addresses
 * (server1..3 become the local instances), the certificate and the log/pid/temp paths are
 * changed. The instances share the bootstrap API key and the encryption key, as in compose.
 */
export async function startCluster(
  dialect: Dialect,
  options: { count?: number; env?: Record<string, string> } = {},
): Promise<Cluster> {
  if (!nginxProgram) throw new Error('nginx is not installed');
  const count = options.count ?? 3;
  const database = await createTestDatabase(dialect);
  const servers: TestServer[] = [];
  let dir: string | undefined;
  let nginx: ChildProcess | undefined;
  const stop = async () => {
    if (nginx && nginx.exitCode === null) {
      const running = nginx;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGQUIT');
      await exited;
    }
    for (const server of servers) await server.stop();
    await database.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const env = { PAYMENTSERVER_PUBLIC_PORT: '0', ...options.env };
    servers.push(await startTestServer({ database, env }));
    for (let i = 1; i < count; i++) {
      servers.push(await startPeer(servers[0], database, env));
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-compose-nginx-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
        ...['-keyout', key, '-out', cert, '-subj', `/CN=${SERVER_NAME}`],
        ...['-addext', `subjectAltName=DNS:${SERVER_NAME}`],
      ],
      { stdio: 'ignore' },
    );
    const apiPort = await freePort();
    const webhookPort = await freePort();
    // Fewer instances than compose has: the extra upstream lines go.
    const upstream = (i: number, port: 'port' | 'publicPort', listen: number) =>
      [
        `server server${i + 1}:${listen} max_fails=3 fail_timeout=10s;`,
        i < count
          ? `server 127.0.0.1:${port === 'port' ? servers[i].port : servers[i].server.publicPort} max_fails=3 fail_timeout=10s;`
          : '',
      ] as [string, string];
    const replacements: [string | RegExp, string][] = [
      ['worker_processes auto;', 'worker_processes 1;'],
      ['pid /var/run/nginx.pid;', `pid ${dir}/nginx.pid;`],
      ['error_log /var/log/nginx/error.log warn;', 'error_log stderr warn;'],
      ['worker_connections 1024;', 'worker_connections 512;'],
      [
        'access_log /var/log/nginx/access.log;',
        [
          'access_log off;',
          ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
            (t) => `${t}_temp_path ${dir}/${t};`,
          ),
        ].join('\n    '),
      ],
      ...[0, 1, 2].map((i) => upstream(i, 'port', 28888)),
      ...[0, 1, 2].map((i) => upstream(i, 'publicPort', 28889)),
      ['listen 8080;', `listen 127.0.0.1:${apiPort};`],
      ['listen 443 ssl;', `listen 127.0.0.1:${webhookPort} ssl;`],
      ['/etc/nginx/certs/pay.example.com.pem', cert],
      ['/etc/nginx/certs/pay.example.com.key', key],
    ];
    fs.writeFileSync(
      path.join(dir, 'nginx.conf'),
      templatedExample('deploy/compose/nginx.conf', replacements),
    );
    let output = '';
    const started = spawn(
      nginxProgram,
      ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off; master_process off;'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    nginx = started;
    started.stdout!.on('data', (chunk) => (output += chunk));
    started.stderr!.on('data', (chunk) => (output += chunk));
    let listening = false;
    for (let i = 0; i < 200 && !listening; i++) {
      if (started.exitCode !== null) throw new Error(`nginx exited: ${output}`);
      listening = (await portOpen(apiPort)) && (await portOpen(webhookPort));
      if (!listening) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!listening) throw new Error(`nginx did not listen: ${output}`);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    return {
      database,
      servers,
      apiUrl,
      webhookPort,
      ca: fs.readFileSync(cert),
      async request(method, target, opts = {}) {
        const headers: Record<string, string> = { ...(opts.headers ?? {}) };
        if (opts.token) headers.authorization = `Bearer ${opts.token}`;
        else headers['x-api-key'] ??= servers[0].apiKey;
        let body: string | undefined;
        if (opts.body !== undefined) {
          body = JSON.stringify(opts.body);
          headers['content-type'] ??= 'application/json';
        }
        const response = await fetch(`${apiUrl}${target}`, { method, headers, body });
        const text = await response.text();
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          /* not JSON */
        }
        return { status: response.status, body: parsed, headers: response.headers };
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
