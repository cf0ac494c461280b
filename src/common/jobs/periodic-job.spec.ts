import { SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicJob } from './periodic-job';

class CountingJob extends PeriodicJob {
  runs = 0;
  release?: () => void;
  failNext = false;

  constructor(
    scheduler: SchedulerRegistry,
    private readonly every: number,
  ) {
    super('CountingJob', scheduler);
  }

  intervalMs(): number {
    return this.every;
  }

  protected run(): Promise<void> {
    this.runs++;
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('boom'));
    }
    return new Promise((resolve) => (this.release = resolve));
  }
}

/** Lets the promise callbacks queued so far run. */
const settle = () =>
  new Promise<void>((resolve) => jest.requireActual('timers').setImmediate(resolve));

describe('PeriodicJob', () => {
  let scheduler: SchedulerRegistry;

  beforeEach(() => {
    jest.useFakeTimers();
    scheduler = new SchedulerRegistry();
  });

  afterEach(() => jest.useRealTimers());

  it('registers its interval under its name and runs a pass each interval', async () => {
    const job = new CountingJob(scheduler, 1000);
    job.onApplicationBootstrap();
    expect(scheduler.getIntervals()).toEqual(['CountingJob']);
    jest.advanceTimersByTime(999);
    expect(job.runs).toBe(0);
    jest.advanceTimersByTime(1);
    expect(job.runs).toBe(1);
    job.release!();
    await settle();
    jest.advanceTimersByTime(1000);
    expect(job.runs).toBe(2);
    job.release!();
    await job.onModuleDestroy();
  });

  it('never starts a pass while the previous one runs', async () => {
    const job = new CountingJob(scheduler, 1000);
    job.onApplicationBootstrap();
    jest.advanceTimersByTime(5000);
    expect(job.runs).toBe(1);
    job.release!();
    await settle();
    jest.advanceTimersByTime(1000);
    expect(job.runs).toBe(2);
    job.release!();
    await job.onModuleDestroy();
  });

  it('keeps its schedule after a failed pass', async () => {
    const job = new CountingJob(scheduler, 1000);
    job.failNext = true;
    job.onApplicationBootstrap();
    jest.advanceTimersByTime(1000);
    await settle();
    jest.advanceTimersByTime(1000);
    expect(job.runs).toBe(2);
    job.release!();
    await job.onModuleDestroy();
  });

  it('on shutdown removes its interval, waits for the running pass, and runs no more', async () => {
    const job = new CountingJob(scheduler, 1000);
    job.onApplicationBootstrap();
    jest.advanceTimersByTime(1000);
    let stopped = false;
    const stopping = job.onModuleDestroy().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    expect(scheduler.getIntervals()).toEqual([]);
    job.release!();
    await stopping;
    expect(stopped).toBe(true);
    jest.advanceTimersByTime(10_000);
    await job.tick();
    expect(job.runs).toBe(1);
  });

  it('with an interval of 0 is off', async () => {
    const job = new CountingJob(scheduler, 0);
    job.onApplicationBootstrap();
    expect(scheduler.getIntervals()).toEqual([]);
    jest.advanceTimersByTime(60_000);
    expect(job.runs).toBe(0);
    await job.onModuleDestroy();
  });
});
