import { randomBytes } from 'node:crypto';
import { NotificationDelivery } from '../../src/notifications/notification-delivery.entity';
import { Payment } from '../../src/payments/entities/payment.entity';
import { Refund } from '../../src/payments/entities/refund.entity';
import { Cluster, nginxProgram, startCluster } from '../support/cluster';
import { ENDPOINTS, statusEndpoint } from '../support/notifications';
import { Dialect, serviceUrl } from '../support/services';
import { eventually, paymentBody, submitCheckout } from '../support/test-server';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * Three instances behind nginx (deploy/compose/nginx.conf) on one server database, under
 * concurrent load through nginx: nothing lost, nothing doubled. Counts and sums only, no
 * timing assertions.
 */
const ORDERS = 24;
/** Each order's create is sent this many times at once with one idempotency key. */
const COPIES = 3;
const REFUNDED_ORDERS = 8;
/** Concurrent refunds per refunded order: 5 × 300 on 1050 captured, so at most 3 fit. */
const REFUNDS_EACH = 5;

if (!nginxProgram && process.env.CI === 'true') {
  throw new Error('nginx must be installed in CI (apt-get install nginx-light)');
}
const dialects = (['postgres', 'mysql'] as Dialect[]).filter((d) =>
  serviceUrl(d as 'mysql' | 'postgres'),
);
const describeEach =
  dialects.length > 0 && nginxProgram
    ? describe.each(dialects)
    : describe.skip.each([['none' as Dialect]]);

/** Runs `work` over `items` with at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]);
      }
    }),
  );
  return results;
}

describeEach('three instances behind nginx on one %s database, under load', (dialect) => {
  let cluster: Cluster;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    cluster = await startCluster(dialect, {
      env: {
        PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: '100',
        PAYMENTSERVER_NOTIFICATION_LEASE_SECONDS: '60',
      },
    });
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
    await receiver?.stop();
  });

  it('creates each order once, never refunds more than captured, and delivers every event once', async () => {
    const [first] = cluster.servers;
    const endpoint = await statusEndpoint(first, {
      type: 'webhook',
      url: receiver.url('/scale-out'),
    });
    const run = randomBytes(4).toString('hex');
    const orders = Array.from({ length: ORDERS }, (_, i) => `so-${run}-${i}`);

    // Every order's create, three times at once with one key, through nginx's round robin.
    const creates = await pool(orders, 4, async (reference) => {
      const body = paymentBody({
        reference,
        description: `Order ${reference}`,
        amount: { value: 1050, currency: 'EUR' },
      });
      const responses = await Promise.all(
        Array.from({ length: COPIES }, () =>
          cluster.request('POST', '/api/v1/payments', {
            body,
            headers: { 'idempotency-key': `key-${reference}` },
          }),
        ),
      );
      return { reference, responses };
    });
    const ids = new Map<string, string>();
    for (const { reference, responses } of creates) {
      const created = responses.filter((r) => r.status === 201);
      const inFlight = responses.filter((r) => r.status === 409);
      expect(created.length + inFlight.length).toBe(COPIES);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
      ids.set(reference, created[0].body.id);
    }
    const payments = first.dataSource.getRepository(Payment);
    const stored = await payments.find({ select: { id: true, reference: true } });
    const ours = stored.filter((p) => p.reference?.startsWith(`so-${run}-`));
    expect(ours).toHaveLength(ORDERS);
    expect(new Set(ours.map((p) => p.id))).toEqual(new Set(ids.values()));
    const q = first.dataSource.driver.escape.bind(first.dataSource.driver);
    const providerCalls = await first.dataSource.query(
      `SELECT COUNT(*) AS n FROM ${q('test_provider_payments')} WHERE ${q('description')} LIKE 'Order so-${run}-%'`,
    );
    expect(Number(providerCalls[0].n)).toBe(ORDERS);

    // The customers pay.
    await pool([...ids.values()], 4, async (id) => {
      const payment = await cluster.request('GET', `/api/v1/payments/${id}`);
      expect((await submitCheckout(payment.body.checkoutUrl, { outcome: 'paid' })).status).toBe(
        303,
      );
    });

    // Concurrent partial refunds, spread over the three instances by nginx.
    const refunded = [...ids.values()].slice(0, REFUNDED_ORDERS);
    const refundAnswers = await pool(refunded, 2, (id) =>
      Promise.all(
        Array.from({ length: REFUNDS_EACH }, () =>
          cluster.request('POST', `/api/v1/payments/${id}/refunds`, {
            body: { amount: { value: 300, currency: 'EUR' } },
          }),
        ),
      ),
    );
    const refunds = first.dataSource.getRepository(Refund);
    for (const [i, id] of refunded.entries()) {
      const answers = refundAnswers[i];
      const accepted = answers.filter((r) => r.status === 201);
      const refused = answers.filter((r) => r.status === 422);
      expect(accepted.length + refused.length).toBe(REFUNDS_EACH);
      expect(accepted).toHaveLength(3);
      refused.forEach((r) => expect(r.body.code).toBe('refund_exceeds_available'));
      const rows = await refunds.find({ where: { paymentId: id } });
      const sum = rows.reduce((total, r) => total + Number(r.amountValue), 0);
      expect(rows).toHaveLength(accepted.length);
      expect(sum).toBe(900);
      expect(sum).toBeLessThanOrEqual(1050);
    }

    // Every event for the endpoint reaches it, once: webhook-id is the event id.
    const deliveries = first.dataSource.getRepository(NotificationDelivery);
    const expected = async () =>
      (
        await deliveries.find({ where: { endpointId: endpoint.id }, select: { eventId: true } })
      ).map((d) => d.eventId);
    await eventually(async () => {
      const counts = (
        await cluster.request('GET', `${ENDPOINTS}/${endpoint.id}`, {
          token: await first.adminToken(),
        })
      ).body.deliveryCounts;
      return counts.pending === 0 && counts.failing === 0;
    }, 120_000);
    const eventIds = await expected();
    expect(eventIds.length).toBeGreaterThanOrEqual(ORDERS);
    const received = receiver.at('/scale-out').map((r) => r.headers['webhook-id']);
    expect(new Set(received)).toEqual(new Set(eventIds));
    // The receiver answered each at once, well within the lease: nothing may come twice.
    expect(received).toHaveLength(eventIds.length);
  }, 300_000);
});
