import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, LessThan } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { inBatches } from '../database/delete-in-batches';
import { AuditEvent } from './audit-event.entity';

/** Deletes audit events older than their retention period (called by the retention job). */
@Injectable()
export class AuditPurger {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
  ) {}

  async purge(cutoff: Date): Promise<number> {
    return inBatches(
      this.dataSource,
      AuditEvent,
      (q) => q.where({ at: LessThan(cutoff) }),
      (ids) => this.tx.write((m) => m.delete(AuditEvent, { id: In(ids) })),
    );
  }
}
