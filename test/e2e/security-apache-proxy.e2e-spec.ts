import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { freePort, paymentBody, startTestServer, TestServer } from '../support/test-server';
import { rawRequest, signedTestWebhook } from '../support/perimeter';

/**
 * The Apache example, run by Debian's apache2. `.ci/run` installs it; locally the suite is
 * skipped without apache2, and in CI a missing apache2 fails it instead.
 */
const EXAMPLE = path.join(__dirname, '../../deploy/apache/paymentserver.conf');
const SERVER_NAME = 'pay.example.com';
/** Low, so that the last test can reach it. */
const WEBHOOK_LIMIT = 6;
const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';
const available = fs.existsSync(APACHE) && fs.existsSync(path.join(MODULES, 'mod_proxy_http.so'));
if (!available && process.env.CI === 'true') {
  throw new Error(`${APACHE} with mod_proxy_http is required in CI: the Apache example suite may not be skipped`);
}

function templated(publicPort: number, port: number, cert: string, key: string): string {
  const replacements: [string | RegExp, string][] = [
    ['<VirtualHost *:443>', `<VirtualHost 127.0.0.1:${port}>`],
    [/http:\/\/127\.0\.0\.1:28889\//g, `http://127.0.0.1:${publicPort}/`],
    ['/etc/ssl/certs/pay.example.com.pem', cert],
    ['/etc/ssl/private/pay.example.com.key', key],
  ];
  let text = fs.readFileSync(EXAMPLE, 'utf8');
  for (const [from, to] of replacements) {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`deploy/apache/paymentserver.conf no longer contains ${String(from)}`);
    text = next;
  }
  return text;
}

