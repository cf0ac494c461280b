import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { TestProviderPayment } from './test-provider-payment.entity';
import { TransactionService } from '../../database/transaction.service';
import { newId } from '../../common/ids/id';
import { ProviderError } from '../provider-error';

/** The test PSP's side of the books: its own payment records and their statuses. */
@Injectable()
export class TestProviderLedger {
  constructor(
    @InjectRepository(TestProviderPayment) private readonly rows: Repository<TestProviderPayment>,
    private readonly tx: TransactionService,
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
    >,
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
    await this.tx.write((m) => m.insert(TestProviderPayment, row));
    return row;
  }

  async get(id: string, accountId?: string): Promise<TestProviderPayment> {
    const row = await this.rows.findOneBy({ id, ...(accountId ? { accountId } : {}) });
    if (!row) throw new ProviderError('not_found', `test provider has no payment ${id}`, 404);
    return row;
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
