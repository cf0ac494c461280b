import { DeliveryClaims } from '../../src/notifications/delivery.claims';
import { NotificationDelivery } from '../../src/notifications/notification-delivery.entity';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { enabledDialects } from '../support/services';
import { eventually, startTestServer, TestServer } from '../support/test-server';
import { WebhookReceiver } from '../support/webhook-receiver';
import { deliveriesOf, paidPayment, statusEndpoint } from '../support/notifications';

/**
 * The claim's UPDATE checks again what its SELECT saw: a delivery that another instance
 * claimed, failed and rescheduled in between keeps its backoff and is not sent at once.
 */
describe.each(enabledDialects())('notification claims on %s', (dialect) => {
  let database: TestDatabase;
  let server: TestServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    database = await createTestDatabase(dialect);
    server = await startTestServer({
      database,
      env: { PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: '60000' },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    await receiver?.stop();
  });

  it('does not take a delivery that is no longer due when its UPDATE runs', async () => {
    receiver.script('/down', { status: 500 });
    const endpoint = await statusEndpoint(server, { type: 'webhook', url: receiver.url('/down') });
    await paidPayment(server);
    // The first attempt fails: the delivery waits for the next step of the schedule (5 s).
    const [failing] = await eventually(async () => {
      const found = (await deliveriesOf(server, endpoint.id)).filter((d) => d.status === 'failing');
      return found.length > 0 && found;
    });
    const attempts = receiver.at('/down').length;
    const deliveries = server.dataSource.getRepository(NotificationDelivery);
    const row = await deliveries.findOneByOrFail({ id: failing.id });
    expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());

    // This instance's SELECT ran before that failure was recorded: it still sees the row due.
    const claims = server.server.app.get(DeliveryClaims);
    const repo = (claims as unknown as { deliveries: typeof deliveries }).deliveries;
    const select = repo.createQueryBuilder.bind(repo);
    jest.spyOn(repo, 'createQueryBuilder').mockImplementationOnce((alias?: string) => {
      const query = select(alias);
      jest
        .spyOn(query, 'getRawMany')
        .mockResolvedValue([{ id: row.id, endpointId: row.endpointId, type: 'webhook' }]);
      return query;
    });
    const claim = await claims.claim({
      types: ['webhook'],
      capacity: 10,
      inFlightByEndpoint: new Map(),
    });
    expect(claim).toBeUndefined();
    const after = await deliveries.findOneByOrFail({ id: row.id });
    expect(after.leaseToken).toBeNull();
    expect(after.nextAttemptAt.getTime()).toBe(row.nextAttemptAt.getTime());
    expect(receiver.at('/down')).toHaveLength(attempts);
  });
});
