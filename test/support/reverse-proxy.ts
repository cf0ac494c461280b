import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { freePort, paymentBody, startTestServer, TestServer } from './test-server';
import { INTERNAL_ROUTES, RawResponse, rawRequest, signedTestWebhook } from './perimeter';

/**
 * A real reverse proxy (nginx, apache2) run from one of the examples in deploy/, in front of
 * the server's public listener, over TLS with a throw-away certificate.
 */

/** The host name the deploy examples are written for. */
export const SERVER_NAME = 'pay.example.com';

const ROOT = path.resolve(__dirname, '../..');

/**
 * An example file from deploy/ with only its ports and certificate paths changed; fails if
 * any of `replacements` is no longer found, so the example cannot drift from what is tested.
 */
export function templatedExample(
  example: string,
  replacements: [string | RegExp, string][],
): string {
  let text = fs.readFileSync(path.join(ROOT, example), 'utf8');
  for (const [from, to] of replacements) {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`${example} no longer contains ${String(from)}`);
    text = next;
  }
  return text;
}

/** What a proxy's configuration is written from: its own temp folder, certificate and ports. */
export interface ProxySetup {
  dir: string;
  cert: string;
  key: string;
  /** The server's public (webhook) listener, the proxy's upstream. */
  publicPort: number;
  /** Where the proxy listens (TLS). */
  proxyPort: number;
}

export interface ReverseProxyOptions {
  /** The program, for the temp folder's name and error messages. */
  name: string;
  /** The server's per-address webhook limit (PAYMENTSERVER_WEBHOOK_RATE_LIMIT). */
  webhookLimit: number;
  /** Writes the proxy's configuration into `setup.dir`; returns how to run it in the foreground. */
  configure(setup: ProxySetup): { command: string; args: string[] };
  /** The signal that stops the proxy. */
  stopSignal: NodeJS.Signals;
  /** More to show when the proxy does not start (such as its error log). */
  diagnostics?: (dir: string) => string;
}

export interface ReverseProxy {
  readonly server: TestServer;
  readonly port: number;
  readonly webhookLimit: number;
  /** A raw request through the proxy over TLS, with the example's Host. */
  request(
    method: string,
    target: string,
    headers?: Record<string, string>,
    body?: string,
  ): Promise<RawResponse>;
}

