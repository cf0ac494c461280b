import type { DataSource, EntityManager, QueryRunner, TransactionCommitEvent } from 'typeorm';
import { afterCommit, AfterCommitListener } from './after-commit';

describe('afterCommit', () => {
  const listener = new AfterCommitListener({ subscribers: [] } as unknown as DataSource);
  const runner = () =>
    ({ isTransactionActive: true, data: {} }) as unknown as QueryRunner & {
      isTransactionActive: boolean;
    };
  const manager = (queryRunner?: QueryRunner) => ({ queryRunner }) as EntityManager;
  const event = (queryRunner: QueryRunner) => ({ queryRunner }) as TransactionCommitEvent;

  it('applies queued work once the transaction commits, and only once', () => {
    const qr = runner();
    const apply = jest.fn();
    afterCommit(manager(qr), apply);
    afterCommit(manager(qr), apply);
    expect(apply).not.toHaveBeenCalled();
    qr.isTransactionActive = false;
    listener.afterTransactionCommit(event(qr));
    listener.afterTransactionCommit(event(qr));
    expect(apply).toHaveBeenCalledTimes(2);
  });

  it('drops queued work when the transaction rolls back', () => {
    const qr = runner();
    const apply = jest.fn();
    afterCommit(manager(qr), apply);
    qr.isTransactionActive = false;
    listener.afterTransactionRollback(event(qr));
    // The runner is reused (SQLite has one): the next commit must not apply the dropped work.
    qr.isTransactionActive = true;
    const next = jest.fn();
    afterCommit(manager(qr), next);
    qr.isTransactionActive = false;
    listener.afterTransactionCommit(event(qr));
    expect(apply).not.toHaveBeenCalled();
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('waits past a released savepoint for the outermost commit', () => {
    const qr = runner();
    const apply = jest.fn();
    afterCommit(manager(qr), apply);
    listener.afterTransactionCommit(event(qr));
    expect(apply).not.toHaveBeenCalled();
    qr.isTransactionActive = false;
    listener.afterTransactionCommit(event(qr));
    expect(apply).toHaveBeenCalledTimes(1);
  });

  it('applies at once outside a transaction', () => {
    const apply = jest.fn();
    afterCommit(manager(undefined), apply);
    const idle = { isTransactionActive: false, data: {} } as unknown as QueryRunner;
    afterCommit(manager(idle), apply);
    expect(apply).toHaveBeenCalledTimes(2);
  });

  it('registers itself with the data source', () => {
    const dataSource = { subscribers: [] as unknown[] } as unknown as DataSource;
    const own = new AfterCommitListener(dataSource);
    own.onModuleInit();
    expect(dataSource.subscribers).toContain(own);
  });
});
