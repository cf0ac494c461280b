import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app.config';

export type CircuitState = 'closed' | 'open' | 'half_open';

/** One account's circuit, in this process's view (times in ms since the epoch). */
export interface Circuit {
  consecutiveFailures: number;
  openedAt: number | null;
  /** When the current half-open probe started; a probe that never reports back expires after a cooldown. */
  probeStartedAt: number | null;
  lastFailure: string | null;
  lastFailureAt: number | null;
}

export interface CircuitView {
  state: CircuitState;
  consecutiveFailures: number;
  openedAt: string | null;
  /** When an open circuit lets one probe payment through. */
  retryAt: string | null;
  lastFailure: string | null;
  lastFailureAt: string | null;
}

/** A transition this process made, for the shared store to write (see SharedCircuits). */
export type CircuitChange =
  | { kind: 'failure'; accountId: string; error: string; at: number }
  | { kind: 'probe'; accountId: string; at: number }
  | { kind: 'healthy'; accountId: string };

/**
 * Per provider account: after `threshold` consecutive retryable failures the account is taken
 * out of rotation (open); after the cooldown one payment may probe it (half-open); a success
 * closes the circuit, another retryable failure opens it again.
 *
 * This is the fast, synchronous view routing reads on every payment. Each transition is also
 * handed to `onChange`, which SharedCircuits writes to the database; SharedCircuits in turn
 * replaces this view with the shared state (`adopt`), so all instances converge.
 */
@Injectable()
export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();
  readonly threshold: number;
  readonly cooldownMs: number;
  now: () => number = () => Date.now();
  /** Told of every transition this process makes; unset, the state stays in this process. */
  onChange?: (change: CircuitChange) => void;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'routing'>) {
    this.threshold = config.routing.circuitFailureThreshold;
    this.cooldownMs = config.routing.circuitCooldownMs;
  }

  state(accountId: string): CircuitState {
    const circuit = this.circuits.get(accountId);
    if (!circuit || circuit.openedAt === null) return 'closed';
    return this.now() - circuit.openedAt >= this.cooldownMs ? 'half_open' : 'open';
  }

  /** Whether a payment may call the account now; a half-open circuit lets exactly one probe through. */
  tryAcquire(accountId: string): boolean {
    if (!this.wouldAdmit(accountId)) return false;
    const circuit = this.circuits.get(accountId);
    if (circuit && this.state(accountId) === 'half_open') {
      circuit.probeStartedAt = this.now();
      this.onChange?.({ kind: 'probe', accountId, at: circuit.probeStartedAt });
    }
    return true;
  }

  /** What tryAcquire would answer now, without taking the probe (routing simulation). */
  wouldAdmit(accountId: string): boolean {
    const state = this.state(accountId);
    if (state === 'closed') return true;
    if (state === 'open') return false;
    const circuit = this.circuits.get(accountId)!;
    return !(
      circuit.probeStartedAt !== null && this.now() - circuit.probeStartedAt < this.cooldownMs
    );
  }

  /** The provider answered (a success, or a final answer such as a decline): it is healthy. */
  recordHealthy(accountId: string): void {
    // Nothing to close (the common case) costs nothing, here or in the database.
    if (!this.circuits.delete(accountId)) return;
    this.onChange?.({ kind: 'healthy', accountId });
  }

  recordRetryableFailure(accountId: string, error: string): void {
    const circuit = this.circuits.get(accountId) ?? {
      consecutiveFailures: 0,
      openedAt: null,
      probeStartedAt: null,
      lastFailure: null,
      lastFailureAt: null,
    };
    const wasProbe = circuit.openedAt !== null;
    circuit.consecutiveFailures += 1;
    circuit.lastFailure = error;
    circuit.lastFailureAt = this.now();
    circuit.probeStartedAt = null;
    if (wasProbe || circuit.consecutiveFailures >= this.threshold) circuit.openedAt = this.now();
    this.circuits.set(accountId, circuit);
    this.onChange?.({ kind: 'failure', accountId, error, at: circuit.lastFailureAt });
  }

  /** Takes the shared state of one account (null: closed, nothing counted) as this view. */
  adopt(accountId: string, circuit: Circuit | null): void {
    if (circuit) this.circuits.set(accountId, { ...circuit });
    else this.circuits.delete(accountId);
  }

  /** The accounts this breaker has a circuit for (closed ones it has forgotten are not listed). */
  accountIds(): string[] {
    return [...this.circuits.keys()];
  }

  view(accountId: string): CircuitView {
    const circuit = this.circuits.get(accountId);
    const iso = (ms: number | null | undefined) =>
      ms === null || ms === undefined ? null : new Date(ms).toISOString();
    return {
      state: this.state(accountId),
      consecutiveFailures: circuit?.consecutiveFailures ?? 0,
      openedAt: iso(circuit?.openedAt),
      retryAt: circuit?.openedAt != null ? iso(circuit.openedAt + this.cooldownMs) : null,
      lastFailure: circuit?.lastFailure ?? null,
      lastFailureAt: iso(circuit?.lastFailureAt),
    };
  }
}
