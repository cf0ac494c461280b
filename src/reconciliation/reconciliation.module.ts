import { Module } from '@nestjs/common';
import { ReconciliationService } from './reconciliation.service';
import { AttentionService } from './attention.service';
import { ReconciliationJob } from './reconciliation.job';
import { PaymentsModule } from '../payments/payments.module';

@Module({
  imports: [PaymentsModule],
  providers: [ReconciliationService, ReconciliationJob, AttentionService],
  exports: [ReconciliationService, AttentionService],
})
export class ReconciliationModule {}
