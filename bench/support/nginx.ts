/**
 * The real nginx running deploy/compose/nginx.conf in front of local server processes (the
 * compose file's server1..3 become 127.0.0.1:<port>); only ports, upstreams, certificate and
 * log/pid/temp paths change, as in test/support/cluster.ts.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './server-process';
import { ROOT } from './targets';

export interface RunningNginx {
  baseUrl: string;
  stop(): Promise<void>;
}

export function findNginx(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

/** nginx's internal entrance spread over `ports` (one to three server processes). */
export async function startComposeNginx(ports: number[]): Promise<RunningNginx> {
  const program = findNginx();
  if (!program) throw new Error('the scale-out scenario needs nginx (apt-get install nginx-light)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-bench-nginx-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
      ...['-keyout', key, '-out', cert, '-subj', '/CN=pay.example.com'],
    ],
    { stdio: 'ignore' },
  );
  const apiPort = await freePort();
  const tlsPort = await freePort();
  let text = fs.readFileSync(path.join(ROOT, 'deploy/compose/nginx.conf'), 'utf8');
  const replace = (from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`deploy/compose/nginx.conf no longer has ${from}`);
    text = text.replace(from, to);
  };
  replace('pid /var/run/nginx.pid;', `pid ${dir}/nginx.pid;`);
  replace('error_log /var/log/nginx/error.log warn;', 'error_log stderr warn;');
  replace(
    'access_log /var/log/nginx/access.log;',
    [
      'access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (t) => `${t}_temp_path ${dir}/${t};`,
      ),
    ].join('\n    '),
  );
  for (let i = 0; i < 3; i++) {
    const line = (port: number) => `server server${i + 1}:${port} max_fails=3 fail_timeout=10s;`;
    replace(line(28888), i < ports.length ? `server 127.0.0.1:${ports[i]};` : '');
    replace(line(28889), i < ports.length ? `server 127.0.0.1:${ports[i]};` : '');
  }
  replace('listen 8080;', `listen 127.0.0.1:${apiPort};`);
  replace('listen 443 ssl;', `listen 127.0.0.1:${tlsPort} ssl;`);
  replace('/etc/nginx/certs/pay.example.com.pem', cert);
  replace('/etc/nginx/certs/pay.example.com.key', key);
  fs.writeFileSync(path.join(dir, 'nginx.conf'), text);
  let output = '';
  const child: ChildProcess = spawn(
    program,
    ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  for (let i = 0; i < 200 && !(await portOpen(apiPort)); i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    baseUrl: `http://127.0.0.1:${apiPort}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGQUIT');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
