import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
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

/** How much is queued on the runner now: a mark for dropAfterCommitSince. */
export function afterCommitMark(runner: QueryRunner): number {
  return ((runner.data as Record<string, unknown>)?.[PENDING] as Pending | undefined)?.length ?? 0;
}

/** Drops what was queued after `mark`: the work of a savepoint rolled back. */
export function dropAfterCommitSince(runner: QueryRunner, mark: number): void {
  const pending = (runner.data as Record<string, unknown>)?.[PENDING] as Pending | undefined;
  if (pending) pending.length = Math.min(pending.length, mark);
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
    // Back to a savepoint (TransactionService's groups on SQLite): it drops its own share.
    if (event.queryRunner.isTransactionActive) return;
    const data = event.queryRunner.data as Record<string, unknown> | undefined;
    if (data) delete data[PENDING];
  }
}
