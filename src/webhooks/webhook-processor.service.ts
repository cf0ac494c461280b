import { Injectable, Logger } from '@nestjs/common';
import { WebhookDelivery } from './webhook-delivery.entity';
import { PaymentUpdatesService } from '../payments/payment-updates.service';
import { ResolvedAccount } from '../providers/provider-accounts.service';
import { TransactionService } from '../database/transaction.service';
import { redactText } from '../common/logging/redact';

/** Turns one stored delivery into status changes. Safe to run again on the same delivery. */
@Injectable()
export class WebhookProcessorService {
  private readonly logger = new Logger('WebhookProcessor');

  constructor(
    private readonly updates: PaymentUpdatesService,
    private readonly tx: TransactionService,
  ) {}

  async process(delivery: WebhookDelivery, resolved: ResolvedAccount): Promise<boolean> {
    const webhook = { headers: delivery.headers, rawBody: Buffer.from(delivery.body, 'utf8') };
    try {
      const notifications = await resolved.provider.parseWebhook(resolved.context, webhook);
      for (const notification of notifications) {
        let payment = notification.payment;
        if (notification.fetchState || (!payment && !notification.refund)) {
          payment = await resolved.provider.getPayment(
            resolved.context,
            notification.providerPaymentId,
          );
        }
        if (payment) {
          const result = await this.updates.applyPaymentState(
            resolved.account.id,
            payment,
            'webhook',
          );
          this.logger.log({
            msg: 'webhook applied',
            deliveryId: delivery.id,
            providerStatus: payment.providerStatus,
            result,
          });
        }
        if (notification.refund) {
          await this.updates.applyRefundState(
            resolved.account.id,
            notification.providerPaymentId,
            notification.refund,
            'webhook',
          );
        }
      }
      await this.mark(delivery, 'processed', null);
      return true;
    } catch (error) {
      const message = redactText((error as Error).message ?? String(error)).slice(0, 1024);
      this.logger.warn({
        msg: 'webhook processing failed; will retry',
        deliveryId: delivery.id,
        error: message,
      });
      await this.mark(delivery, 'failed', message);
      return false;
    }
  }

  private mark(delivery: WebhookDelivery, status: string, error: string | null): Promise<unknown> {
    delivery.processingAttempts += 1;
    return this.tx.write((m) =>
      m.update(
        WebhookDelivery,
        { id: delivery.id },
        {
          status,
          error,
          processingAttempts: delivery.processingAttempts,
          processedAt: status === 'processed' ? new Date() : null,
        },
      ),
    );
  }
}
