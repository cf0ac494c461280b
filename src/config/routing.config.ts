import { EnvReader } from './env-reader';

export interface RoutingConfig {
  /** How long one provider call may take before it counts as a (retryable) timeout. */
  providerTimeoutMs: number;
  /** How long creating one payment may spend on provider calls, fallbacks included. */
  timeBudgetMs: number;
  /** Consecutive retryable failures that take an account out of rotation. */
  circuitFailureThreshold: number;
  /** How long an account stays out before one probe payment may try it again. */
  circuitCooldownMs: number;
}

export function loadRoutingConfig(reader: EnvReader): RoutingConfig {
  const providerTimeoutMs = reader.integer('PAYMENTSERVER_PROVIDER_TIMEOUT_MS');
  const timeBudgetMs = reader.integer('PAYMENTSERVER_ROUTING_TIME_BUDGET_MS');
  return {
    providerTimeoutMs,
    timeBudgetMs,
    circuitFailureThreshold: reader.integer('PAYMENTSERVER_CIRCUIT_FAILURE_THRESHOLD'),
    circuitCooldownMs: reader.integer('PAYMENTSERVER_CIRCUIT_COOLDOWN_MS'),
  };
}
