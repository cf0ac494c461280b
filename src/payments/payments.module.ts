import { Module } from '@nestjs/common';
import { PaymentsController } from './payments.controller';
import { PaymentsService } from './payments.service';
import { PaymentAttempts } from './payment-attempts';
import { RefundsService } from './refunds.service';
import { PaymentStatusService } from './payment-status.service';
import { PaymentUpdatesService } from './payment-updates.service';
import { PaymentOperationsService } from './operations/payment-operations.service';
import { OperationReportsService } from './operations/operation-reports.service';
import { RefundTracker } from './operations/refund-tracker.service';
import { RoutingModule } from '../routing/routing.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';

@Module({
  imports: [RoutingModule, IdempotencyModule],
  controllers: [PaymentsController],
  providers: [
    PaymentsService,
    PaymentAttempts,
    RefundsService,
    PaymentStatusService,
    PaymentUpdatesService,
    PaymentOperationsService,
    OperationReportsService,
    RefundTracker,
  ],
  exports: [
    PaymentsService,
    RefundsService,
    PaymentUpdatesService,
    PaymentStatusService,
    PaymentOperationsService,
    OperationReportsService,
    RefundTracker,
  ],
})
export class PaymentsModule {}