/** The first of `candidates` that exists, else what `command -v` finds. */
export function findProgram(name: string, candidates: string[]): string | undefined {
  for (const candidate of candidates) {
    if (fs.existsSync(candidate)) return candidate;
  }
  try {
    return (
      execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined
    );
  } catch {
    return undefined;
  }
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
 * For the enclosing describe block: starts the server with its public listener, and the proxy
 * in front of it; stops both afterwards. The returned handle is filled in by `beforeAll`.
 */
export function useReverseProxy(options: ReverseProxyOptions): ReverseProxy {
  let server: TestServer;
  let dir: string | undefined;
  let proxy: ChildProcess | undefined;
  let proxyPort: number;
  let tls: ConnectionOptions;
  let output = '';

  beforeAll(async () => {
    server = await startTestServer({
      env: {
        PAYMENTSERVER_PUBLIC_PORT: '0',
        PAYMENTSERVER_WEBHOOK_RATE_LIMIT: String(options.webhookLimit),
      },
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `paymentserver-${options.name}-`));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        key,
        '-out',
        cert,
        '-subj',
        `/CN=${SERVER_NAME}`,
        '-addext',
        `subjectAltName=DNS:${SERVER_NAME}`,
      ],
      { stdio: 'ignore' },
    );
    tls = { ca: fs.readFileSync(cert), servername: SERVER_NAME };
    proxyPort = await freePort();
    const { command, args } = options.configure({
      dir,
      cert,
      key,
      publicPort: server.server.publicPort!,
      proxyPort,
    });
    const started = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proxy = started;
    started.stdout!.on('data', (chunk) => (output += chunk));
    started.stderr!.on('data', (chunk) => (output += chunk));
    const failure = () => `${output} ${options.diagnostics?.(dir!) ?? ''}`;
    for (let i = 0; i < 200; i++) {
      if (started.exitCode !== null) throw new Error(`${options.name} exited: ${failure()}`);
      if (await portOpen(proxyPort)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${options.name} did not listen on ${proxyPort}: ${failure()}`);
  });

  afterAll(async () => {
    if (proxy && proxy.exitCode === null) {
      const running = proxy;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill(options.stopSignal);
      await exited;
    }
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  return {
    get server() {
      return server;
    },
    get port() {
      return proxyPort;
    },
    webhookLimit: options.webhookLimit,
    request: (method, target, headers = {}, body) =>
      rawRequest(proxyPort, method, target, { Host: SERVER_NAME, ...headers }, { body, tls }),
  };
}

/** Targets that look like a webhook path but resolve, or might resolve, to something else. */
const WEBHOOK_LOOKALIKES = [
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
];

/**
 * The tests every proxy example must pass: signed webhooks go through to the server unchanged,
 * everything else is refused by the proxy itself (its own error page, not the server's
 * problem+json), bodies over 1 MB are refused (413), and a client cannot choose its X-Forwarded-For.
 * The last test uses up the webhook allowance of the proxy's address, so it is registered last.
 */
export function itPassesOnlyWebhooks(
  proxy: ReverseProxy,
  options: {
    /** The statuses the proxy refuses with. */
    refusalStatuses: number[];
    /** Whether the proxy itself answers the 413 (its own page), rather than passing the body on to the server's limit. */
    limitsBodyItself: boolean;
  },
): void {
  const signedWebhook = async (tamper: (body: string) => string = (body) => body) => {
    const webhook = await signedTestWebhook(proxy.server);
    const response = await proxy.request(
      'POST',
      '/webhooks/test/test',
      { 'Content-Type': 'application/json', 'Test-Signature': webhook.signature },
      tamper(webhook.body),
    );
    const status = async () =>
      (await proxy.server.request('GET', `/api/v1/payments/${webhook.paymentId}`)).body.status;
    return { response, status };
  };

  it('passes a signed webhook through unchanged: the signature verifies at the server and the payment is paid', async () => {
    const { response, status } = await signedWebhook();
    expect(response.status).toBe(200);
    expect(await status()).toBe('paid');
  });

  it('passes a webhook with a bad signature to the server, which answers 401 and changes nothing', async () => {
    const { response, status } = await signedWebhook((body) => body.replace('"paid"', '"failed"'));
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(await status()).toBe('pending');
  });

  const refusedByProxy = (response: RawResponse) => {
    expect(options.refusalStatuses).toContain(response.status);
    expect(response.headers['content-type'] ?? '').not.toContain('problem+json');
    expect(response.body).not.toContain('"data"');
  };

  it.each([...INTERNAL_ROUTES, ...WEBHOOK_LOOKALIKES])('blocks GET %s', async (target) => {
    refusedByProxy(await proxy.request('GET', target, { 'X-Api-Key': proxy.server.apiKey }));
  });

  it.each(['PUT', 'DELETE', 'PATCH', 'OPTIONS'])('blocks %s on a webhook path', async (method) => {
    refusedByProxy(await proxy.request(method, '/webhooks/test/test'));
  });

  it('blocks creating a payment with a valid API key, and nothing is created', async () => {
    const reference = `proxy-${Date.now()}`;
    const body = JSON.stringify(paymentBody({ reference }));
    refusedByProxy(
      await proxy.request(
        'POST',
        '/api/v1/payments',
        { 'Content-Type': 'application/json', 'X-Api-Key': proxy.server.apiKey },
        body,
      ),
    );
    expect(
      (await proxy.server.request('GET', `/api/v1/payments?reference=${reference}`)).body.data,
    ).toEqual([]);
  });

  const bodyLimit = options.limitsBodyItself
    ? 'refuses a webhook body over 1 MB (413) before it reaches the server'
    : 'refuses a webhook body over 1 MB (413)';
  it(bodyLimit, async () => {
    const response = await proxy.request(
      'POST',
      '/webhooks/test/test',
      { 'Content-Type': 'application/json' },
      'x'.repeat(1024 * 1024 + 10),
    );
    expect(response.status).toBe(413);
    if (options.limitsBodyItself)
      expect(response.headers['content-type'] ?? '').not.toContain('problem+json');
  });

  it('sets X-Forwarded-For itself: a client cannot escape the per-address webhook limit by sending its own', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= proxy.webhookLimit; i++) {
      const response = await proxy.request(
        'POST',
        '/webhooks/test/test',
        {
          'Content-Type': 'application/json',
          'Test-Signature': 'v1=bad',
          'X-Forwarded-For': `198.51.100.${i + 1}`,
        },
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
}
