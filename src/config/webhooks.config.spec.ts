import { EnvReader } from './env-reader';
import { loadWebhooksConfig } from './webhooks.config';

const load = (env: Record<string, string>) => loadWebhooksConfig(new EnvReader(env));

describe('provider webhook configuration', () => {
  it('retries for 3 days from 30 s, at most 6 h apart, and allows 60 unverified polls a minute per account by default', () => {
    expect(load({})).toEqual({
      retryBaseSeconds: 30,
      retryMaxDelaySeconds: 21_600,
      retryHorizonSeconds: 259_200,
      retryIntervalMs: 5000,
      pollBudgetPerMinute: 60,
    });
  });

  it('takes seconds for tests', () => {
    const config = load({
      PAYMENTSERVER_WEBHOOK_RETRY_BASE_SECONDS: '1',
      PAYMENTSERVER_WEBHOOK_RETRY_MAX_DELAY_SECONDS: '2',
      PAYMENTSERVER_WEBHOOK_RETRY_HORIZON_SECONDS: '6',
      PAYMENTSERVER_WEBHOOK_RETRY_INTERVAL_MS: '200',
      PAYMENTSERVER_WEBHOOK_POLL_BUDGET_PER_MINUTE: '3',
    });
    expect(config).toEqual({
      retryBaseSeconds: 1,
      retryMaxDelaySeconds: 2,
      retryHorizonSeconds: 6,
      retryIntervalMs: 200,
      pollBudgetPerMinute: 3,
    });
  });

  it.each([
    ['PAYMENTSERVER_WEBHOOK_RETRY_BASE_SECONDS', '0'],
    ['PAYMENTSERVER_WEBHOOK_RETRY_BASE_SECONDS', '1.5'],
    ['PAYMENTSERVER_WEBHOOK_RETRY_HORIZON_SECONDS', 'three days'],
    ['PAYMENTSERVER_WEBHOOK_RETRY_INTERVAL_MS', '10'],
    ['PAYMENTSERVER_WEBHOOK_POLL_BUDGET_PER_MINUTE', '0'],
    ['PAYMENTSERVER_WEBHOOK_POLL_BUDGET_PER_MINUTE', '-5'],
  ])('refuses %s=%s with one line naming the key', (key, value) => {
    expect(() => load({ [key]: value })).toThrow(new RegExp(`^Invalid configuration: ${key} `));
  });

  it('refuses a maximum delay below the first delay', () => {
    expect(() =>
      load({
        PAYMENTSERVER_WEBHOOK_RETRY_BASE_SECONDS: '60',
        PAYMENTSERVER_WEBHOOK_RETRY_MAX_DELAY_SECONDS: '30',
      }),
    ).toThrow(/^Invalid configuration: PAYMENTSERVER_WEBHOOK_RETRY_MAX_DELAY_SECONDS /);
  });
});
