import { ConfigError, EnvReader } from './env-reader';

export interface NotificationsConfig {
  rabbitmqUrl: string | undefined;
  retryScheduleSeconds: number[];
  /** How often an idle worker looks for due deliveries. */
  pollIntervalMs: number;
  /** How long a claimed delivery stays with its worker before another may take it over. */
  leaseSeconds: number;
  /** Deliveries claimed (and sent concurrently) per round. */
  batchSize: number;
  /**
   * Absolute deadline of one HTTP webhook request: DNS, connect, headers and body together (a
   * target that drips its answer cannot hold a request past it); also the RabbitMQ confirm timeout.
   */
  httpTimeoutSeconds: number;
  /** HTTP webhook requests in flight to one endpoint at once, per server instance. */
  endpointConcurrency: number;
}

export function loadNotificationsConfig(reader: EnvReader): NotificationsConfig {
  const rabbitmqUrl = reader.optionalString('PAYMENTSERVER_RABBITMQ_URL');
  if (rabbitmqUrl !== undefined && !/^amqps?:\/\//.test(rabbitmqUrl)) {
    throw new ConfigError('PAYMENTSERVER_RABBITMQ_URL', 'must be an amqp:// or amqps:// URL');
  }
  return {
    rabbitmqUrl,
    retryScheduleSeconds: reader.integerList('PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE'),
    pollIntervalMs: reader.integer('PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS'),
    leaseSeconds: reader.integer('PAYMENTSERVER_NOTIFICATION_LEASE_SECONDS'),
    batchSize: reader.integer('PAYMENTSERVER_NOTIFICATION_BATCH_SIZE'),
    httpTimeoutSeconds: reader.integer('PAYMENTSERVER_NOTIFICATION_HTTP_TIMEOUT_SECONDS'),
    endpointConcurrency: reader.integer('PAYMENTSERVER_NOTIFICATION_ENDPOINT_CONCURRENCY'),
  };
}
