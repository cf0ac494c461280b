import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { TestProviderOperation, TestProviderPayment } from './test-provider-payment.entity';
import { TransactionService, WriteSink } from '../../database/transaction.service';
import { RowStatements } from '../../database/statements/row-statements';
import { newId } from '../../common/ids/id';
import { ProviderError } from '../provider-error';

/** The test PSP's side of the books: its own payment records and their statuses. */
@Injectable()
export class TestProviderLedger {
  constructor(
    @InjectRepository(TestProviderPayment) private readonly rows: Repository<TestProviderPayment>,
    private readonly tx: TransactionService,
    private readonly statements: RowStatements,
  ) {}

  async open(
    fields: Pick<
      TestProviderPayment,
      | 'accountId'
      | 'amountValue'
      | 'currency'
      | 'description'
      | 'captureMode'
      | 'returnUrl'
      | 'cancelUrl'
      | 'method'
      | 'expiresAt'
    >,
    sink?: WriteSink,
  ): Promise<TestProviderPayment> {
    const now = new Date();
    const row: TestProviderPayment = {
      id: newId('tp'),
      status: 'open',
      amountCaptured: 0,
      amountRefunded: 0,
      createdAt: now,
      updatedAt: now,
      ...fields,
    };
    // Inside a create this joins the core's transaction that stores the attempt (one commit
    // instead of two); the row stands for the PSP's own books, so it is written with them.
    await this.tx.writeWithNext((m) => this.statements.insert(m, TestProviderPayment, row), sink);
    return row;
  }

  async get(id: string, accountId?: string): Promise<TestProviderPayment> {
    const row = await this.rows.findOneBy({ id, ...(accountId ? { accountId } : {}) });
    if (!row) throw new ProviderError('not_found', `test provider has no payment ${id}`, 404);
    return row;
  }

  /**
   * Runs `work` on the locked row unless `key` was used before on it; either way returns the
   * operation stored under that key (`replayed` when it was).
   */
  async operate(
    id: string,
    accountId: string,
    key: string,
    work: (row: TestProviderPayment) => {
      changes: Partial<TestProviderPayment>;
      operation: TestProviderOperation;
    },
  ): Promise<{ operation: TestProviderOperation; replayed: boolean }> {
    return this.tx.run(async (m) => {
      const row = await this.tx.lock(m, TestProviderPayment, id);
      if (!row || row.accountId !== accountId)
        throw new ProviderError('not_found', `test provider has no payment ${id}`, 404);
      const seen = row.operations?.[key];
      if (seen) return { operation: seen, replayed: true };
      const { changes, operation } = work(row);
      const operations = { ...(row.operations ?? {}), [key]: operation };
      await m.update(
        TestProviderPayment,
        { id },
        { ...changes, operations, updatedAt: new Date() },
      );
      return { operation, replayed: false };
    });
  }

  /** An open payment past its expiry is expired now, as a PSP expires its checkout. */
  async expireIfDue(row: TestProviderPayment, now = new Date()): Promise<boolean> {
    const due = row.expiresAt && new Date(row.expiresAt).getTime() <= now.getTime();
    if (!due || !['open', 'pending'].includes(row.status)) return false;
    await this.update(row, { status: 'expired' });
    return true;
  }

  async update(
    row: TestProviderPayment,
    changes: Partial<TestProviderPayment>,
  ): Promise<TestProviderPayment> {
    Object.assign(row, changes, { updatedAt: new Date() });
    await this.tx.write((m) =>
      m.update(TestProviderPayment, { id: row.id }, { ...changes, updatedAt: row.updatedAt }),
    );
    return row;
  }
}
