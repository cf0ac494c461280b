import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, In, LessThan } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { inBatches } from '../database/delete-in-batches';
import { WebhookDelivery, WebhookDeliveryStatus } from './webhook-delivery.entity';

/** Inbox rows nothing works on any more; `received` and `failed` ones are never purged. */
const SETTLED_WEBHOOK_STATUSES: WebhookDeliveryStatus[] = ['processed', 'dead', 'rejected'];

/** Deletes the provider webhook inbox's settled rows (called by the retention job). */
@Injectable()
export class WebhookInboxPurger {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
  ) {}

  /** Settled inbox rows untouched since `cutoff` (a replay counts as a touch); returns how many. */
  purge(cutoff: Date): Promise<number> {
    return inBatches(
      this.dataSource,
      WebhookDelivery,
      (q) =>
        q
          .where({ status: In(SETTLED_WEBHOOK_STATUSES), receivedAt: LessThan(cutoff) })
          .andWhere(
            new Brackets((w) =>
              w.where('a.lastAttemptAt IS NULL').orWhere('a.lastAttemptAt < :cutoff', { cutoff }),
            ),
          ),
      (ids) => this.tx.write((m) => m.delete(WebhookDelivery, { id: In(ids) })),
    );
  }
}
