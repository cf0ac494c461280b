import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicJob } from '../common/jobs/periodic-job';
import { JobLockService } from '../common/jobs/job-lock.service';
import { RetentionService } from './retention.service';

export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

/** Every hour: one retention pass (expired idempotency keys always; the rest unless days = 0). */
@Injectable()
export class RetentionJob extends PeriodicJob {
  constructor(
    scheduler: SchedulerRegistry,
    lock: JobLockService,
    private readonly retention: RetentionService,
  ) {
    super('RetentionJob', scheduler, lock);
  }

  intervalMs(): number {
    return RETENTION_INTERVAL_MS;
  }

  protected run(): Promise<unknown> {
    return this.retention.purge();
  }
}
