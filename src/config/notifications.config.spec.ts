import { EnvReader } from './env-reader';
import { loadNotificationsConfig } from './notifications.config';

const load = (env: Record<string, string>) => loadNotificationsConfig(new EnvReader(env));

describe('notifications configuration', () => {
  it('has working defaults', () => {
    expect(load({})).toEqual({
      rabbitmqUrl: undefined,
      retryScheduleSeconds: [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400],
      pollIntervalMs: 1000,
      leaseSeconds: 60,
      batchSize: 50,
      httpTimeoutSeconds: 15,
      endpointConcurrency: 16,
    });
  });

  it('reads every key', () => {
    expect(
      load({
        PAYMENTSERVER_RABBITMQ_URL: 'amqps://u:p@mq.example:5671/vhost',
        PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE: '1, 2,3',
        PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS: '250',
        PAYMENTSERVER_NOTIFICATION_LEASE_SECONDS: '30',
        PAYMENTSERVER_NOTIFICATION_BATCH_SIZE: '10',
        PAYMENTSERVER_NOTIFICATION_HTTP_TIMEOUT_SECONDS: '5',
        PAYMENTSERVER_NOTIFICATION_ENDPOINT_CONCURRENCY: '3',
      }),
    ).toEqual({
      rabbitmqUrl: 'amqps://u:p@mq.example:5671/vhost',
      retryScheduleSeconds: [1, 2, 3],
      pollIntervalMs: 250,
      leaseSeconds: 30,
      batchSize: 10,
      httpTimeoutSeconds: 5,
      endpointConcurrency: 3,
    });
  });

  it.each([
    ['PAYMENTSERVER_RABBITMQ_URL', 'http://mq.example'],
    ['PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE', '5,later'],
    ['PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS', '0'],
    ['PAYMENTSERVER_NOTIFICATION_LEASE_SECONDS', '1.5'],
    ['PAYMENTSERVER_NOTIFICATION_BATCH_SIZE', '501'],
    ['PAYMENTSERVER_NOTIFICATION_HTTP_TIMEOUT_SECONDS', 'ten'],
    ['PAYMENTSERVER_NOTIFICATION_ENDPOINT_CONCURRENCY', '0'],
  ])('refuses a bad %s with one line naming the key', (key, value) => {
    expect(() => load({ [key]: value })).toThrow(new RegExp(`^Invalid configuration: ${key} `));
  });
});
