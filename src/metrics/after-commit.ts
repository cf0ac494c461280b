import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';

const PENDING = 'metricsAfterCommit';

type Pending = Array<() => void>;

/**
 * Runs `apply` once the transaction of `manager` commits, and never if it rolls back
 * (outside a transaction: now). For counters of things that only happened if they committed.
 */
export function afterCommit(manager: EntityManager, apply: () => void): void {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) {
    apply();
    return;
  }
  const data = runner.data as Record<string, unknown>;
  const pending = (data[PENDING] as Pending | undefined) ?? [];
  pending.push(apply);
  data[PENDING] = pending;
}

/** Applies (on commit) or drops (on rollback) what afterCommit queued on the query runner. */
@Injectable()
export class AfterCommitListener implements EntitySubscriberInterface, OnModuleInit {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    // A released savepoint is not a commit yet: wait for the outermost transaction.
    if (event.queryRunner.isTransactionActive) return;
    const data = event.queryRunner.data as Record<string, unknown> | undefined;
    const pending = data?.[PENDING] as Pending | undefined;
    if (!pending) return;
    delete data![PENDING];
    for (const apply of pending) apply();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    // Nested transactions are not used; a rollback drops everything queued on the runner.
    const data = event.queryRunner.data as Record<string, unknown> | undefined;
    if (data) delete data[PENDING];
  }
}
