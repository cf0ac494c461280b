import { Logger } from '@nestjs/common';
import type { ProviderCallContext } from '../provider.interface';
import { paypalWebhookNotifications, paypalWebhookReference } from './paypal.webhooks';
import type { PayPalWebhookEvent } from './paypal.types';

const ctx = { account: { id: 'pa_1' } } as unknown as ProviderCallContext;
const logger = new Logger('test');
const webhook = (event: unknown) => ({ headers: {}, rawBody: Buffer.from(JSON.stringify(event)) });

/** PAYMENT.CAPTURE.REVERSED as PayPal sends it: a refund object naming only its capture. */
const reversal = (status = 'COMPLETED'): PayPalWebhookEvent => ({
  id: 'WH-1',
  event_type: 'PAYMENT.CAPTURE.REVERSED',
  resource_type: 'refund',
  resource: {
    id: '1RE12345',
    status,
    amount: { currency_code: 'EUR', value: '10.50' },
    note_to_payer: 'Payment reversed',
    links: [
      { href: 'https://api.paypal.com/v2/payments/refunds/1RE12345', rel: 'self', method: 'GET' },
      { href: 'https://api.paypal.com/v2/payments/captures/2CA67890', rel: 'up', method: 'GET' },
    ],
  },
});

describe('PayPal webhooks', () => {
  it('a reversal is named by its capture id (the payment’s providerReference)', () => {
    expect(paypalWebhookReference(reversal())).toEqual({ providerPaymentId: '2CA67890' });
  });

  it('a reversal charges the payment back, its capture kept to find the order', () => {
    expect(paypalWebhookNotifications(ctx, webhook(reversal()), logger)).toEqual([
      {
        providerPaymentId: '2CA67890',
        signedAmount: { money: { value: 1050, currency: 'EUR' }, rule: 'at_most' },
        lookup: '2CA67890',
        payment: {
          providerPaymentId: '2CA67890',
          status: 'charged_back',
          providerStatus: 'PAYMENT.CAPTURE.REVERSED:COMPLETED',
        },
      },
    ]);
  });

  it('a failed reversal changes nothing', () => {
    expect(paypalWebhookNotifications(ctx, webhook(reversal('FAILED')), logger)).toEqual([]);
  });

  it('a refund made in the dashboard is named by its capture too', () => {
    const event = { ...reversal(), event_type: 'PAYMENT.CAPTURE.REFUNDED' };
    expect(paypalWebhookReference(event)).toEqual({ providerPaymentId: '2CA67890' });
  });

  it('links of an unexpected shape name nothing', () => {
    const event = reversal();
    event.resource.links = 'not a list';
    expect(paypalWebhookReference(event)).toEqual({});
  });

  it('a completed capture carries its id as the payment’s providerReference', () => {
    const [item] = paypalWebhookNotifications(
      ctx,
      webhook({
        id: 'WH-2',
        event_type: 'PAYMENT.CAPTURE.COMPLETED',
        resource: {
          id: '2CA67890',
          status: 'COMPLETED',
          amount: { currency_code: 'EUR', value: '10.50' },
          custom_id: 'pay_1',
          supplementary_data: { related_ids: { order_id: 'ORDER1' } },
        },
      }),
      logger,
    );
    expect(item.payment).toMatchObject({ status: 'paid', providerReference: '2CA67890' });
  });
});
