import * as net from 'node:net';
import * as tls from 'node:tls';
import { TestWebhookSigner } from '../../src/providers/test/test-webhook.signer';
import { paymentBody, TestServer } from './test-server';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Routes of the internal listener (API, admin, health, docs, dashboard, hosted pages): never public. */
export const INTERNAL_ROUTES = [
  '/',
  '/health/live',
  '/health/ready',
  '/metrics',
  '/swagger',
  '/swagger/json',
  '/api/v1/payments',
  '/api/v1/admin/integrations',
  '/test-provider/checkout/tp_x',
  '/dashboard',
];

/**
 * Sends `request` byte for byte over a plain socket (no client library normalises the
 * target) and reads the answer until the server closes the connection.
 */
export function rawHttp(
  port: number,
  request: string,
  tlsOptions?: tls.ConnectionOptions,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = tlsOptions
      ? tls.connect({ ...tlsOptions, port, host: '127.0.0.1' })
      : net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...headerLines] = head.split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      const headers = Object.fromEntries(
        headerLines.map((line) => {
          const at = line.indexOf(':');
          return [line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()];
        }),
      );
      resolve({ status, headers, body: rest.join('\r\n\r\n') });
    });
    // No half-close: nginx treats a client that shuts its side as gone (499) before answering.
    socket.write(request);
  });
}

/** A GET (or other bodiless) request with `target` exactly as given. */
export function rawRequest(
  port: number,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  options: { body?: string; tls?: tls.ConnectionOptions } = {},
): Promise<RawResponse> {
  const lines = [`${method} ${target} HTTP/1.1`];
  const all: Record<string, string> = { Host: 'localhost', Connection: 'close', ...headers };
  if (options.body !== undefined) all['Content-Length'] = String(Buffer.byteLength(options.body));
  for (const [name, value] of Object.entries(all)) lines.push(`${name}: ${value}`);
  return rawHttp(port, lines.join('\r\n') + '\r\n\r\n' + (options.body ?? ''), options.tls);
}

/**
 * A pending payment on the test provider and a correctly signed `paid` webhook for it,
 * as the PSP would send it (odd whitespace on purpose: only the exact bytes verify).
 */
export async function signedTestWebhook(
  server: TestServer,
): Promise<{ paymentId: string; body: string; signature: string }> {
  const created = await server.request('POST', '/api/v1/payments', { body: paymentBody() });
  if (created.status !== 201) throw new Error(`payment not created: ${created.status}`);
  const providerPaymentId = created.body.provider.paymentId as string;
  const body =
    `{ "id": "tpevt_${providerPaymentId}",  "type": "payment.updated", "createdAt": "${new Date().toISOString()}",\n` +
    `  "data": {"id": "${providerPaymentId}", "status": "paid", "amount": {"value": 1050, "currency": "EUR"}, "amountCaptured": 1050} }`;
  const signature = server.server.app.get(TestWebhookSigner).sign('test', body);
  return { paymentId: created.body.id as string, body, signature };
}
