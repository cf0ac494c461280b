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

export const DEFAULT_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];

function positiveInteger(reader: EnvReader, key: string, fallback: number, max: number): number {
  const raw = reader.optionalString(key);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new ConfigError(key, `must be a whole number 1-${max} (got "${raw}")`);
  }
  return Number(raw);
}

export function loadNotificationsConfig(reader: EnvReader): NotificationsConfig {
  const rabbitmqUrl = reader.optionalString('PAYMENTSERVER_RABBITMQ_URL');
  if (rabbitmqUrl !== undefined && !/^amqps?:\/\//.test(rabbitmqUrl)) {
    throw new ConfigError('PAYMENTSERVER_RABBITMQ_URL', 'must be an amqp:// or amqps:// URL');
  }
  return {
    rabbitmqUrl,
    retryScheduleSeconds: reader.positiveIntegerList(
      'PAYMENTSERVER_NOTIFICATION_RETRY_SCHEDULE',
      DEFAULT_RETRY_SCHEDULE,
    ),
    pollIntervalMs: positiveInteger(
      reader,
      'PAYMENTSERVER_NOTIFICATION_POLL_INTERVAL_MS',
      1000,
      60_000,
    ),
    leaseSeconds: positiveInteger(reader, 'PAYMENTSERVER_NOTIFICATION_LEASE_SECONDS', 60, 3600),
    batchSize: positiveInteger(reader, 'PAYMENTSERVER_NOTIFICATION_BATCH_SIZE', 50, 500),
    httpTimeoutSeconds: positiveInteger(
      reader,
      'PAYMENTSERVER_NOTIFICATION_HTTP_TIMEOUT_SECONDS',
      10,
      120,
    ),
    endpointConcurrency: positiveInteger(
      reader,
      'PAYMENTSERVER_NOTIFICATION_ENDPOINT_CONCURRENCY',
      16,
      500,
    ),
  };
}
