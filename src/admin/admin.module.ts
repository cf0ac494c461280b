import { Module } from '@nestjs/common';
import { ProviderAccountsController } from './provider-accounts.controller';
import { PaymentsAdminController } from './payments-admin.controller';
import { PaymentsModule } from '../payments/payments.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { ReconciliationModule } from '../reconciliation/reconciliation.module';

/** Admin API controllers; they reuse the services of the feature modules. */
@Module({
  imports: [PaymentsModule, IdempotencyModule, ReconciliationModule],
  controllers: [ProviderAccountsController, PaymentsAdminController],
})
export class AdminModule {}
