/**
 * The physical limit: create-payment on bare `node:http` and the database driver. Same
 * essential work as PaymentServer (API-key lookup by hash, validation of the nested body,
 * payment + history + outbox rows in one transaction, 201 JSON), nothing else.
 *
 *   BENCH_TARGET_PORT=… BENCH_DB=sqlite|mysql|postgres BENCH_DB_URL=… node dist/bench/targets/raw-node.server.js
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import { BenchDialect, openLimitStore } from './limit-store';
import { CreatePaymentBody, paymentRows, validateCreatePayment } from './payment-rows';

const BODY_LIMIT = 1024 * 1024;

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  type = 'application/json',
): void {
  const json = JSON.stringify(body);
  res
    .writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(json) })
    .end(json);
}

const problem = (res: http.ServerResponse, status: number, title: string, errors?: unknown) =>
  send(res, status, { type: 'about:blank', status, title, errors }, 'application/problem+json');

async function main(): Promise<void> {
  const store = await openLimitStore(
    process.env.BENCH_DB as BenchDialect,
    process.env.BENCH_DB_URL!,
  );
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') return send(res, 200, { status: 'ok' });
    if (req.method !== 'POST' || req.url !== '/api/v1/payments')
      return problem(res, 404, 'Not found');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) chunks.push(chunk);
    });
    req.on('end', () => {
      void (async () => {
        const key = req.headers['x-api-key'];
        const integration =
          typeof key === 'string' && key.length <= 512
            ? await store.integrationByKeyHash(createHash('sha256').update(key).digest('hex'))
            : undefined;
        if (!integration) return problem(res, 401, 'Invalid API key');
        if (size > BODY_LIMIT) return problem(res, 413, 'Body too large');
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return problem(res, 400, 'Body is not JSON');
        }
        const errors = validateCreatePayment(body);
        if (errors.length > 0) return problem(res, 400, 'Invalid request', errors);
        const rows = paymentRows(integration.id, body as CreatePaymentBody);
        await store.insertPayment(rows);
        send(res, 201, rows.view);
      })().catch((error: Error) => {
        process.stderr.write(`raw-node: ${error.message}\n`);
        if (!res.headersSent) problem(res, 500, 'Internal error');
      });
    });
  });
  server.listen(Number(process.env.BENCH_TARGET_PORT ?? 0), '127.0.0.1');
  process.on('SIGTERM', () => {
    server.close(() => void store.close().then(() => process.exit(0)));
    server.closeIdleConnections();
  });
}

void main().catch((error) => {
  process.stderr.write(`raw-node failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
