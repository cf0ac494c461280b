import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { freePort, paymentBody, startTestServer, TestServer } from '../support/test-server';
import { rawRequest, signedTestWebhook } from '../support/perimeter';

const EXAMPLE = path.join(__dirname, '../../deploy/nginx/paymentserver.conf');
const SERVER_NAME = 'pay.example.com';
/** Low, so that the last test can reach it; the tests before it send two webhooks. */
const WEBHOOK_LIMIT = 6;

function findNginx(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const nginx = findNginx();
if (!nginx && process.env.CI === 'true') {
  throw new Error('nginx must be installed in CI (apt-get install nginx-light): the reverse-proxy example may not go untested');
}

/** The example file with only its ports and certificate paths changed; fails if any is not found. */
function templated(publicPort: number, port: number, cert: string, key: string): string {
  const replacements: [string | RegExp, string][] = [
    ['server 127.0.0.1:28889;', `server 127.0.0.1:${publicPort};`],
    ['listen 443 ssl;', `listen 127.0.0.1:${port} ssl;`],
    [/^\s*listen \[::\]:443 ssl;\n/m, ''],
    ['/etc/ssl/certs/pay.example.com.pem', cert],
    ['/etc/ssl/private/pay.example.com.key', key],
  ];
  let text = fs.readFileSync(EXAMPLE, 'utf8');
  for (const [from, to] of replacements) {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`deploy/nginx/paymentserver.conf no longer contains ${String(from)}`);
    text = next;
  }
  return text;
}

async function waitForPort(port: number, nginxProcess: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (nginxProcess.exitCode !== null) throw new Error(`nginx exited: ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not listen on ${port}: ${output()}`);
}

