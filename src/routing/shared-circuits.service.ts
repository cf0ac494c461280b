import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { isUniqueViolation, TransactionService } from '../database/transaction.service';
import { Circuit, CircuitBreaker, CircuitChange } from './circuit-breaker';
import { ProviderCircuit } from './provider-circuit.entity';

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
 * Shares the circuit breaker between the server instances on one database (table
 * provider_circuits). Every transition this process makes (a failure counted, a probe let
 * through, a circuit closed) is written at once, behind routing, in order; the failure count
 * is incremented under a row lock, so failures on all instances add up to one count and the
 * instance that reaches the threshold opens the circuit for all. Each instance reloads the
 * table every CIRCUIT_SYNC_MS (CircuitSyncJob), so what one instance sees, all see within
 * about a second. Routing itself only reads the in-process view: no database call per payment.
 */
@Injectable()
export class SharedCircuits implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SharedCircuits.name);
  /** Writes and reloads, one at a time, so a reload never overtakes this process's own write. */
  private chain: Promise<unknown> = Promise.resolve();
  /** Accounts with a write queued: a reload leaves their (newer) local view alone. */
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly tx: TransactionService,
    @InjectRepository(ProviderCircuit) private readonly circuits: Repository<ProviderCircuit>,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    // A failed write is logged by inOrder; the next reload brings the view back to the table.
    this.breaker.onChange = (change) =>
      void this.queue(change.accountId, () => this.write(change)).catch(() => undefined);
  }

  /** Before the database closes: the transitions already made are written. */
  async onModuleDestroy(): Promise<void> {
    await this.settled();
  }

  /** Replaces this process's view with the table (accounts with a write in flight excepted). */
  reload(): Promise<void> {
    return this.inOrder(async () => {
      const rows = await this.circuits.find();
      const shared = new Map(rows.map((row) => [row.providerAccountId, toCircuit(row)]));
      for (const id of new Set([...this.breaker.accountIds(), ...shared.keys()])) {
        if (!this.pending.has(id)) this.breaker.adopt(id, shared.get(id) ?? null);
      }
    });
  }

  /** Closes the circuit on every instance (admin reset), audited in the same transaction. */
  async reset(accountId: string): Promise<void> {
    await this.queue(accountId, () =>
      this.tx.run(async (m) => {
        await m.delete(ProviderCircuit, { providerAccountId: accountId });
        await this.audit.record(m, { targetId: accountId });
      }),
    );
    this.breaker.adopt(accountId, null);
  }

  /** Resolves once every write queued so far is done (tests, shutdown). */
  async settled(): Promise<void> {
    await this.chain;
  }

  private async write(change: CircuitChange): Promise<void> {
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

  private queue<T>(accountId: string, work: () => Promise<T>): Promise<T> {
    this.pending.set(accountId, (this.pending.get(accountId) ?? 0) + 1);
    const done = () => {
      const left = this.pending.get(accountId)! - 1;
      if (left > 0) this.pending.set(accountId, left);
      else this.pending.delete(accountId);
    };
    return this.inOrder(work).finally(done);
  }

  private inOrder<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work);
    this.chain = next.catch((error: Error) =>
      this.logger.warn({ msg: 'shared circuit state not written', error: error.message }),
    );
    return next;
  }
}
