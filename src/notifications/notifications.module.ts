import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { READINESS_CHECKS, ReadinessCheck } from '../health/health.service';
import { NotificationEndpointsController } from './notification-endpoints.controller';
import { NotificationEndpointsService } from './notification-endpoints.service';
import { NotificationWorker } from './notification.worker';
import { OutboxFanOut } from './outbox.fan-out';
import { DeliveryClaims } from './delivery.claims';
import { DeliveryRecorder } from './delivery.recorder';
import { OutboxCommitListener } from './outbox-commit.listener';
import { NotificationPollJob } from './notification-poll.job';
import { NotificationLeaseRenewalJob } from './notification-lease-renewal.job';
import { NotificationsPurger } from './notifications.purger';
import { TargetGuard } from './target-guard';
import { EndpointSubscriptions } from './endpoint-subscriptions';
import { HttpWebhookChannel } from './channels/http-webhook.channel';
import { RabbitMqChannel } from './channels/rabbitmq.channel';
import { RabbitMqConnection } from './channels/rabbitmq.connection';
import { NOTIFICATION_CHANNELS } from './channels/notification-channel';

/**
 * Status notifications to shops: endpoints (admin API), the outbox worker and the channels.
 * Global to hand the broker's readiness check to the health module, and the endpoint
 * subscriptions to the payment status writer.
 */
@Global()
@Module({
  controllers: [NotificationEndpointsController],
  providers: [
    {
      provide: TargetGuard,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new TargetGuard(config.security.allowPrivateWebhookTargets),
    },
    NotificationEndpointsService,
    EndpointSubscriptions,
    OutboxFanOut,
    DeliveryClaims,
    DeliveryRecorder,
    NotificationWorker,
    NotificationPollJob,
    NotificationLeaseRenewalJob,
    NotificationsPurger,
    OutboxCommitListener,
    RabbitMqConnection,
    HttpWebhookChannel,
    RabbitMqChannel,
    {
      provide: NOTIFICATION_CHANNELS,
      inject: [HttpWebhookChannel, RabbitMqChannel],
      useFactory: (http: HttpWebhookChannel, rabbit: RabbitMqChannel) => [http, rabbit],
    },
    {
      provide: READINESS_CHECKS,
      inject: [RabbitMqConnection],
      useFactory: (broker: RabbitMqConnection): ReadinessCheck[] =>
        broker.configured ? [{ name: 'rabbitmq', check: async () => broker.connected }] : [],
    },
  ],
  exports: [
    READINESS_CHECKS,
    NotificationEndpointsService,
    NotificationsPurger,
    EndpointSubscriptions,
  ],
})
export class NotificationsModule {}
