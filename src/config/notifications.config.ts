import { ConfigError, EnvReader } from './env-reader';

export interface NotificationsConfig {
  rabbitmqUrl: string | undefined;
  retryScheduleSeconds: number[];
}

export const DEFAULT_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];

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
  };
}
