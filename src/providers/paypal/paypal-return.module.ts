import { Module } from '@nestjs/common';
import { ReconciliationModule } from '../../reconciliation/reconciliation.module';
import { PayPalReturnController } from './paypal-return.controller';

/** The buyer's return from PayPal (see PayPalReturnController). */
@Module({ imports: [ReconciliationModule], controllers: [PayPalReturnController] })
export class PayPalReturnModule {}
