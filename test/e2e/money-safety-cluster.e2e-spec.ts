import { createTestDatabase, TestDatabase } from '../support/databases';
import { Dialect, serviceUrl } from '../support/services';
import { startPeer, startTestServer, TestServer } from '../support/test-server';
import { ConnectorHarness } from '../simulators/connector-e2e-support';
import { MollieSimulator } from '../simulators/mollie/mollie.simulator';

/**
 * Two server instances on one database, both reconciling: an operation whose outcome is
 * unknown is taken by one of them at a time (a lease claimed by a conditional UPDATE), so it is
 * never sent twice at once, and a re-send is looked up first.
 */
const dialects = (['mysql', 'postgres'] as Dialect[]).filter((d) =>
  serviceUrl(d as 'mysql' | 'postgres'),
);
const describeEach =
  dialects.length > 0 ? describe.each(dialects) : describe.skip.each([['none' as Dialect]]);

describeEach('open operations reconciled by two instances sharing one %s database', (dialect) => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let mollie: MollieSimulator;
  let ha: ConnectorHarness;
  let hb: ConnectorHarness;
  let accountId: string;

  beforeAll(async () => {
    mollie = await new MollieSimulator().start();
    database = await createTestDatabase(dialect);
    const env = {
      PAYMENTSERVER_RECONCILE_AFTER_SECONDS: '0',
      PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0',
      PAYMENTSERVER_RECONCILE_RETRY_SCHEDULE: '0',
    };
    a = await startTestServer({ database, env });
    b = await startPeer(a, database, env);
    ha = await ConnectorHarness.open(a);
    hb = await ConnectorHarness.open(b);
    const account = await ha.createAccount({
      provider: 'mollie',
      credentials: { apiKey: mollie.apiKey },
      baseUrl: mollie.url,
      settings: { requestTimeoutMs: 2000 },
    });
    expect(account.status).toBe(201);
    accountId = account.body.id;
  });

  afterAll(async () => {
    await mollie?.stop();
    await a?.stop();
    await b?.stop();
    await database?.drop();
  });

  it('sends a refund that Mollie never received once more, whichever instance gets it first', async () => {
    const payment = await ha.createPayment(accountId);
    await ha.checkout(payment.checkoutUrl, 'paid');
    await ha.waitForStatus(payment.id, 'paid');
    const path = new RegExp(`^/v2/payments/${payment.provider.paymentId}/refunds$`);
    mollie.settleRefunds = false;
    mollie.failNextCall('unavailable', { method: 'POST', path });
    const refund = await a.request('POST', `/api/v1/payments/${payment.id}/refunds`, { body: {} });
    expect(refund.body.status).toBe('pending');

    for (let round = 0; round < 3; round++) await Promise.all([ha.reconcile(), hb.reconcile()]);

    expect(mollie.callsTo('POST', path)).toHaveLength(2);
    expect(mollie.payments.get(payment.provider.paymentId)!.refunds).toHaveLength(1);
    await mollie.settlePendingRefunds({ notify: false });
    await Promise.all([ha.reconcile(), hb.reconcile()]);
    expect(await hb.payment(payment.id)).toMatchObject({
      status: 'refunded',
      amountRefunded: 1050,
    });
    expect(await ha.refundChanges(payment.id)).toHaveLength(1);
  });

  it('captures once when both instances look at a capture whose request never arrived', async () => {
    const payment = await ha.createPayment(accountId, { captureMode: 'manual', method: 'card' });
    await ha.checkout(payment.checkoutUrl, 'paid');
    await ha.waitForStatus(payment.id, 'authorized');
    const path = new RegExp(`^/v2/payments/${payment.provider.paymentId}/captures$`);
    mollie.failNextCall('unavailable', { method: 'POST', path });
    const captured = await b.request('POST', `/api/v1/payments/${payment.id}/capture`, {
      body: {},
    });
    expect(captured.body).toMatchObject({
      status: 'authorized',
      pendingOperation: { type: 'capture', stage: 'unknown' },
    });

    await Promise.all([ha.reconcile(), hb.reconcile()]);
    expect(await ha.payment(payment.id)).toMatchObject({
      status: 'paid',
      amountCaptured: 1050,
      pendingOperation: null,
    });
    expect(mollie.callsTo('POST', path)).toHaveLength(2);
    expect(mollie.payments.get(payment.provider.paymentId)!.captures).toHaveLength(1);
  });
});
