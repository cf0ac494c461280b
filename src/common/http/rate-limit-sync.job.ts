import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicJob } from '../jobs/periodic-job';
import { RateLimiter } from './rate-limiter';
import { SharedRateCounter } from './shared-rate-counter';

/** How stale one instance's knowledge of the rate-limit windows others filled may get. */
export const RATE_LIMIT_SYNC_MS = 1000;
/** Ended windows are deleted about once a minute. */
const PURGE_EVERY_TICKS = 60;

/**
 * Every second on every instance, on a server database or with Redis (not on SQLite alone):
 * reload the full rate-limit windows; about once a minute also delete the windows that ended (a cheap indexed DELETE,
 * harmless when two instances both run it).
 */
@Injectable()
export class RateLimitSyncJob extends PeriodicJob {
  private ticks = 0;

  constructor(
    scheduler: SchedulerRegistry,
    private readonly limiter: RateLimiter,
    private readonly counter: SharedRateCounter,
  ) {
    super('RateLimitSyncJob', scheduler);
  }

  intervalMs(): number {
    return this.counter.enabled ? RATE_LIMIT_SYNC_MS : 0;
  }

  protected async run(): Promise<void> {
    await this.limiter.reloadShared();
    if (++this.ticks % PURGE_EVERY_TICKS === 0) await this.counter.purge();
  }
}
