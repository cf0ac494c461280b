import { Module } from '@nestjs/common';
import { WebhooksController } from './webhooks.controller';
import { WebhookIntakeService } from './webhook-intake.service';
import { WebhookProcessorService } from './webhook-processor.service';
import { WebhookDirectProcessor } from './webhook-direct.processor';
import { WebhookRetryJob } from './webhook-retry.job';
import { WebhookInboxPurger } from './webhook-inbox.purger';
import { WebhookPaymentFinder } from './webhook-payment.finder';
import { WebhookPollBudget } from './webhook-poll.budget';
import { OnDemandPoller } from './on-demand-poller.service';
import { WebhookInboxService } from './webhook-inbox.service';
import { ProviderWebhooksAdminController } from './provider-webhooks-admin.controller';
import { PaymentsModule } from '../payments/payments.module';
import { ReconciliationModule } from '../reconciliation/reconciliation.module';
import { RoutingModule } from '../routing/routing.module';

@Module({
  imports: [PaymentsModule, ReconciliationModule, RoutingModule],
  controllers: [WebhooksController, ProviderWebhooksAdminController],
  providers: [
    WebhookIntakeService,
    WebhookProcessorService,
    WebhookDirectProcessor,
    WebhookRetryJob,
    WebhookPaymentFinder,
    WebhookPollBudget,
    OnDemandPoller,
    WebhookInboxService,
    WebhookInboxPurger,
  ],
  exports: [WebhookProcessorService, OnDemandPoller, WebhookInboxPurger],
})
export class WebhooksModule {}
