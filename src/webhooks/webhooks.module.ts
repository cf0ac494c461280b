import { Module } from '@nestjs/common';
import { WebhooksController } from './webhooks.controller';
import { WebhookIntakeService } from './webhook-intake.service';
import { WebhookProcessorService } from './webhook-processor.service';
import { PaymentsModule } from '../payments/payments.module';
import { ReconciliationModule } from '../reconciliation/reconciliation.module';

@Module({
  imports: [PaymentsModule, ReconciliationModule],
  controllers: [WebhooksController],
  providers: [WebhookIntakeService, WebhookProcessorService],
  exports: [WebhookProcessorService],
})
export class WebhooksModule {}
