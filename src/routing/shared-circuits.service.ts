import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Circuit, CircuitBreaker, CircuitChange } from './circuit-breaker';

/**
 * Shares the circuit breaker between the server instances, behind one interface with two
 * implementations chosen at module setup (RoutingModule): DatabaseCircuits (table
 * provider_circuits) and, with PAYMENTSERVER_REDIS_URL set, RedisCircuits. Every transition this
 * process makes (a failure counted, a probe let through, a circuit closed) is written at once,
 * behind routing, in order; the failure count is incremented atomically in the store, so
 * failures on all instances add up to one count and the instance that reaches the threshold
 * opens the circuit for all. Each instance reloads the store every CIRCUIT_SYNC_MS
 * (CircuitSyncJob), so what one instance sees, all see within about a second. Routing itself
 * only reads the in-process view: no store call per payment.
 *
 * The store unreachable: a write is logged and dropped and a reload keeps the view as it is, so
 * the instance goes on with its own state until the store answers again.
 */
export abstract class SharedCircuits implements OnModuleInit, OnModuleDestroy {
  protected readonly logger = new Logger(SharedCircuits.name);
  /** Writes and reloads, one at a time, so a reload never overtakes this process's own write. */
  private chain: Promise<unknown> = Promise.resolve();
  /** Accounts with a write queued: a reload leaves their (newer) local view alone. */
  private readonly pending = new Map<string, number>();

  protected constructor(protected readonly breaker: CircuitBreaker) {}

  /**
   * Every account's shared circuit (an account not listed: closed, nothing counted); null when
   * the store cannot say now (the view is kept as it is).
   */
  protected abstract readAll(): Promise<Map<string, Circuit> | null>;
  /** Writes one transition; a counted failure adopts the shared result. */
  protected abstract write(change: CircuitChange): Promise<void>;
  /** Forgets the account's circuit, and records the audit event of the reset. */
  protected abstract clear(accountId: string): Promise<void>;

  onModuleInit(): void {
    // A failed write is logged by inOrder; the next reload brings the view back to the store.
    this.breaker.onChange = (change) =>
      void this.queue(change.accountId, () => this.write(change)).catch(() => undefined);
  }

  /** Before the store closes: the transitions already made are written. */
  async onModuleDestroy(): Promise<void> {
    await this.settled();
  }

  /** Replaces this process's view with the store (accounts with a write in flight excepted). */
  reload(): Promise<void> {
    return this.inOrder(async () => {
      const shared = await this.readAll();
      if (!shared) return;
      for (const id of new Set([...this.breaker.accountIds(), ...shared.keys()])) {
        if (!this.pending.has(id)) this.breaker.adopt(id, shared.get(id) ?? null);
      }
    });
  }

  /** Closes the circuit on every instance (admin reset), audited. */
  async reset(accountId: string): Promise<void> {
    await this.queue(accountId, () => this.clear(accountId));
    this.breaker.adopt(accountId, null);
  }

  /** Resolves once every write queued so far is done (tests, shutdown). */
  async settled(): Promise<void> {
    await this.chain;
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
    this.chain = next.catch((error: Error) => this.failed(error));
    return next;
  }

  protected failed(error: Error): void {
    this.logger.warn({ msg: 'shared circuit state not written', error: error.message });
  }
}
