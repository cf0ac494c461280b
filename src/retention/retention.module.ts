import { Module } from '@nestjs/common';
import { RetentionService } from './retention.service';
import { RetentionJob } from './retention.job';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';

@Module({
  imports: [WebhooksModule, NotificationsModule, IdempotencyModule],
  providers: [RetentionService, RetentionJob],
  exports: [RetentionService],
})
export class RetentionModule {}
