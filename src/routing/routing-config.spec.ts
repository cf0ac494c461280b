import { loadAppConfig } from '../config/app.config';

describe('routing configuration', () => {
  const base = { PAYMENTSERVER_DB: 'memory' };

  it('has defaults', () => {
    expect(loadAppConfig(base).routing).toEqual({
      providerTimeoutMs: 10_000,
      timeBudgetMs: 25_000,
      circuitFailureThreshold: 5,
      circuitCooldownMs: 30_000,
    });
  });

  it('reads every key', () => {
    const config = loadAppConfig({
      ...base,
      PAYMENTSERVER_PROVIDER_TIMEOUT_MS: '2500',
      PAYMENTSERVER_ROUTING_TIME_BUDGET_MS: '9000',
      PAYMENTSERVER_CIRCUIT_FAILURE_THRESHOLD: '2',
      PAYMENTSERVER_CIRCUIT_COOLDOWN_MS: '60000',
    });
    expect(config.routing).toEqual({
      providerTimeoutMs: 2500,
      timeBudgetMs: 9000,
      circuitFailureThreshold: 2,
      circuitCooldownMs: 60_000,
    });
  });

  it.each([
    ['PAYMENTSERVER_PROVIDER_TIMEOUT_MS', '0'],
    ['PAYMENTSERVER_PROVIDER_TIMEOUT_MS', '1.5'],
    ['PAYMENTSERVER_ROUTING_TIME_BUDGET_MS', 'soon'],
    ['PAYMENTSERVER_CIRCUIT_FAILURE_THRESHOLD', '-1'],
    ['PAYMENTSERVER_CIRCUIT_COOLDOWN_MS', '99999999999'],
  ])('refuses %s=%s with one line naming the key', (key, value) => {
    expect(() => loadAppConfig({ ...base, [key]: value })).toThrow(
      new RegExp(
        `^Invalid configuration: ${key} must be a whole number from 1 to \\d+ \\(got "${value.replace('.', '\\.')}"\\)$`,
      ),
    );
  });
});
