import type { ConfigKey } from './config-key';
import { DEV_ONLY } from './shared';

/** Status notifications to shops: the outbox worker and its channels. */
export const NOTIFICATION_KEYS: readonly ConfigKey[] = [
  // Notifications
  {
    name: 'PAYMENTSERVER_RABBITMQ_URL',
    section: 'Notifications',
    type: 'string',
    secret: true,
    example: 'amqp://guest:guest@127.0.0.1:5672',
    description: 'AMQP URL (`amqp://` or `amqps://`) for RabbitMQ notification endpoints.',
  },
  {
    name: 'PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE',
    section: 'Notifications',
    type: 'integer-list',
    default: '5,300,1800,7200,18000,36000,50400,72000,86400',
    min: 1,
    unit: 'seconds',
    description: 'Seconds between delivery attempts to a shop; after the last one it is `dead`.',
  },
  {
    name: 'PAYMENTSERVER_ALLOW_PRIVATE_WEBHOOK_TARGETS',
    section: 'Notifications',
    type: 'boolean',
    example: 'true',
    defaultText: DEV_ONLY,
    description: 'Allow notification URLs on loopback, link-local and private addresses.',
  },
  {
    name: 'PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS',
    section: 'Notifications',
    type: 'integer',
    default: '1000',
    min: 1,
    max: 60_000,
    unit: 'milliseconds',
    description: 'How often an idle notification worker looks for due deliveries.',
  },
  {
    name: 'PAYMENTSERVER_NOTIFICATION_LEASE_SECONDS',
    section: 'Notifications',
    type: 'integer',
    default: '60',
    min: 1,
    max: 3600,
    unit: 'seconds',
    description:
      'How long a claimed delivery stays with its worker before another instance may take it over; renewed while the send runs, so it bounds how soon a crashed instance\u2019s sends are taken over.',
  },
  {
    name: 'PAYMENTSERVER_NOTIFICATION_BATCH_SIZE',
    section: 'Notifications',
    type: 'integer',
    default: '50',
    min: 1,
    max: 500,
    description: 'Deliveries claimed and sent concurrently per round.',
  },
  {
    name: 'PAYMENTSERVER_NOTIFICATION_HTTP_TIMEOUT_SECONDS',
    section: 'Notifications',
    type: 'integer',
    default: '15',
    min: 1,
    max: 120,
    unit: 'seconds',
    description:
      'Deadline of one webhook request (DNS, connect, headers and body together, so an endpoint that drips its answer is cut off; Standard Webhooks recommends 15–30 s) and of one RabbitMQ publisher confirm.',
  },
  {
    name: 'PAYMENTSERVER_NOTIFICATION_ENDPOINT_CONCURRENCY',
    section: 'Notifications',
    type: 'integer',
    default: '16',
    min: 1,
    max: 500,
    description:
      'Webhook requests in flight to one endpoint at once, per server instance: a slow endpoint cannot take every slot of the batch.',
  },
];
