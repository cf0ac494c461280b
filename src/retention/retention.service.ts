import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { WebhookInboxPurger } from '../webhooks/webhook-inbox.purger';
import { NotificationsPurger } from '../notifications/notifications.purger';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { AuditPurger } from '../audit/audit.purger';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface PurgeCounts {
  webhookDeliveries: number;
  notificationAttempts: number;
  notificationDeliveries: number;
  outboxEvents: number;
  /** Idempotency keys past their 24 hours (purged whatever PAYMENTSERVER_RETENTION_DAYS says). */
  idempotencyKeys: number;
  /** Audit events older than PAYMENTSERVER_AUDIT_RETENTION_DAYS. */
  auditEvents: number;
}

/**
 * Housekeeping: deletes what is settled and older than PAYMENTSERVER_RETENTION_DAYS, so the
 * busy tables stop growing: provider webhooks (the inbox) that are processed, dead or rejected
 * (operators see the dead and rejected ones until then), delivered or dead notification
 * deliveries with their attempts, and outbox events that have none left; and expired
 * idempotency keys. Each module purges its own tables; this only says when and how far back.
 * Nothing still open is touched, nor payments, refunds or their status history. Audit events
 * go after their own period, PAYMENTSERVER_AUDIT_RETENTION_DAYS.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly webhooks: WebhookInboxPurger,
    private readonly notifications: NotificationsPurger,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditPurger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One pass; `now` is for tests. */
  async purge(now = new Date()): Promise<PurgeCounts> {
    const { days, auditDays } = this.config.retention;
    const counts: PurgeCounts = {
      webhookDeliveries: 0,
      notificationAttempts: 0,
      notificationDeliveries: 0,
      outboxEvents: 0,
      idempotencyKeys: await this.idempotency.purgeExpired(now),
      auditEvents: 0,
    };
    if (auditDays > 0)
      counts.auditEvents = await this.audit.purge(new Date(now.getTime() - auditDays * DAY_MS));
    if (days > 0) {
      const cutoff = new Date(now.getTime() - days * DAY_MS);
      counts.webhookDeliveries = await this.webhooks.purge(cutoff);
      const notifications = await this.notifications.purge(cutoff);
      counts.notificationAttempts = notifications.attempts;
      counts.notificationDeliveries = notifications.deliveries;
      counts.outboxEvents = notifications.outboxEvents;
    }
    if (Object.values(counts).some((n) => n > 0))
      this.logger.log({ msg: 'retention purge', days, auditDays, ...counts });
    return counts;
  }
}
