import { SchedulerRegistry } from '@nestjs/schedule';
import { startTestServer, TestServer } from '../support/test-server';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { enabledDialects } from '../support/services';
import { RetentionJob } from '../../src/retention/retention.job';
import { RetentionService } from '../../src/retention/retention.service';
import { JobLock } from '../../src/common/jobs/job-lock.entity';

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
    // RateLimitSyncJob runs on server databases only: on SQLite the limits stay in memory.
    expect(registry.getIntervals().sort()).toEqual([
      'CircuitSyncJob',
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
    expect(repeat('CircuitSyncJob')).toBe(1000);

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

/**
 * Two instances on one database: each tick of a single-instance job runs on one of them, and
 * the lease records how the last pass ended.
 */
describe.each(enabledDialects())('a single-instance job on two instances (%s)', (dialect) => {
  let database: TestDatabase;
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    first = await startTestServer({ database });
    second = await startTestServer({ database });
  });

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await database?.drop();
  });

  const lockRow = () =>
    first.dataSource.getRepository(JobLock).findOneByOrFail({ name: 'RetentionJob' });

  it('runs each tick on one instance, records the result, and lets the next tick run anywhere', async () => {
    const purges = [first, second].map((server) =>
      jest.spyOn(server.server.app.get(RetentionService), 'purge'),
    );
    const jobs = [first, second].map((server) => server.server.app.get(RetentionJob));

    await Promise.all(jobs.map((job) => job.tick()));
    expect(purges[0].mock.calls.length + purges[1].mock.calls.length).toBe(1);
    const after = await lockRow();
    expect(after).toMatchObject({ holder: null, lastResult: 'succeeded', lastError: null });
    // Kept for nobody until about the next tick: an instance that ticks now skips.
    expect(after.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    await jobs[1].tick();
    await jobs[0].tick();
    expect(purges[0].mock.calls.length + purges[1].mock.calls.length).toBe(1);

    // The next tick (here: the lease moved into the past) runs on whichever instance comes first.
    await first.dataSource
      .getRepository(JobLock)
      .update({ name: 'RetentionJob' }, { lockedUntil: new Date(Date.now() - 1000) });
    purges[1].mockRejectedValueOnce(new Error('database went away'));
    await jobs[1].tick();
    expect(purges[0].mock.calls.length + purges[1].mock.calls.length).toBe(2);
    expect(await lockRow()).toMatchObject({
      holder: null,
      lastResult: 'failed',
      lastError: 'database went away',
    });
    purges.forEach((purge) => purge.mockRestore());
  });

  it('takes over a lease whose holder died once it times out', async () => {
    await first.dataSource
      .getRepository(JobLock)
      .update(
        { name: 'RetentionJob' },
        { holder: 'crashed-instance', lockedUntil: new Date(Date.now() + 60_000) },
      );
    const purge = jest.spyOn(second.server.app.get(RetentionService), 'purge');
    await second.server.app.get(RetentionJob).tick();
    expect(purge).not.toHaveBeenCalled();
    await first.dataSource
      .getRepository(JobLock)
      .update({ name: 'RetentionJob' }, { lockedUntil: new Date(Date.now() - 1) });
    await second.server.app.get(RetentionJob).tick();
    expect(purge).toHaveBeenCalledTimes(1);
    expect(await lockRow()).toMatchObject({ holder: null, lastResult: 'succeeded' });
    purge.mockRestore();
  });
});
