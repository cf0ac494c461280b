import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  InsertEvent,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { OutboxEvent } from './outbox-event.entity';
import { NotificationWorker } from './notification.worker';

const FLAG = 'outboxWritten';

/**
 * Wakes this instance's worker as soon as a transaction that wrote outbox rows commits, so a
 * status change goes out within milliseconds instead of at the next poll. Polling stays the
 * safety net (and the only path for changes made by other instances).
 */
/**
 * For outbox rows written without TypeORM's insert (RowStatements, which broadcasts no entity
 * events): marks the transaction as `afterInsert` would, so its commit wakes the worker.
 */
export function wakeDeliveryOnCommit(manager: EntityManager): void {
  const data = manager.queryRunner?.data as Record<string, unknown> | undefined;
  if (data) data[FLAG] = true;
}

@Injectable()
export class OutboxCommitListener implements EntitySubscriberInterface<OutboxEvent>, OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly worker: NotificationWorker,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  listenTo() {
    return OutboxEvent;
  }

  afterInsert(event: InsertEvent<OutboxEvent>): void {
    (event.queryRunner.data as Record<string, unknown>)[FLAG] = true;
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    // A released savepoint (a caller of a SQLite group) is not a commit yet.
    if (event.queryRunner.isTransactionActive) return;
    const data = event.queryRunner.data as Record<string, unknown>;
    if (!data?.[FLAG]) return;
    data[FLAG] = false;
    this.worker.wake();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    // Back to a savepoint: others of the group may have written rows; a needless wake is harmless.
    if (event.queryRunner.isTransactionActive) return;
    const data = event.queryRunner.data as Record<string, unknown>;
    if (data) data[FLAG] = false;
  }
}
