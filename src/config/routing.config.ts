import { ConfigError, EnvReader } from './env-reader';

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

function positiveInteger(reader: EnvReader, key: string, fallback: number, max: number): number {
  const raw = reader.optionalString(key);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new ConfigError(key, `must be a whole number from 1 to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

export function loadRoutingConfig(reader: EnvReader): RoutingConfig {
  const providerTimeoutMs = positiveInteger(
    reader,
    'PAYMENTSERVER_PROVIDER_TIMEOUT_MS',
    10_000,
    300_000,
  );
  const timeBudgetMs = positiveInteger(
    reader,
    'PAYMENTSERVER_ROUTING_TIME_BUDGET_MS',
    25_000,
    600_000,
  );
  return {
    providerTimeoutMs,
    timeBudgetMs,
    circuitFailureThreshold: positiveInteger(
      reader,
      'PAYMENTSERVER_CIRCUIT_FAILURE_THRESHOLD',
      5,
      1000,
    ),
    circuitCooldownMs: positiveInteger(
      reader,
      'PAYMENTSERVER_CIRCUIT_COOLDOWN_MS',
      30_000,
      86_400_000,
    ),
  };
}
