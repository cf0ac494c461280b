import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { featureOnlyFor } from '../../../../src/providers/capabilities';
import { ConnectorClient } from '../../../../src/providers/connector/connector-client';
import {
  probeConnection,
  type ConnectionCheck,
} from '../../../../src/providers/connector/connection-check';
import { WebhookVerificationError } from '../../../../src/providers/provider-error';
import type {
  CancelResult,
  CaptureResult,
  CreatePaymentRequest,
  CreatePaymentResult,
  InboundWebhook,
  OperationRequest,
  PaymentProvider,
  ProviderCallContext,
  ProviderCapabilities,
  ProviderPaymentState,
  RefundResult,
  WebhookAck,
  WebhookNotification,
  WebhookReference,
} from '../../../../src/providers/provider.interface';
import type { PaymentMethod } from '../../../../src/domain/payment-status';
import { EXAMPLE_CONNECTOR, EXAMPLE_DESCRIPTION } from './example.connector';
import { exampleChargeState } from './example.mapper';
import type { ExampleCharge, ExampleRefund, ExampleWebhook } from './example.types';

const METHODS: PaymentMethod[] = ['card', 'ideal'];

/**
 * The connector that docs/connectors.md "Adding a connector" walks through: a hosted checkout
 * (`redirect_url`), captures, voids and refunds, HMAC-signed webhooks carrying the charge.
 */
@Injectable()
export class ExampleProvider implements PaymentProvider {
  private readonly api = new ConnectorClient(EXAMPLE_CONNECTOR);
  readonly name = 'example';
  readonly description = EXAMPLE_DESCRIPTION;
  readonly capabilities: ProviderCapabilities = {
    currencies: ['EUR', 'USD', 'GBP'],
    methods: METHODS,
    manualCapture: true,
    // The example PSP authorises cards only; iDEAL is always captured at once.
    byMethod: featureOnlyFor('manualCapture', METHODS, ['card']),
    partialCapture: false,
    cancel: true,
    refunds: true,
    partialRefunds: true,
    multipleRefunds: false,
    polling: true,
  };

  testConnection(ctx: ProviderCallContext): Promise<ConnectionCheck> {
    return probeConnection('Example PSP', () =>
      this.api.send(ctx, { method: 'GET', path: '/v1/merchant' }),
    );
  }

  async createPayment(
    ctx: ProviderCallContext,
    request: CreatePaymentRequest,
  ): Promise<CreatePaymentResult> {
    const charge = await this.api.call<ExampleCharge>(
      ctx,
      'POST',
      '/v1/charges',
      {
        merchant: ctx.account.credentials.merchantId,
        amount: request.amount.value,
        currency: request.amount.currency,
        reference: request.paymentId,
        description: request.description,
        ...(request.method ? { method: request.method } : {}),
        capture: request.captureMode === 'manual' ? 'manual' : 'auto',
        return_url: request.returnUrl,
        cancel_url: request.cancelUrl,
        notify_url: ctx.webhookUrl,
      },
      request.paymentId,
    );
    return { providerPaymentId: charge.id, checkoutUrl: charge.redirect_url };
  }

  async getPayment(ctx: ProviderCallContext, id: string): Promise<ProviderPaymentState> {
    return exampleChargeState(
      await this.api.call<ExampleCharge>(ctx, 'GET', `/v1/charges/${encodeURIComponent(id)}`),
    );
  }

  async capture(ctx: ProviderCallContext, op: OperationRequest): Promise<CaptureResult> {
    const charge = await this.api.call<ExampleCharge>(
      ctx,
      'POST',
      `/v1/charges/${encodeURIComponent(op.providerPaymentId)}/capture`,
      { amount: op.amount.value },
      op.idempotencyKey,
    );
    return { status: 'succeeded', amountCaptured: charge.captured_amount };
  }

  async cancel(ctx: ProviderCallContext, op: OperationRequest): Promise<CancelResult> {
    await this.api.call<ExampleCharge>(
      ctx,
      'POST',
      `/v1/charges/${encodeURIComponent(op.providerPaymentId)}/void`,
      {},
      op.idempotencyKey,
    );
    return { status: 'succeeded' };
  }

  async refund(ctx: ProviderCallContext, op: OperationRequest): Promise<RefundResult> {
    const refund = await this.api.call<ExampleRefund>(
      ctx,
      'POST',
      `/v1/charges/${encodeURIComponent(op.providerPaymentId)}/refunds`,
      { amount: op.amount.value, reference: op.id },
      op.idempotencyKey,
    );
    return { providerRefundId: refund.id, status: refund.status };
  }

  async verifyWebhook(ctx: ProviderCallContext, webhook: InboundWebhook): Promise<void> {
    const given = Buffer.from(webhook.headers['example-signature'] ?? '', 'hex');
    const expected = createHmac('sha256', ctx.account.credentials.webhookSecret)
      .update(webhook.rawBody)
      .digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new WebhookVerificationError('Example-Signature does not verify');
  }

  webhookReferences(webhook: InboundWebhook): WebhookReference[] {
    const charge = readWebhook(webhook)?.charge;
    return charge ? [{ paymentId: charge.reference, providerPaymentId: charge.id }] : [];
  }

  parseWebhook(_ctx: ProviderCallContext, webhook: InboundWebhook): WebhookNotification[] {
    const charge = readWebhook(webhook)?.charge;
    if (!charge) return [];
    return [
      {
        paymentId: charge.reference,
        providerPaymentId: charge.id,
        signedAmount: {
          money: { value: charge.amount, currency: charge.currency },
          rule: 'equals',
        },
        payment: exampleChargeState(charge),
      },
    ];
  }

  webhookAck(): WebhookAck {
    return { status: 200, contentType: 'application/json', body: '{"ok":true}' };
  }
}

/** A webhook body, or null when it is not one (never throws). */
function readWebhook(webhook: InboundWebhook): ExampleWebhook | null {
  try {
    const body = JSON.parse(webhook.rawBody.toString('utf8')) as Partial<ExampleWebhook>;
    const charge = body?.charge;
    return body.type === 'charge.updated' && charge && typeof charge.id === 'string'
      ? (body as ExampleWebhook)
      : null;
  } catch {
    return null;
  }
}
