import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Brackets,
  DataSource,
  EntityTarget,
  In,
  IsNull,
  LessThan,
  Not,
  ObjectLiteral,
  SelectQueryBuilder,
} from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { TransactionService } from '../database/transaction.service';
import { WebhookDelivery, WebhookDeliveryStatus } from '../webhooks/webhook-delivery.entity';
import { NotificationDelivery } from '../notifications/notification-delivery.entity';
import { DeliveryAttempt } from '../notifications/delivery-attempt.entity';
import { OutboxEvent } from '../notifications/outbox-event.entity';
import { AuditEvent } from '../audit/audit-event.entity';

const RUN_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Inbox rows nothing works on any more; `received` and `failed` ones are never purged. */
const SETTLED_WEBHOOK_STATUSES: WebhookDeliveryStatus[] = ['processed', 'dead', 'rejected'];
/** Rows per DELETE: short statements, so writers are never held up for long. */
const BATCH = 500;

export interface PurgeCounts {
  webhookDeliveries: number;
  notificationAttempts: number;
  notificationDeliveries: number;
  outboxEvents: number;
  auditEvents: number;
}

/**
 * Housekeeping: deletes what is settled and older than PAYMENTSERVER_RETENTION_DAYS, so the
 * busy tables stop growing: provider webhooks (the inbox) that are processed, dead or rejected
 * (operators see the dead and rejected ones until then), delivered or dead notification
 * deliveries with their attempts, and outbox events that have none left. Nothing still open is
 * touched (webhooks still being retried, deliveries still being retried, events not yet fanned
 * out), nor payments, refunds or their status history, which are kept for good. Audit events
 * go after their own period, PAYMENTSERVER_AUDIT_RETENTION_DAYS.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Retention');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const { days, auditDays } = this.config.retention;
    if (days === 0 && auditDays === 0) return;
    this.timer = setInterval(() => {
      this.running = this.purge().catch((error: Error) =>
        this.logger.warn({ msg: 'retention purge failed', error: error.message }),
      );
    }, RUN_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass; `now` is for tests. */
  async purge(now = new Date()): Promise<PurgeCounts> {
    const { days, auditDays } = this.config.retention;
    const auditEvents =
      auditDays === 0
        ? 0
        : await this.deleteInBatches(AuditEvent, (q) =>
            q.where({ at: LessThan(new Date(now.getTime() - auditDays * DAY_MS)) }),
          );
    if (days === 0) {
      return {
        webhookDeliveries: 0,
        notificationAttempts: 0,
        notificationDeliveries: 0,
        outboxEvents: 0,
        auditEvents,
      };
    }
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    // Settled inbox rows, once nothing has happened to them for the period (a replay counts).
    const webhookDeliveries = await this.deleteInBatches(WebhookDelivery, (q) =>
      q
        .where({ status: In(SETTLED_WEBHOOK_STATUSES), receivedAt: LessThan(cutoff) })
        .andWhere(
          new Brackets((w) =>
            w.where('a.lastAttemptAt IS NULL').orWhere('a.lastAttemptAt < :cutoff', { cutoff }),
          ),
        ),
    );
    const { attempts: notificationAttempts, deliveries: notificationDeliveries } =
      await this.purgeDeliveries(cutoff);
    const outboxEvents = await this.deleteInBatches(OutboxEvent, (q) =>
      q
        .where({ dispatchedAt: Not(IsNull()), createdAt: LessThan(cutoff) })
        .andWhere(`NOT EXISTS (${this.notExistsDelivery()})`),
    );
    const counts: PurgeCounts = {
      webhookDeliveries,
      notificationAttempts,
      notificationDeliveries,
      outboxEvents,
      auditEvents,
    };
    if (Object.values(counts).some((n) => n > 0))
      this.logger.log({ msg: 'retention purge', days, auditDays, ...counts });
    return counts;
  }

  /** Delivered or dead deliveries last touched before the cutoff, each batch with its attempts. */
  private async purgeDeliveries(cutoff: Date): Promise<{ attempts: number; deliveries: number }> {
    const purged = { attempts: 0, deliveries: 0 };
    await this.inBatches(
      NotificationDelivery,
      (q) => q.where({ status: In(['delivered', 'dead']), updatedAt: LessThan(cutoff) }),
      (ids) =>
        this.tx.run(async (m) => {
          purged.attempts +=
            (await m.delete(DeliveryAttempt, { deliveryId: In(ids) })).affected ?? 0;
          purged.deliveries +=
            (await m.delete(NotificationDelivery, { id: In(ids) })).affected ?? 0;
        }),
    );
    return purged;
  }

  private notExistsDelivery(): string {
    const q = (name: string) => this.dataSource.driver.escape(name);
    return `SELECT 1 FROM ${q('notification_deliveries')} ${q('d')} WHERE ${q('d')}.${q('eventId')} = ${q('a')}.${q('id')}`;
  }

  /** Deletes the matching rows by id, a batch at a time; returns how many. */
  private async deleteInBatches<T extends ObjectLiteral>(
    entity: EntityTarget<T>,
    where: (q: SelectQueryBuilder<T>) => SelectQueryBuilder<T>,
  ): Promise<number> {
    return this.inBatches(entity, where, (ids) =>
      this.tx.write((m) => m.delete(entity, { id: In(ids) } as never)),
    );
  }

  /** Selects up to BATCH matching ids, hands them to `remove`, and repeats until none are left. */
  private async inBatches<T extends ObjectLiteral>(
    entity: EntityTarget<T>,
    where: (q: SelectQueryBuilder<T>) => SelectQueryBuilder<T>,
    remove: (ids: string[]) => Promise<unknown>,
  ): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await where(
        this.dataSource.getRepository(entity).createQueryBuilder('a').select('a.id', 'id'),
      )
        .orderBy('a.id')
        .limit(BATCH)
        .getRawMany<{ id: string }>();
      if (rows.length === 0) return total;
      await remove(rows.map((r) => r.id));
      total += rows.length;
      if (rows.length < BATCH) return total;
    }
  }
}
