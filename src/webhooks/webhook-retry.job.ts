import { Inject, Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { Brackets, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { PeriodicJob } from '../common/jobs/periodic-job';
import { JobLockService } from '../common/jobs/job-lock.service';
import { OPEN_WEBHOOK_STATUSES, WebhookDelivery } from './webhook-delivery.entity';
import { WebhookProcessorService } from './webhook-processor.service';

const BATCH = 20;

/**
 * Every PAYMENTSERVER_WEBHOOK_RETRY_INTERVAL_MS: processes the inbox deliveries that are due
 * (failed ones at their next attempt, ones whose instance died, unsigned ones that waited for
 * the poll budget). Each is claimed first, so two instances never process one at once.
 */
@Injectable()
export class WebhookRetryJob extends PeriodicJob {
  constructor(
    scheduler: SchedulerRegistry,
    lock: JobLockService,
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    private readonly processor: WebhookProcessorService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super('WebhookRetryJob', scheduler, lock);
  }

  intervalMs(): number {
    return this.config.webhooks.retryIntervalMs;
  }

  protected run(): Promise<number> {
    return this.pass();
  }

  /** One pass over due deliveries; returns how many this instance processed. Errors are logged. */
  async runOnce(now = new Date()): Promise<number> {
    try {
      return await this.pass(now);
    } catch (error) {
      if (!this.stopped)
        this.logger.warn({ msg: 'webhook retry pass failed', error: (error as Error).message });
      return 0;
    }
  }

  /** One pass that throws what fails (the job's lease records it as its last result). */
  async pass(now = new Date()): Promise<number> {
    let done = 0;
    const due = await this.deliveries
      .createQueryBuilder('w')
      .select('w.id', 'id')
      .where('w.status IN (:...open)', { open: OPEN_WEBHOOK_STATUSES })
      .andWhere('w.nextAttemptAt <= :now', { now })
      .andWhere(
        new Brackets((b) =>
          b.where('w.leaseExpiresAt IS NULL').orWhere('w.leaseExpiresAt < :now', { now }),
        ),
      )
      .orderBy('w.nextAttemptAt', 'ASC')
      .limit(BATCH)
      .getRawMany<{ id: string }>();
    for (const { id } of due) {
      if (this.stopped) break;
      const token = randomBytes(16).toString('hex');
      if (!(await this.processor.claim(id, token))) continue;
      const delivery = await this.deliveries.findOneBy({ id, leaseToken: token });
      if (!delivery) continue;
      await this.processor.processClaimed(delivery, token);
      done++;
    }
    return done;
  }
}
