import { Module } from '@nestjs/common';
import { ProviderAccountsController } from './provider-accounts.controller';
import { PaymentsAdminController } from './payments-admin.controller';
import { PaymentTotalsController } from './payment-totals.controller';
import { PaymentTotalsService } from './payment-totals.service';
import { AdminMeController } from './admin-me.controller';
import { ProvidersCatalogController } from './providers-catalog.controller';
import { PaymentsModule } from '../payments/payments.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { ReconciliationModule } from '../reconciliation/reconciliation.module';

/** Admin API controllers; they reuse the services of the feature modules. */
@Module({
  imports: [PaymentsModule, IdempotencyModule, ReconciliationModule],
  // PaymentTotalsController first: its `payments/totals` must be routed before `payments/:id`.
  controllers: [
    AdminMeController,
    ProvidersCatalogController,
    ProviderAccountsController,
    PaymentTotalsController,
    PaymentsAdminController,
  ],
  providers: [PaymentTotalsService],
})
export class AdminModule {}
