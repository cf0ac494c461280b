import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { Brackets, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { OPEN_WEBHOOK_STATUSES, WebhookDelivery } from './webhook-delivery.entity';
import { WebhookProcessorService } from './webhook-processor.service';

const BATCH = 20;

/**
 * Every PAYMENTSERVER_WEBHOOK_RETRY_INTERVAL_MS: processes the inbox deliveries that are due
 * (failed ones at their next attempt, ones whose instance died, unsigned ones that waited for
 * the poll budget). Each is claimed first, so two instances never process one at once.
 */
@Injectable()
export class WebhookRetryJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhookRetry');
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private stopped = false;

  constructor(
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    private readonly processor: WebhookProcessorService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce();
      void this.running.then(() => this.schedule());
    }, this.config.webhooks.retryIntervalMs);
    this.timer.unref();
  }

  /** One pass over due deliveries; returns how many this instance processed. */
  async runOnce(now = new Date()): Promise<number> {
    let done = 0;
    try {
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
    } catch (error) {
      if (!this.stopped)
        this.logger.warn({ msg: 'webhook retry pass failed', error: (error as Error).message });
    }
    return done;
  }
}
