import { Inject, Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PeriodicJob } from '../common/jobs/periodic-job';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { DeliveryClaims } from './delivery.claims';

/**
 * Every third of PAYMENTSERVER_NOTIFICATION_LEASE_SECONDS: extends the leases of this
 * instance's sends still in flight, so a slow target is not taken over and sent twice.
 */
@Injectable()
export class NotificationLeaseRenewalJob extends PeriodicJob {
  constructor(
    scheduler: SchedulerRegistry,
    private readonly claims: DeliveryClaims,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super('NotificationLeaseRenewalJob', scheduler);
  }

  intervalMs(): number {
    return Math.floor((this.config.notifications.leaseSeconds * 1000) / 3);
  }

  protected run(): Promise<number> {
    return this.claims.renew();
  }
}
