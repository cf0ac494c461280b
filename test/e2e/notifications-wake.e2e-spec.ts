import { startTestServer, TestServer } from '../support/test-server';
import { endpointsPerTest, paidPayment } from '../support/notifications';
import { WebhookReceiver } from '../support/webhook-receiver';
import { enabledDialects } from '../support/services';

/**
 * A status change wakes this instance's delivery worker when its transaction commits: with the
 * idle poll at its longest (a minute), the shop still hears of a payment within seconds.
 */
describe.each(enabledDialects())('notification worker woken by a commit on %s', (dialect) => {
  let server: TestServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    server = await startTestServer({
      dialect,
      env: { PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: '60000' },
    });
    // The worker's first pass at start-up is behind us: from now on only a wake-up or the
    // minute-long poll would deliver.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  });

  const endpointForTest = endpointsPerTest(() => server);

  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
  });

  it('delivers a paid payment’s event within seconds, long before the next poll', async () => {
    await endpointForTest({ type: 'webhook', url: receiver.url('/wake') });
    const started = Date.now();
    const payment = await paidPayment(server);
    // Well inside the minute an idle poll would take.
    const deadline = started + 20_000;
    while (Date.now() < deadline && receiver.at('/wake').length === 0)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const [received] = receiver.at('/wake');
    expect(received).toBeDefined();
    expect(JSON.parse(received.body).data.payment.id).toBe(payment.id);
  });
});