(nginx ? describe : describe.skip)('the nginx example (deploy/nginx) with the real nginx in front of the server', () => {
  let server: TestServer;
  let dir: string;
  let proxy: ChildProcess;
  let proxyPort: number;
  let tls: ConnectionOptions;
  let nginxOutput = '';

  beforeAll(async () => {
    server = await startTestServer({ env: { PAYMENTSERVER_PUBLIC_PORT: '0', PAYMENTSERVER_WEBHOOK_RATE_LIMIT: String(WEBHOOK_LIMIT) } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-nginx-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
      '-keyout', key, '-out', cert, '-subj', `/CN=${SERVER_NAME}`, '-addext', `subjectAltName=DNS:${SERVER_NAME}`,
    ], { stdio: 'ignore' });
    tls = { ca: fs.readFileSync(cert), servername: SERVER_NAME };
    proxyPort = await freePort();
    fs.writeFileSync(path.join(dir, 'paymentserver.conf'), templated(server.server.publicPort!, proxyPort, cert, key));
    // A minimal main configuration around the example, everything inside the temp folder.
    fs.writeFileSync(
      path.join(dir, 'nginx.conf'),
      [
        'worker_processes 1;',
        `pid ${dir}/nginx.pid;`,
        'error_log stderr warn;',
        'events { worker_connections 64; }',
        'http {',
        '  access_log off;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
        `  include ${dir}/paymentserver.conf;`,
        '}',
      ].join('\n'),
    );
    // In the foreground, one process (no switch to another user): the test owns its lifetime.
    proxy = spawn(nginx!, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off; master_process off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proxy.stdout!.on('data', (chunk) => (nginxOutput += chunk));
    proxy.stderr!.on('data', (chunk) => (nginxOutput += chunk));
    await waitForPort(proxyPort, proxy, () => nginxOutput);
  });

  afterAll(async () => {
    if (proxy && proxy.exitCode === null) {
      const exited = new Promise((resolve) => proxy.once('exit', resolve));
      proxy.kill('SIGQUIT');
      await exited;
    }
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const viaNginx = (method: string, target: string, headers: Record<string, string> = {}, body?: string) =>
    rawRequest(proxyPort, method, target, { Host: SERVER_NAME, ...headers }, { body, tls });

  it('passes a signed webhook through unchanged: the signature verifies at the server and the payment is paid', async () => {
    const webhook = await signedTestWebhook(server);
    const response = await viaNginx(
      'POST',
      '/webhooks/test/test',
      { 'Content-Type': 'application/json', 'Test-Signature': webhook.signature },
      webhook.body,
    );
    expect(response.status).toBe(200);
    expect((await server.request('GET', `/api/v1/payments/${webhook.paymentId}`)).body.status).toBe('paid');
  });

  it('passes a webhook with a bad signature to the server, which answers 401 and changes nothing', async () => {
    const webhook = await signedTestWebhook(server);
    const response = await viaNginx(
      'POST',
      '/webhooks/test/test',
      { 'Content-Type': 'application/json', 'Test-Signature': webhook.signature },
      webhook.body.replace('"paid"', '"failed"'),
    );
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect((await server.request('GET', `/api/v1/payments/${webhook.paymentId}`)).body.status).toBe('pending');
  });

  // Refused by nginx itself: its own error page, not the server's problem+json.
  const refusedByNginx = (response: { status: number; headers: Record<string, string>; body: string }) => {
    expect([400, 403, 404]).toContain(response.status);
    expect(response.headers['content-type'] ?? '').not.toContain('problem+json');
    expect(response.body).not.toContain('"data"');
  };

  it.each([
    '/',
    '/health/live',
    '/health/ready',
    '/swagger',
    '/swagger/json',
    '/api/v1/payments',
    '/api/v1/admin/integrations',
    '/test-provider/checkout/tp_x',
    '/dashboard',
    '/webhooks/',
    '/webhooks/test',
    '/webhooks/test/test/',
    '/webhooks/../api/v1/payments',
    '/webhooks/test/../../api/v1/payments',
    '/webhooks/%2e%2e/api/v1/payments',
    '/webhooks/test/test%2f..%2f..%2f..%2fapi%2fv1%2fpayments',
    '/webhooks/test/%2e%2e',
    '//webhooks/test/test',
    '/webhooks//test/test',
    '/webhooks/test/./test',
    '/%2e%2e/api/v1/payments',
    `https://${SERVER_NAME}/api/v1/payments`,
    `http://${SERVER_NAME}/webhooks/../api/v1/payments`,
  ])('blocks GET %s', async (target) => {
    refusedByNginx(await viaNginx('GET', target, { 'X-Api-Key': server.apiKey }));
  });

  it.each(['PUT', 'DELETE', 'PATCH', 'OPTIONS'])('blocks %s on a webhook path', async (method) => {
    refusedByNginx(await viaNginx(method, '/webhooks/test/test'));
  });

  it('blocks creating a payment with a valid API key, and nothing is created', async () => {
    const reference = `nginx-${Date.now()}`;
    const body = JSON.stringify(paymentBody({ reference }));
    refusedByNginx(await viaNginx('POST', '/api/v1/payments', { 'Content-Type': 'application/json', 'X-Api-Key': server.apiKey }, body));
    expect((await server.request('GET', `/api/v1/payments?reference=${reference}`)).body.data).toEqual([]);
  });

  it('refuses a webhook body over 1 MB (413) before it reaches the server', async () => {
    const response = await viaNginx('POST', '/webhooks/test/test', { 'Content-Type': 'application/json' }, 'x'.repeat(1024 * 1024 + 10));
    expect(response.status).toBe(413);
    expect(response.headers['content-type'] ?? '').not.toContain('problem+json');
  });

  // Runs last: it uses up the webhook allowance of nginx's address.
  it('sets X-Forwarded-For itself: a client cannot escape the per-address webhook limit by sending its own', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= WEBHOOK_LIMIT; i++) {
      const response = await viaNginx(
        'POST',
        '/webhooks/test/test',
        { 'Content-Type': 'application/json', 'Test-Signature': 'v1=bad', 'X-Forwarded-For': `198.51.100.${i + 1}` },
        '{}',
      );
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        break;
      }
    }
    expect(statuses[0]).toBe(401);
    expect(statuses[statuses.length - 1]).toBe(429);
  });
});
