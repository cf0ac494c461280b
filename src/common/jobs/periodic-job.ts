import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { JobLockService } from './job-lock.service';

/** A held lease expires after twice the interval, and never sooner than this. */
const MIN_LOCK_TIMEOUT_MS = 60_000;

/**
 * One periodic job: a name, an interval read from configuration, and one pass. The interval is
 * registered with @nestjs/schedule's SchedulerRegistry (so the schedule is visible in one
 * place), a pass never overlaps the previous one, and on shutdown the interval is removed and a
 * pass still running is awaited before the database closes. A job given a JobLockService runs
 * on one instance per tick: the others find the lease taken and skip that tick.
 */
export abstract class PeriodicJob implements OnApplicationBootstrap, OnModuleDestroy {
  protected readonly logger: Logger;
  /** True once shutdown began: a pass should stop at its next step. */
  protected stopped = false;
  private running?: Promise<void>;

  protected constructor(
    /** Unique name in the SchedulerRegistry; also the logger context. */
    readonly name: string,
    private readonly scheduler: SchedulerRegistry,
    private readonly lock?: JobLockService,
  ) {
    this.logger = new Logger(name);
  }

  /** Milliseconds between passes; 0 turns the job off. */
  abstract intervalMs(): number;

  /** One pass. An error is logged; the next pass runs as scheduled. */
  protected abstract run(): Promise<unknown>;

  onApplicationBootstrap(): void {
    const every = this.intervalMs();
    if (every <= 0) return;
    const timer = setInterval(() => void this.tick(), every);
    timer.unref();
    this.scheduler.addInterval(this.name, timer);
  }

  /** Runs one pass now, unless one is running (then it waits for that one instead). */
  async tick(): Promise<void> {
    if (this.stopped) return;
    this.running ??= this.runOnOneInstance()
      .then(
        () => undefined,
        (error: Error) => {
          if (!this.stopped)
            this.logger.warn({ msg: `${this.name} pass failed`, error: error.message });
        },
      )
      .finally(() => (this.running = undefined));
    await this.running;
  }

  /** The pass, behind the lease when the job has one; nothing when another instance has it. */
  private async runOnOneInstance(): Promise<void> {
    if (!this.lock) {
      await this.run();
      return;
    }
    const every = this.intervalMs();
    const started = new Date();
    const timeout = Math.max(2 * every, MIN_LOCK_TIMEOUT_MS);
    if (!(await this.lock.acquire(this.name, started, new Date(started.getTime() + timeout))))
      return;
    let error: string | undefined;
    try {
      await this.run();
    } catch (failure) {
      error = (failure as Error).message;
      throw failure;
    } finally {
      // Free again for the next tick, on whichever instance comes first.
      const next = new Date(started.getTime() + Math.floor(every * 0.9));
      await this.lock.release(this.name, new Date(), next, error);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.scheduler.doesExist('interval', this.name)) this.scheduler.deleteInterval(this.name);
    await this.running;
  }
}
