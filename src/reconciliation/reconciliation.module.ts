import { Module } from '@nestjs/common';
import { ReconciliationService } from './reconciliation.service';
import { AttentionService } from './attention.service';
import { PaymentsModule } from '../payments/payments.module';

@Module({
  imports: [PaymentsModule],
  providers: [ReconciliationService, AttentionService],
  exports: [ReconciliationService, AttentionService],
})
export class ReconciliationModule {}
