import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import type {
  ChannelResult,
  ChannelTarget,
  NotificationChannel,
  OutgoingEvent,
} from './notification-channel';
import { BrokerUnavailableError, RabbitMqConnection } from './rabbitmq.connection';

export const DEFAULT_EXCHANGE = 'paymentserver.events';

/**
 * Publishes to a durable topic exchange, routing key = (prefix +) event type, persistent,
 * messageId = event id. Success means the broker confirmed the message and did not return it.
 */
@Injectable()
export class RabbitMqChannel implements NotificationChannel {
  readonly type = 'rabbitmq' as const;

  constructor(
    private readonly connection: RabbitMqConnection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  available(): boolean {
    return this.connection.connected;
  }

  async send(target: ChannelTarget, event: OutgoingEvent): Promise<ChannelResult> {
    const routingKey = `${target.routingKeyPrefix ?? ''}${event.type}`;
    try {
      await this.connection.publish(
        target.exchange ?? DEFAULT_EXCHANGE,
        routingKey,
        event.body,
        { messageId: event.id, type: event.type },
        this.config.notifications.httpTimeoutSeconds * 1000,
      );
      return { ok: true };
    } catch (error) {
      const message = (error as Error).message;
      // A dropped connection is our side's problem, not the endpoint's: retry soon, uncounted.
      return { ok: false, error: message, notAttempted: error instanceof BrokerUnavailableError };
    }
  }
}
