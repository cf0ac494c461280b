import type { ChildProcess } from 'node:child_process';
import { Payment } from '../../src/payments/entities/payment.entity';
import { ConnectorHarness } from '../simulators/connector-e2e-support';
import { MollieSimulator } from '../simulators/mollie/mollie.simulator';
import type { SimRequest, SimResponse } from '../simulators/psp-simulator';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { holdWriteLock, released } from '../support/sqlite-write-lock';
import { eventually, paymentBody, startTestServer, TestServer } from '../support/test-server';

/** Mollie, whose answer to a create waits for `gate` when one is set (after doing the work). */
class GatedMollie extends MollieSimulator {
  gate?: () => Promise<void>;
  creates = 0;

  protected override async handle(request: SimRequest): Promise<SimResponse> {
    const response = await super.handle(request);
    if (request.method === 'POST' && request.path === '/v2/payments') {
      this.creates++;
      await this.gate?.();
    }
    return response;
  }
}

/**
 * A payment is stored `pending` before its provider call and the provider's answer in a second
 * transaction. When that one never commits (here: the database stays locked past its busy
 * timeout, so the shop gets a 503), the payment has no provider id, nothing polls it, and its
 * checkout was never handed out. Reconciliation fails it once no create can still be running,
 * and a provider call that outlives that wait does not reopen it.
 */
describe('creates that never finished', () => {
  let database: TestDatabase;
  let server: TestServer;
  let mollie: GatedMollie;
  let h: ConnectorHarness;
  let accountId: string;

  beforeAll(async () => {
    mollie = await new GatedMollie().start();
    database = await createTestDatabase('sqlite');
    server = await startTestServer({
      database,
      env: {
        PAYMENTSERVER_RECONCILE_AFTER_SECONDS: '0',
        PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0',
      },
    });
    h = await ConnectorHarness.open(server);
    const account = await h.createAccount({
      provider: 'mollie',
      credentials: { apiKey: mollie.apiKey },
      baseUrl: mollie.url,
      settings: { requestTimeoutMs: 8000 },
    });
    expect(account.status).toBe(201);
    accountId = account.body.id;
  });

  afterAll(async () => {
    await mollie?.stop();
    await server?.close();
  });

  const payments = () => server.dataSource.getRepository(Payment);

  /** Makes a payment look as old as `seconds` (reconciliation waits out running creates). */
  async function age(id: string, seconds: number): Promise<void> {
    await payments().update({ id }, { createdAt: new Date(Date.now() - seconds * 1000) });
  }

  it('fails a create whose outcome could not be stored, without a provider call', async () => {
    const reference = `unfinished-${Date.now()}`;
    const key = { 'idempotency-key': reference };
    const body = paymentBody({ providerAccountId: accountId, reference });
    // Mollie creates the payment; before its answer arrives, the database is locked for longer
    // than the server waits (busy_timeout 5 s), so storing the answer fails.
    let holder: ChildProcess | undefined;
    mollie.gate = async () => {
      holder = await holdWriteLock(database.env.PAYMENTSERVER_DB_URL, 6500);
    };
    const refused = await server.request('POST', '/api/v1/payments', { headers: key, body });
    mollie.gate = undefined;
    expect({ status: refused.status, body: refused.body }).toMatchObject({ status: 503 });
    await released(holder!);

    const [stuck] = await payments().findBy({ reference });
    expect(stuck).toMatchObject({ status: 'pending', providerPaymentId: null });

    // The shop retries with the same key: a new payment, the one whose checkout it shows.
    const retried = await server.request('POST', '/api/v1/payments', { headers: key, body });
    expect(retried.status).toBe(201);
    expect(retried.body.id).not.toBe(stuck.id);
    expect(retried.body.checkoutUrl).toEqual(expect.any(String));

    // Too young: a create may still be running.
    await h.reconcile();
    expect((await h.payment(stuck.id)).status).toBe('pending');

    await age(stuck.id, 3600);
    const callsBefore = mollie.calls.length;
    await h.reconcile();
    const closed = await h.payment(stuck.id);
    expect(closed).toMatchObject({
      status: 'failed',
      failure: { code: 'create_incomplete' },
      checkoutUrl: null,
    });
    const events = await h.events(stuck.id);
    expect(events[events.length - 1]).toMatchObject({
      fromStatus: 'pending',
      toStatus: 'failed',
      source: 'poll',
      ignored: false,
    });
    // The shop hears of it like of any failed payment.
    const [event] = await h.outbox(stuck.id, 'payment.status_changed');
    expect(event.data.payment).toMatchObject({ id: stuck.id, status: 'failed', reference });
    // Nothing was asked of Mollie about it (it has no Mollie id to ask with).
    const asked = mollie.calls.slice(callsBefore).filter((c) => !c.path.includes('tr_'));
    expect(asked).toEqual([]);
    // The shop's payment is untouched.
    expect((await h.payment(retried.body.id)).status).toBe('pending');

    // A second pass finds nothing more to close.
    await h.reconcile();
    expect(await h.outbox(stuck.id, 'payment.status_changed')).toHaveLength(1);
  }, 40_000);

  it('does not hand out the checkout of a create that was closed while Mollie answered', async () => {
    const reference = `closed-meanwhile-${Date.now()}`;
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const createsBefore = mollie.creates;
    mollie.gate = () => answered;
    const creating = server.request('POST', '/api/v1/payments', {
      body: paymentBody({ providerAccountId: accountId, reference }),
    });
    // Mollie has created it; the server is still waiting for the answer.
    const stored = await eventually(async () =>
      mollie.creates > createsBefore ? (await payments().findBy({ reference }))[0] : undefined,
    );
    mollie.gate = undefined;
    await age(stored.id, 3600);
    await h.reconcile();
    expect((await h.payment(stored.id)).status).toBe('failed');

    answer();
    const created = await creating;
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: stored.id,
      status: 'failed',
      failure: { code: 'create_incomplete' },
      checkoutUrl: null,
    });
    // Still closed, with no checkout; the provider's id is kept on the attempt for the record.
    expect(await h.payment(stored.id)).toMatchObject({ status: 'failed', checkoutUrl: null });
    const [attempt] = await server.dataSource.query(
      `SELECT outcome, providerPaymentId FROM payment_attempts WHERE paymentId = ?`,
      [stored.id],
    );
    expect(attempt).toMatchObject({ outcome: 'succeeded', providerPaymentId: expect.any(String) });
    const changes = await h.outbox(stored.id, 'payment.status_changed');
    expect(changes.map((e) => e.data.payment.status)).toEqual(['failed']);
  }, 40_000);
});
