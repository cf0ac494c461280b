import { WebhookDelivery } from '../../src/webhooks/webhook-delivery.entity';
import { ConnectorHarness } from '../simulators/connector-e2e-support';
import { MollieSimulator } from '../simulators/mollie/mollie.simulator';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { enabledDialects } from '../support/services';
import { eventually, startTestServer, TestServer } from '../support/test-server';

/** Seconds, so that three days of retries fit in a test. */
const RETRY_ENV = {
  PAYMENTSERVER_WEBHOOK_RETRY_BASE_SECONDS: '1',
  PAYMENTSERVER_WEBHOOK_RETRY_MAX_DELAY_SECONDS: '4',
  PAYMENTSERVER_WEBHOOK_RETRY_HORIZON_SECONDS: '6',
  PAYMENTSERVER_WEBHOOK_RETRY_INTERVAL_MS: '100',
  PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0',
};
const HORIZON_MS = 6000;

/**
 * A stored provider webhook is never given up quietly: processing that fails is retried with
 * growing delays until the horizon, then the delivery is `dead` and counted in /metrics. On
 * MariaDB and PostgreSQL two server instances share the database and both run the retry job:
 * each attempt is still made once (the row is claimed with a lease).
 */
describe.each(enabledDialects())('the provider webhook inbox on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;
  let second: TestServer | undefined;
  let h: ConnectorHarness;
  const sims: MollieSimulator[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    server = await startTestServer({ database, env: RETRY_ENV });
    if (dialect !== 'sqlite') {
      second = await startTestServer({
        database,
        env: {
          ...RETRY_ENV,
          PAYMENTSERVER_BOOTSTRAP_API_KEY: server.apiKey,
          PAYMENTSERVER_ENCRYPTION_KEY: server.env.PAYMENTSERVER_ENCRYPTION_KEY,
        },
      });
    }
    h = await ConnectorHarness.open(server);
  });

  afterAll(async () => {
    for (const sim of sims) await sim.stop();
    await second?.stop();
    await server?.stop();
    await database?.drop();
  });

  /** A Mollie account of its own (its simulator's fault queue is this test's alone). */
  async function mollieAccount() {
    const sim = await new MollieSimulator().start();
    sims.push(sim);
    const account = await h.createAccount({
      provider: 'mollie',
      credentials: { apiKey: sim.apiKey },
      baseUrl: sim.url,
      settings: { requestTimeoutMs: 1000 },
    });
    expect(account.status).toBe(201);
    return {
      sim,
      accountId: account.body.id as string,
      webhookUrl: account.body.webhookUrl as string,
    };
  }

  /** A payment paid at Mollie whose webhook has not arrived yet. */
  async function paidAtMollie(sim: MollieSimulator, accountId: string) {
    const payment = await h.createPayment(accountId);
    sim.dropWebhooks = true;
    await h.checkout(payment.checkoutUrl, 'paid');
    return payment;
  }

  const deliver = (webhookUrl: string, providerPaymentId: string) =>
    fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `id=${providerPaymentId}`,
    });
  const row = (paymentId: string) =>
    server.dataSource.getRepository(WebhookDelivery).findOneByOrFail({ paymentId });

  it('retries a delivery while the PSP is down, with growing delays, then marks it dead at the horizon, in /metrics', async () => {
    const { sim, accountId, webhookUrl } = await mollieAccount();
    const payment = await paidAtMollie(sim, accountId);
    for (let i = 0; i < 50; i++) sim.failNextCall('unavailable'); // Mollie is down from here on
    const before = sim.calls.length;

    expect((await deliver(webhookUrl, payment.provider.paymentId)).status).toBe(200);

    // The delay each attempt scheduled, as the row says (the one cut short by the horizon left out).
    const delays = new Map<number, number>();
    const dead = await eventually(async () => {
      const current = await row(payment.id);
      if (
        current.lastAttemptAt &&
        current.nextAttemptAt &&
        current.nextAttemptAt.getTime() < current.receivedAt.getTime() + HORIZON_MS
      ) {
        delays.set(
          current.attempts,
          current.nextAttemptAt.getTime() - current.lastAttemptAt.getTime(),
        );
      }
      return current.status === 'dead' && current;
    }, 30_000);

    expect(dead).toMatchObject({
      verified: false,
      nextAttemptAt: null,
      processedAt: null,
      leaseToken: null,
      error: expect.stringContaining('503'),
    });
    expect(dead.attempts).toBeGreaterThanOrEqual(4);
    expect(dead.lastAttemptAt!.getTime()).toBeGreaterThanOrEqual(
      dead.receivedAt.getTime() + HORIZON_MS,
    );
    // One fetch per attempt: never two instances on the same delivery at once.
    expect(sim.calls.length - before).toBe(dead.attempts);
    const scheduled = [...delays.entries()].sort(([a], [b]) => a - b).map(([, delay]) => delay);
    expect(scheduled.length).toBeGreaterThanOrEqual(2);
    scheduled.slice(1).forEach((delay, i) => expect(delay).toBeGreaterThan(scheduled[i]));

    expect((await h.payment(payment.id)).status).toBe('pending');
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(metrics).toContain('paymentserver_provider_webhooks{provider="mollie",status="dead"} 1');
  });

  it('applies a delivery on the retry once the PSP answers again', async () => {
    const { sim, accountId, webhookUrl } = await mollieAccount();
    const payment = await paidAtMollie(sim, accountId);
    sim.failNextCall('unavailable');

    expect((await deliver(webhookUrl, payment.provider.paymentId)).status).toBe(200);
    const failed = await row(payment.id);
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: expect.stringContaining('503'),
    });
    expect(failed.nextAttemptAt!.getTime()).toBeGreaterThan(failed.lastAttemptAt!.getTime());

    await h.waitForStatus(payment.id, 'paid');
    const processed = await eventually(async () => {
      const current = await row(payment.id);
      return current.status === 'processed' && current;
    });
    expect(processed).toMatchObject({ attempts: 2, nextAttemptAt: null, error: null });
    expect((await h.events(payment.id)).filter((e) => e.toStatus === 'paid')).toEqual([
      expect.objectContaining({ source: 'webhook' }),
    ]);
  });
});
