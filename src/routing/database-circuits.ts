import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { isUniqueViolation, TransactionService } from '../database/transaction.service';
import { Circuit, CircuitBreaker, CircuitChange } from './circuit-breaker';
import { ProviderCircuit } from './provider-circuit.entity';
import { SharedCircuits } from './shared-circuits.service';

const ms = (date: Date | null) => (date === null ? null : new Date(date).getTime());
const date = (time: number | null) => (time === null ? null : new Date(time));

function toCircuit(row: ProviderCircuit): Circuit {
  return {
    consecutiveFailures: Number(row.consecutiveFailures),
    openedAt: ms(row.openedAt),
    probeStartedAt: ms(row.probeStartedAt),
    lastFailure: row.lastFailure,
    lastFailureAt: ms(row.lastFailureAt),
  };
}

/**
 * SharedCircuits in the database (table provider_circuits), the instances on one database
 * sharing it: a failure is counted under the row's lock; an admin reset deletes the row in the
 * transaction that records its audit event.
 */
@Injectable()
export class DatabaseCircuits extends SharedCircuits {
  constructor(
    breaker: CircuitBreaker,
    private readonly tx: TransactionService,
    @InjectRepository(ProviderCircuit) private readonly circuits: Repository<ProviderCircuit>,
    private readonly audit: AuditService,
  ) {
    super(breaker);
  }

  protected async readAll(): Promise<Map<string, Circuit>> {
    const rows = await this.circuits.find();
    return new Map(rows.map((row) => [row.providerAccountId, toCircuit(row)]));
  }

  protected async clear(accountId: string): Promise<void> {
    await this.tx.run(async (m) => {
      await m.delete(ProviderCircuit, { providerAccountId: accountId });
      await this.audit.record(m, { targetId: accountId });
    });
  }

  protected async write(change: CircuitChange): Promise<void> {
    const { accountId } = change;
    if (change.kind === 'healthy') {
      await this.tx.write((m) => m.delete(ProviderCircuit, { providerAccountId: accountId }));
    } else if (change.kind === 'probe') {
      await this.tx.write((m) =>
        m.update(
          ProviderCircuit,
          { providerAccountId: accountId },
          { probeStartedAt: date(change.at) },
        ),
      );
    } else {
      await this.ensureRow(accountId);
      const row = await this.tx.run((m) => this.countFailure(m, change));
      this.breaker.adopt(accountId, toCircuit(row));
    }
  }

  /** The breaker's rule, applied to the shared row under its lock. */
  private async countFailure(
    m: EntityManager,
    change: Extract<CircuitChange, { kind: 'failure' }>,
  ): Promise<ProviderCircuit> {
    const row = (await m.findOne(ProviderCircuit, {
      where: { providerAccountId: change.accountId },
      ...(this.tx.dialect === 'better-sqlite3' ? {} : { lock: { mode: 'pessimistic_write' } }),
    }))!;
    const wasOpen = row.openedAt !== null;
    row.consecutiveFailures = Number(row.consecutiveFailures) + 1;
    row.lastFailure = change.error;
    row.lastFailureAt = date(change.at);
    row.probeStartedAt = null;
    if (wasOpen || row.consecutiveFailures >= this.breaker.threshold)
      row.openedAt = date(change.at);
    await m.save(ProviderCircuit, row);
    return row;
  }

  private async ensureRow(providerAccountId: string): Promise<void> {
    if (await this.circuits.existsBy({ providerAccountId })) return;
    const empty = {
      providerAccountId,
      consecutiveFailures: 0,
      openedAt: null,
      probeStartedAt: null,
      lastFailure: null,
      lastFailureAt: null,
    };
    try {
      await this.tx.write((m) => m.insert(ProviderCircuit, empty));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error; // another instance inserted it first
    }
  }
}
