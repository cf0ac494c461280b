import { Inject, Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicJob } from '../common/jobs/periodic-job';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { NotificationWorker } from './notification.worker';

/**
 * Every PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: wakes an idle worker, so deliveries that
 * came due (retries) or were written by another instance are sent without a local commit.
 */
@Injectable()
export class NotificationPollJob extends PeriodicJob {
  constructor(
    scheduler: SchedulerRegistry,
    private readonly worker: NotificationWorker,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super('NotificationPollJob', scheduler);
  }

  intervalMs(): number {
    return this.config.notifications.pollIntervalMs;
  }

  protected run(): Promise<void> {
    this.worker.poll();
    return Promise.resolve();
  }
}
