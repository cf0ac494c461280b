import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicJob } from '../common/jobs/periodic-job';
import { RetentionService } from './retention.service';

export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

/** Every hour: one retention pass (expired idempotency keys always; the rest unless days = 0). */
@Injectable()
export class RetentionJob extends PeriodicJob {
  constructor(
    scheduler: SchedulerRegistry,
    private readonly retention: RetentionService,
  ) {
    super('RetentionJob', scheduler);
  }

  intervalMs(): number {
    return RETENTION_INTERVAL_MS;
  }

  protected run(): Promise<unknown> {
    return this.retention.purge();
  }
}
