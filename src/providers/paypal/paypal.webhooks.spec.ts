import { Logger } from '@nestjs/common';
import type { ProviderCallContext, WebhookPaymentView } from '../provider.interface';
import {
  paypalReadBackNotifications,
  paypalWebhookDedupeKey,
  paypalWebhookNotifications,
  paypalWebhookReference,
} from './paypal.webhooks';
import type { PayPalRefund, PayPalWebhookEvent } from './paypal.types';

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

  it('a reversal is only named (its capture, its refund id), to be read back from PayPal', () => {
    expect(paypalWebhookNotifications(ctx, webhook(reversal()), logger)).toEqual([
      {
        providerPaymentId: '2CA67890',
        lookup: '2CA67890',
        detail: { readBack: 'reversal', refund: '1RE12345' },
      },
    ]);
  });

  it('the status a reversal body claims decides nothing: FAILED is read back all the same', () => {
    expect(paypalWebhookNotifications(ctx, webhook(reversal('FAILED')), logger)).toEqual(
      paypalWebhookNotifications(ctx, webhook(reversal()), logger),
    );
  });

  it('a reversal without its refund id is ignored (nothing to read back)', () => {
    const event = reversal();
    delete event.resource.id;
    expect(paypalWebhookNotifications(ctx, webhook(event), logger)).toEqual([]);
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

  const capture = (status: string, value = '10.50'): PayPalWebhookEvent => ({
    id: 'WH-2',
    event_type: `PAYMENT.CAPTURE.${status}`,
    resource: {
      id: '2CA67890',
      status,
      amount: { currency_code: 'EUR', value },
      custom_id: 'pay_1',
      supplementary_data: { related_ids: { order_id: 'ORDER1' } },
    },
  });

  it.each(['COMPLETED', 'PENDING', 'DECLINED'])(
    'PAYMENT.CAPTURE.%s names the payment and asks for its state (the order), nothing from the body',
    (status) => {
      expect(paypalWebhookNotifications(ctx, webhook(capture(status)), logger)).toEqual([
        { providerPaymentId: 'ORDER1', paymentId: 'pay_1', fetchState: true },
      ]);
    },
  );

  it('an authorization event is fetched the same way', () => {
    const event = { ...capture('CREATED'), event_type: 'PAYMENT.AUTHORIZATION.CREATED' };
    expect(paypalWebhookNotifications(ctx, webhook(event), logger)).toEqual([
      { providerPaymentId: 'ORDER1', paymentId: 'pay_1', fetchState: true },
    ]);
  });

  it('a capture’s amount and status in the body change nothing in its item', () => {
    expect(
      paypalWebhookNotifications(ctx, webhook(capture('COMPLETED', '99999.00')), logger),
    ).toEqual(paypalWebhookNotifications(ctx, webhook(capture('DECLINED', '0.01')), logger));
  });

  it('a refund names our refund and its capture, and is read back by its id', () => {
    const event: PayPalWebhookEvent = {
      id: 'WH-3',
      event_type: 'PAYMENT.CAPTURE.REFUNDED',
      resource: {
        id: '1RE12345',
        status: 'FAILED',
        amount: { currency_code: 'EUR', value: '10.50' },
        custom_id: 'ref_1',
        links: reversal().resource.links,
      },
    };
    expect(paypalWebhookNotifications(ctx, webhook(event), logger)).toEqual([
      {
        refundId: 'ref_1',
        providerPaymentId: '2CA67890',
        lookup: '2CA67890',
        detail: { readBack: 'refund', refund: '1RE12345' },
      },
    ]);
  });
});

describe('PayPal refunds and reversals read back', () => {
  const payment: WebhookPaymentView = {
    id: 'pay_1',
    providerPaymentId: 'ORDER1',
    providerReference: '2CA67890',
    captureMode: 'automatic',
    amount: { value: 1050, currency: 'EUR' },
    status: 'paid',
  };
  const read = (overrides: Partial<PayPalRefund> = {}): PayPalRefund => ({
    id: '1RE12345',
    status: 'COMPLETED',
    amount: { currency_code: 'EUR', value: '4.00' },
    ...overrides,
  });

  it('a refund: the status, amount and custom_id PayPal reports', () => {
    expect(
      paypalReadBackNotifications(
        ctx,
        'refund',
        read({ status: 'PENDING', custom_id: 'ref_1' }),
        payment,
        logger,
      ),
    ).toEqual([
      {
        signedAmount: { money: { value: 400, currency: 'EUR' }, rule: 'at_most' },
        refund: {
          providerRefundId: '1RE12345',
          refundId: 'ref_1',
          status: 'pending',
          providerStatus: 'PENDING',
          amount: 400,
        },
      },
    ]);
  });

  it('a reversal PayPal reports COMPLETED charges the payment back', () => {
    expect(paypalReadBackNotifications(ctx, 'reversal', read(), payment, logger)).toEqual([
      {
        signedAmount: { money: { value: 400, currency: 'EUR' }, rule: 'at_most' },
        payment: {
          providerPaymentId: 'ORDER1',
          status: 'charged_back',
          providerStatus: 'PAYMENT.CAPTURE.REVERSED:COMPLETED',
        },
      },
    ]);
  });

  it.each(['FAILED', 'CANCELLED'])('a reversal PayPal reports %s changes nothing', (status) => {
    expect(paypalReadBackNotifications(ctx, 'reversal', read({ status }), payment, logger)).toEqual(
      [],
    );
  });

  it('a "reversal" that PayPal shows as a refund of ours (a custom_id) is applied as that refund', () => {
    const [item] = paypalReadBackNotifications(
      ctx,
      'reversal',
      read({ custom_id: 'ref_1' }),
      payment,
      logger,
    );
    expect(item.payment).toBeUndefined();
    expect(item.refund).toMatchObject({ refundId: 'ref_1', status: 'succeeded', amount: 400 });
  });
});

describe('PayPal webhook dedupe key', () => {
  const raw = (body: string) => ({ headers: {}, rawBody: Buffer.from(body) });

  it('a repeat (the same event id and body) has the same key', () => {
    const body = JSON.stringify(reversal());
    expect(paypalWebhookDedupeKey(raw(body))).toBe(paypalWebhookDedupeKey(raw(body)));
    expect(paypalWebhookDedupeKey(raw(body))).toMatch(/^paypal-event:WH-1:[0-9a-f]{64}$/);
  });

  it('another body under the same event id (a forgery) is no repeat of it', () => {
    const genuine = JSON.stringify(reversal());
    const forged = JSON.stringify(reversal('FAILED'));
    expect(paypalWebhookDedupeKey(raw(forged))).not.toBe(paypalWebhookDedupeKey(raw(genuine)));
  });
});