(available ? describe : describe.skip)('the Apache example (deploy/apache) with Debian\'s apache2 in front of the server', () => {
  let server: TestServer;
  let dir: string;
  let proxy: ChildProcess;
  let proxyPort: number;
  let tls: ConnectionOptions;
  let output = '';
  const readLog = () => (fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : '');

  beforeAll(async () => {
    server = await startTestServer({ env: { PAYMENTSERVER_PUBLIC_PORT: '0', PAYMENTSERVER_WEBHOOK_RATE_LIMIT: String(WEBHOOK_LIMIT) } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paymentserver-apache-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
      '-keyout', key, '-out', cert, '-subj', `/CN=${SERVER_NAME}`, '-addext', `subjectAltName=DNS:${SERVER_NAME}`,
    ], { stdio: 'ignore' });
    tls = { ca: fs.readFileSync(cert), servername: SERVER_NAME };
    proxyPort = await freePort();
    fs.writeFileSync(path.join(dir, 'paymentserver.conf'), templated(server.server.publicPort!, proxyPort, cert, key));
    const modules = ['mpm_event', 'authz_core', 'socache_shmcb', 'ssl', 'proxy', 'proxy_http', 'rewrite', 'headers'];
    fs.writeFileSync(
      path.join(dir, 'httpd.conf'),
      [
        `ServerRoot ${dir}`,
        'ServerName localhost',
        `DefaultRuntimeDir ${dir}`,
        `PidFile ${dir}/apache.pid`,
        `Mutex file:${dir} default`,
        `ErrorLog ${dir}/error.log`,
        'LogLevel warn',
        ...modules.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
        ...(process.getuid?.() === 0 ? ['User www-data', 'Group www-data'] : []),
        `Listen 127.0.0.1:${proxyPort} https`,
        `Include ${dir}/paymentserver.conf`,
      ].join('\n'),
    );
    proxy = spawn(APACHE, ['-f', path.join(dir, 'httpd.conf'), '-DFOREGROUND'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proxy.stdout!.on('data', (chunk) => (output += chunk));
    proxy.stderr!.on('data', (chunk) => (output += chunk));
    for (let i = 0; ; i++) {
      if (proxy.exitCode !== null || i > 200) throw new Error(`apache2 did not start: ${output} ${readLog()}`);
      const open = await new Promise<boolean>((resolve) => {
        const socket = net.connect(proxyPort, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
      if (open) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  afterAll(async () => {
    if (proxy && proxy.exitCode === null) {
      const exited = new Promise((resolve) => proxy.once('exit', resolve));
      proxy.kill('SIGTERM');
      await exited;
    }
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const viaApache = (method: string, target: string, headers: Record<string, string> = {}, body?: string) =>
    rawRequest(proxyPort, method, target, { Host: SERVER_NAME, ...headers }, { body, tls });

  it('passes a signed webhook through unchanged: the signature verifies and the payment is paid', async () => {
    const webhook = await signedTestWebhook(server);
    const response = await viaApache('POST', '/webhooks/test/test', { 'Content-Type': 'application/json', 'Test-Signature': webhook.signature }, webhook.body);
    expect(response.status).toBe(200);
    expect((await server.request('GET', `/api/v1/payments/${webhook.paymentId}`)).body.status).toBe('paid');
  });

  it('passes a webhook with a bad signature to the server, which answers 401', async () => {
    const webhook = await signedTestWebhook(server);
    const response = await viaApache('POST', '/webhooks/test/test', { 'Content-Type': 'application/json', 'Test-Signature': webhook.signature }, webhook.body.replace('"paid"', '"failed"'));
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  const refusedByApache = (response: { status: number; headers: Record<string, string>; body: string }) => {
    expect([400, 403, 404, 405]).toContain(response.status);
    expect(response.headers['content-type'] ?? '').not.toContain('problem+json');
    expect(response.body).not.toContain('"data"');
  };

  it.each([
    '/',
    '/health/live',
    '/swagger/json',
    '/dashboard',
    '/api/v1/payments',
    '/api/v1/admin/integrations',
    '/webhooks/',
    '/webhooks/test',
    '/webhooks/test/test/',
    '/webhooks/../api/v1/payments',
    '/webhooks/test/../../api/v1/payments',
    '/webhooks/%2e%2e/api/v1/payments',
    '/webhooks/test/test%2f..%2f..%2f..%2fapi%2fv1%2fpayments',
    '//webhooks/test/test',
    '/webhooks//test/test',
    '/webhooks/test/./test',
    `https://${SERVER_NAME}/api/v1/payments`,
    `http://${SERVER_NAME}/webhooks/../api/v1/payments`,
  ])('blocks GET %s', async (target) => {
    refusedByApache(await viaApache('GET', target, { 'X-Api-Key': server.apiKey }));
  });

  it.each(['PUT', 'DELETE', 'PATCH', 'OPTIONS'])('blocks %s on a webhook path', async (method) => {
    refusedByApache(await viaApache(method, '/webhooks/test/test'));
  });

  it('blocks creating a payment with a valid API key', async () => {
    const body = JSON.stringify(paymentBody());
    refusedByApache(await viaApache('POST', '/api/v1/payments', { 'Content-Type': 'application/json', 'X-Api-Key': server.apiKey }, body));
  });

  it('refuses a webhook body over 1 MB (413)', async () => {
    const response = await viaApache('POST', '/webhooks/test/test', { 'Content-Type': 'application/json' }, 'x'.repeat(1024 * 1024 + 10));
    expect(response.status).toBe(413);
  });

  // Runs last: it uses up the webhook allowance of the proxy's address.
  it('replaces X-Forwarded-For: a client cannot escape the per-address webhook limit by sending its own', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= WEBHOOK_LIMIT; i++) {
      const response = await viaApache(
        'POST',
        '/webhooks/test/test',
        { 'Content-Type': 'application/json', 'Test-Signature': 'v1=bad', 'X-Forwarded-For': `198.51.100.${i + 1}` },
        '{}',
      );
      statuses.push(response.status);
      if (response.status === 429) break;
    }
    expect(statuses[0]).toBe(401);
    expect(statuses[statuses.length - 1]).toBe(429);
  });
});
