import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app.config';

export type CircuitState = 'closed' | 'open' | 'half_open';

interface Circuit {
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

/**
 * Per provider account: after `threshold` consecutive retryable failures the account is taken
 * out of rotation (open); after the cooldown one payment may probe it (half-open); a success
 * closes the circuit, another retryable failure opens it again. State lives in this process:
 * each server instance keeps its own (documented in the README).
 */
@Injectable()
export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();
  private readonly threshold: number;
  private readonly cooldownMs: number;
  now: () => number = () => Date.now();

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
    if (circuit && this.state(accountId) === 'half_open') circuit.probeStartedAt = this.now();
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
    this.circuits.delete(accountId);
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
