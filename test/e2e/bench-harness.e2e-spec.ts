/**
 * The bench harness works: a smoke run (a few requests per phase, servers from source) starts
 * every server under test and gets real answers. Behaviour only: no figure is asserted, speed
 * is measured by `npm run bench` alone.
 */
import { parseOptions } from '../../bench/support/options';
import { runCreatePayment } from '../../bench/scenarios/create-payment.scenario';
import { runWebhookIntake } from '../../bench/scenarios/webhook-intake.scenario';
import { runNotifications } from '../../bench/scenarios/notifications.scenario';
import { runScaleOut } from '../../bench/scenarios/scale-out.scenario';
import { compareBuilds } from '../../bench/ab/compare-builds';
import { ROOT } from '../../bench/support/targets';
import { findNginx } from '../../bench/support/nginx';
import { cpuTimes, stolenPercent } from '../../bench/support/machine';
import { enabledDialects, serviceUrl } from '../support/services';

const quiet = () => undefined;

function smokeOptions(dialect: string) {
  return parseOptions(['--smoke'], {
    BENCH_DB: dialect,
    BENCH_MYSQL_URL: serviceUrl('mysql') ?? '',
    BENCH_POSTGRES_URL: serviceUrl('postgres') ?? '',
    BENCH_RABBITMQ_URL: serviceUrl('rabbitmq') ?? '',
  });
}

describe('bench harness (smoke run)', () => {
  for (const dialect of enabledDialects()) {
    it(`create-payment on ${dialect}: raw Node, minimal NestJS and PaymentServer each answer 201 and store every payment`, async () => {
      const result = await runCreatePayment(smokeOptions(dialect), quiet);
      expect(result.targets.map((t) => t.target)).toEqual([
        'raw-node',
        'minimal-nest',
        'paymentserver',
      ]);
      for (const target of result.targets) {
        for (const phase of [target.peak, target.halfRate, target.sequential]) {
          expect(phase.ok).toBeGreaterThan(0);
          expect(phase.failed).toBe(0);
        }
        // Requests cut off at the end of a closed-loop phase may be stored without being counted.
        expect(target.paymentsStored).toBeGreaterThanOrEqual(target.created);
        expect(target.peakRssMb).toBeGreaterThan(0);
        // CPU is read from /proc for every phase, the half rate's included (Linux only).
        if (process.platform === 'linux') {
          expect(target.cpuMsPerCreate.halfRate!.process).toBeGreaterThan(0);
          expect(target.cpuMsPerCreate.halfRate!.mainThread).toBeGreaterThan(0);
        }
      }
    }, 600_000);
  }

  it('bench:ab on sqlite: two builds measured in turns, each answering 201s, with their ratio and tail', async () => {
    const result = await compareBuilds(
      { label: 'A', root: ROOT },
      { label: 'B', root: ROOT },
      smokeOptions('sqlite'),
      1,
      quiet,
      20,
    );
    expect(result.runs.map((run) => run.build)).toEqual(['A', 'B']);
    for (const run of result.runs) {
      expect(run.ok).toBeGreaterThan(0);
      expect(run.failed).toBe(0);
      expect(run.cpuMsPerCreate).toBeGreaterThan(0);
      expect(run.peakRssMb).toBeGreaterThan(0);
      expect(run.tail?.rate).toBe(20);
      expect(run.tail!.p99).toBeGreaterThanOrEqual(run.tail!.p50);
      expect(run.tail!.p50).toBeGreaterThan(0);
      // The main thread's CPU at the fixed rate comes from /proc (Linux only).
      if (process.platform === 'linux') {
        expect(run.tail!.mainThreadMsPerCreate).toBeGreaterThan(0);
        expect(run.tail!.mainThreadBusyPercent).toBeGreaterThan(0);
      }
      expect(run.tail!.sequentialP99).toBeGreaterThanOrEqual(run.tail!.sequentialP50);
      expect(run.tail!.sequentialP50).toBeGreaterThan(0);
    }
    expect(result.throughputRatio).toBeGreaterThan(0);
    expect(Number.isFinite(result.cpuRatio)).toBe(true);
    if (process.platform === 'linux') expect(result.tailCpuRatio).toBeGreaterThan(0);
  }, 300_000);

  it('webhook-intake on sqlite: every signed test-provider webhook is answered 200 and applied', async () => {
    const result = await runWebhookIntake(smokeOptions('sqlite'), quiet);
    expect(result.ok).toBe(result.webhooks);
    expect(result.failed).toBe(0);
    expect(result.paymentsPaid).toBe(result.sent);
  }, 300_000);

  it('notifications on sqlite: every event of the outbox arrives over HTTP (and at RabbitMQ when configured)', async () => {
    const withRabbit = serviceUrl('rabbitmq') !== undefined;
    const result = await runNotifications(
      smokeOptions('sqlite'),
      quiet,
      withRabbit ? ['http', 'rabbitmq'] : ['http'],
    );
    expect(result.http.eventsPerSecond).toBeGreaterThan(0);
    if (withRabbit) expect(result.rabbitmq.eventsPerSecond).toBeGreaterThan(0);
  }, 300_000);

  it('reports the CPU time the hypervisor took during a run (steal), from /proc/stat', () => {
    const now = cpuTimes();
    expect(now).toEqual({ steal: expect.any(Number), total: expect.any(Number) });
    expect(now!.steal).toBeLessThanOrEqual(now!.total);
    expect(stolenPercent({ steal: 100, total: 10_000 }, { steal: 130, total: 10_400 })).toBe(7.5);
    expect(stolenPercent(now, now)).toBeNull(); // no time passed
    expect(stolenPercent(null, now)).toBeNull();
  });

  const scaleOutDialect = serviceUrl('postgres')
    ? 'postgres'
    : serviceUrl('mysql')
      ? 'mysql'
      : null;
  (scaleOutDialect && findNginx() ? it : it.skip)(
    `scale-out on ${scaleOutDialect}: one and three instances behind the compose nginx answer 201 and store every payment`,
    async () => {
      const result = await runScaleOut(smokeOptions(scaleOutDialect!), quiet);
      expect(result.runs.map((r) => r.instances)).toEqual([1, 3]);
      for (const run of result.runs) {
        expect(run.ok).toBeGreaterThan(0);
        expect(run.failed).toBe(0);
        expect(run.paymentsStored).toBeGreaterThanOrEqual(run.created);
        expect(run.peakRssMb).toHaveLength(run.instances);
      }
    },
    600_000,
  );
});
