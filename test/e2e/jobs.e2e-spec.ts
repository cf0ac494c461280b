import { SchedulerRegistry } from '@nestjs/schedule';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * Every periodic job is a class registered with @nestjs/schedule's SchedulerRegistry under its
 * own name, with its interval from configuration, and is gone when the server stops.
 */
describe('periodic jobs', () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('registers each job with its configured interval and removes them all on shutdown', async () => {
    server = await startTestServer({
      env: {
        PAYMENTSERVER_WEBHOOK_RETRY_INTERVAL_MS: '700',
        PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: '300',
        PAYMENTSERVER_NOTIFICATION_LEASE_SECONDS: '9',
        PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '42',
      },
    });
    const registry = server.server.app.get(SchedulerRegistry);
    expect(registry.getIntervals().sort()).toEqual([
      'NotificationLeaseRenewalJob',
      'NotificationPollJob',
      'ReconciliationJob',
      'RetentionJob',
      'WebhookRetryJob',
    ]);
    const repeat = (name: string) =>
      (registry.getInterval(name) as unknown as { _repeat: number })._repeat;
    expect(repeat('WebhookRetryJob')).toBe(700);
    expect(repeat('NotificationPollJob')).toBe(300);
    expect(repeat('NotificationLeaseRenewalJob')).toBe(3000);
    expect(repeat('ReconciliationJob')).toBe(42_000);
    expect(repeat('RetentionJob')).toBe(3_600_000);

    await server.stop();
    expect(registry.getIntervals()).toEqual([]);
  });

  it('leaves reconciliation off when its interval is 0', async () => {
    server = await startTestServer({ env: { PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS: '0' } });
    const registry = server.server.app.get(SchedulerRegistry);
    expect(registry.getIntervals()).not.toContain('ReconciliationJob');
    expect(registry.getIntervals()).toContain('WebhookRetryJob');
  });
});
