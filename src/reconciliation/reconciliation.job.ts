import { Inject, Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicJob } from '../common/jobs/periodic-job';
import { JobLockService } from '../common/jobs/job-lock.service';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { ReconciliationService } from './reconciliation.service';

/** Every PAYMENTSERVER_RECONCILE_INTERVAL_SECONDS (0: never): one reconciliation pass. */
@Injectable()
export class ReconciliationJob extends PeriodicJob {
  constructor(
    scheduler: SchedulerRegistry,
    lock: JobLockService,
    private readonly reconciliation: ReconciliationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super('ReconciliationJob', scheduler, lock);
  }

  intervalMs(): number {
    return this.config.reconciliation.intervalSeconds * 1000;
  }

  protected run(): Promise<unknown> {
    return this.reconciliation.pass();
  }
}
