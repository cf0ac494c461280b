import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, IsNull, LessThan, Not } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { inBatches } from '../database/delete-in-batches';
import { NotificationDelivery } from './notification-delivery.entity';
import { DeliveryAttempt } from './delivery-attempt.entity';
import { OutboxEvent } from './outbox-event.entity';

export interface NotificationPurgeCounts {
  attempts: number;
  deliveries: number;
  outboxEvents: number;
}

/** Deletes this module's settled rows (called by the retention job). */
@Injectable()
export class NotificationsPurger {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
  ) {}

  /**
   * Delivered or dead deliveries last touched before `cutoff`, each batch with its attempts;
   * then outbox events older than `cutoff` that are fanned out and have no delivery left.
   */
  async purge(cutoff: Date): Promise<NotificationPurgeCounts> {
    const counts: NotificationPurgeCounts = { attempts: 0, deliveries: 0, outboxEvents: 0 };
    await inBatches(
      this.dataSource,
      NotificationDelivery,
      (q) => q.where({ status: In(['delivered', 'dead']), updatedAt: LessThan(cutoff) }),
      (ids) =>
        this.tx.run(async (m) => {
          counts.attempts +=
            (await m.delete(DeliveryAttempt, { deliveryId: In(ids) })).affected ?? 0;
          counts.deliveries +=
            (await m.delete(NotificationDelivery, { id: In(ids) })).affected ?? 0;
        }),
    );
    counts.outboxEvents = await inBatches(
      this.dataSource,
      OutboxEvent,
      (q) =>
        q
          .where({ dispatchedAt: Not(IsNull()), createdAt: LessThan(cutoff) })
          .andWhere(`NOT EXISTS (${this.deliveryOfEvent()})`),
      (ids) => this.tx.write((m) => m.delete(OutboxEvent, { id: In(ids) })),
    );
    return counts;
  }

  private deliveryOfEvent(): string {
    const q = (name: string) => this.dataSource.driver.escape(name);
    return `SELECT 1 FROM ${q('notification_deliveries')} ${q('d')} WHERE ${q('d')}.${q('eventId')} = ${q('a')}.${q('id')}`;
  }
}
