import { TransactionService } from '../../src/database/transaction.service';
import { WebhookDelivery } from '../../src/webhooks/webhook-delivery.entity';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { signedTestWebhook } from '../support/perimeter';
import { holdWriteLock, released } from '../support/sqlite-write-lock';
import { paymentBody, startTestServer, TestServer } from '../support/test-server';

/**
 * Another connection holds SQLite's write lock for a moment (a second instance on the same
 * file, or the WAL checkpointer's RESTART, which holds writers back while it finishes). A
 * transaction that reads before it writes must wait for the lock like any write does, not
 * fail with "database is locked": SQLite does not wait when a read transaction asks to become
 * a write transaction, so every transaction takes the write lock at BEGIN (BEGIN IMMEDIATE).
 */
describe('SQLite transactions while another connection holds the write lock', () => {
  let database: TestDatabase;
  let server: TestServer;
  let file: string;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    file = database.env.PAYMENTSERVER_DB_URL;
    server = await startTestServer({ database });
  });

  afterAll(async () => {
    await server?.close();
  });

  const holdLock = (ms: number) => holdWriteLock(file, ms);

  it('runs a transaction that reads before it writes once the lock is free', async () => {
    const tx = server.server.app.get(TransactionService, { strict: false });
    const holder = await holdLock(300);
    const started = Date.now();
    const result = await tx.run(async (m) => {
      const [row] = await m.query('SELECT COUNT(*) AS n FROM payments');
      await m.query(`UPDATE payments SET description = description WHERE id = 'none'`);
      return Number(row.n);
    });
    expect(result).toBeGreaterThanOrEqual(0);
    // It waited for the holder instead of failing at once.
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await released(holder);
  });

  it('cancels a payment for a shop while the lock is held, instead of failing', async () => {
    const created = await server.request('POST', '/api/v1/payments', {
      body: paymentBody({ reference: 'write-lock-cancel' }),
    });
    expect(created.status).toBe(201);
    const holder = await holdLock(300);
    const cancelled = await server.request('POST', `/api/v1/payments/${created.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('canceled');
    await released(holder);
  });

  it('answers 503 with Retry-After when the lock stays held past busy_timeout; the retry works', async () => {
    const created = await server.request('POST', '/api/v1/payments', {
      body: paymentBody({ reference: 'write-lock-503' }),
    });
    expect(created.status).toBe(201);
    // Longer than the connection's busy_timeout (5 s): SQLite gives up waiting.
    let holder = await holdLock(6500);
    const refused = await server.request('POST', `/api/v1/payments/${created.body.id}/cancel`);
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('database_unavailable');
    expect(refused.headers.get('retry-after')).toBe('1');
    await released(holder);
    const cancelled = await server.request('POST', `/api/v1/payments/${created.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('canceled');

    // An idempotent create refused that way is not stored as its answer: the retry with the
    // same key creates the payment, once.
    const key = { 'idempotency-key': 'write-lock-503-create' };
    const body = paymentBody({ reference: 'write-lock-503-create' });
    holder = await holdLock(6500);
    const busy = await server.request('POST', '/api/v1/payments', { headers: key, body });
    expect(busy.status).toBe(503);
    await released(holder);
    const retried = await server.request('POST', '/api/v1/payments', { headers: key, body });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    const again = await server.request('POST', '/api/v1/payments', { headers: key, body });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(retried.body.id);
    const [{ n }] = await server.dataSource.query(
      `SELECT COUNT(*) AS n FROM payments WHERE reference = 'write-lock-503-create'`,
    );
    expect(Number(n)).toBe(1);
  }, 40_000);

  it('answers a PSP 503 for a webhook it could not store, so the PSP sends it again', async () => {
    const webhook = await signedTestWebhook(server);
    const post = () =>
      fetch(`${server.baseUrl}/webhooks/test/test`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'test-signature': webhook.signature },
        body: webhook.body,
      });
    // Held past two busy_timeouts: the one-transaction path and then the stored path give up.
    const holder = await holdLock(11_500);
    const refused = await post();
    expect(refused.status).toBe(503);
    await released(holder);
    // Nothing was stored and nothing changed: a 2xx would have lost the webhook.
    expect(
      await server.dataSource
        .getRepository(WebhookDelivery)
        .countBy({ paymentId: webhook.paymentId }),
    ).toBe(0);
    const before = await server.request('GET', `/api/v1/payments/${webhook.paymentId}`);
    expect(before.body.status).toBe('pending');

    // The PSP's next attempt goes through.
    expect((await post()).status).toBe(200);
    const after = await server.request('GET', `/api/v1/payments/${webhook.paymentId}`);
    expect(after.body.status).toBe('paid');
  }, 40_000);
});
