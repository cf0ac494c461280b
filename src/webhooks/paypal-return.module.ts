import { Module } from '@nestjs/common';
import { WebhooksModule } from './webhooks.module';
import { PayPalReturnController } from './paypal-return.controller';

/** The buyer's return from PayPal (see PayPalReturnController). */
@Module({ imports: [WebhooksModule], controllers: [PayPalReturnController] })
export class PayPalReturnModule {}
