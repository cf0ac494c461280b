import { Injectable, Logger } from '@nestjs/common';
import { ALL_FEATURES } from '../capabilities';
import { probeConnection, type ConnectionCheck } from '../connector/connection-check';
import { mapPspStatus } from '../connector/psp-status';
import { PayPalWebhookVerifier } from './paypal-webhook.verifier';
import { paypalItems, paypalPayer, paypalShipping, paypalText } from './paypal-order-lines';
import { ProviderError } from '../provider-error';
import { ConnectorClient } from '../connector/connector-client';
import {
  paypalConnector,
  PayPalTokens,
  PAYPAL_DESCRIPTION,
  requestPayPalToken,
} from './paypal.connector';
import { fromPayPalMoney, toPayPalMoney } from './paypal-money';
import {
  PayPalReadBack,
  paypalReadBackNotifications,
  paypalWebhookDedupeKey,
  paypalWebhookNotifications,
  paypalWebhookReference,
  readPayPalEvent,
  refundCaptureId,
} from './paypal.webhooks';
import {
  CancelResult,
  CaptureResult,
  CreatePaymentRequest,
  CreatePaymentResult,
  InboundWebhook,
  OperationRequest,
  PaymentProvider,
  ProviderCallContext,
  ProviderOperationState,
  KnownPayment,
  ProviderPaymentState,
  ProviderRefundState,
  RefundResult,
  WebhookAck,
  WebhookNotification,
  WebhookPaymentView,
  WebhookReference,
  WebhookVerificationIo,
} from '../provider.interface';
import {
  PAYPAL_CAPTURE_STATUS_MAP,
  PAYPAL_REFUND_STATUS_MAP,
  PayPalApiError,
  paypalCaptureState,
  PAYPAL_FUNDING_RETRY_ISSUES,
  PAYPAL_CURRENCIES,
  paypalOrderState,
} from './paypal.mapper';
import type { PayPalAuthorization, PayPalCapture, PayPalOrder, PayPalRefund } from './paypal.types';

/**
 * The longest an order can wait for the buyer (checkout_orders_v2.json, the order's `links`):
 * 3 hours to redirect the payer, which an account manager can raise to 72, then 3 hours for the
 * approval; plus an hour for the clocks. A payment older than this whose order PayPal no
 * longer knows has expired there.
 */
export const PAYPAL_ORDER_LIFETIME_MAX_MS = (72 + 3 + 1) * 3_600_000;

/**
 * PayPal Orders v2 with OAuth2 client credentials. An order is created with intent CAPTURE
 * (automatic) or AUTHORIZE (manual); once the buyer approves it (CHECKOUT.ORDER.APPROVED
 * webhook, or a poll that finds it APPROVED) the connector captures or authorizes it. Manual
 * captures and voids go to the authorization, refunds to the capture. Webhooks are verified
 * locally with PayPal's signing certificate and the account's webhookId (PayPalWebhookVerifier);
 * as that signature covers the body only through its CRC32, a verified body only names the
 * payment or refund to look at, and its state is read from PayPal (getPayment,
 * completeWebhookNotification).
 */
@Injectable()
export class PayPalProvider implements PaymentProvider {
  private readonly logger = new Logger('PayPalProvider');
  private readonly api = new ConnectorClient(paypalConnector(new PayPalTokens()));
  /** Caches PayPal's signing certificates. */
  private readonly verifier = new PayPalWebhookVerifier();

  readonly name = 'paypal';
  readonly capabilities = {
    currencies: PAYPAL_CURRENCIES,
    methods: ['paypal'] as const,
    // cancel: only an authorized payment can be voided; an unapproved order cannot be canceled.
    ...ALL_FEATURES,
  };

  readonly description = PAYPAL_DESCRIPTION;

  /** A cheap authenticated read (see ConnectionCheck). */
  testConnection(ctx: ProviderCallContext): Promise<ConnectionCheck> {
    return probeConnection('PayPal', () => requestPayPalToken(ctx));
  }

  async createPayment(
    ctx: ProviderCallContext,
    request: CreatePaymentRequest,
  ): Promise<CreatePaymentResult> {
    const experience: Record<string, string> = {
      // Through this server, so the buyer's return captures the order (PayPalReturnController).
      return_url: `${ctx.webhookUrl}?return=${encodeURIComponent(request.paymentId)}`,
      cancel_url: `${ctx.webhookUrl}?cancel=${encodeURIComponent(request.paymentId)}`,
      user_action: 'PAY_NOW',
      // A shipping address given is the one PayPal ships to; otherwise there is none.
      shipping_preference: request.shippingAddress ? 'SET_PROVIDED_ADDRESS' : 'NO_SHIPPING',
    };
    const { amount, items } = paypalItems(request, (money) => toPayPalMoney(money));
    const shipping = paypalShipping(request);
    // Ours may be `nl_NL`; PayPal's `language` is BCP 47 (`nl-NL`).
    const locale = request.customer?.locale?.replace('_', '-');
    if (locale && /^[a-z]{2}(-[A-Z]{2})?$/.test(locale)) experience.locale = locale;
    const order = await this.api.call<PayPalOrder>(
      ctx,
      'POST',
      '/v2/checkout/orders',
      {
        intent: request.captureMode === 'manual' ? 'AUTHORIZE' : 'CAPTURE',
        purchase_units: [
          {
            reference_id: request.paymentId,
            custom_id: request.paymentId,
            description: paypalText(request.description, 127),
            amount,
            ...(items ? { items } : {}),
            ...(shipping ? { shipping } : {}),
          },
        ],
        payment_source: {
          paypal: { experience_context: experience, ...paypalPayer(request) },
        },
      },
      request.paymentId,
    );
    const approve = order.links?.find(
      (link) => link.rel === 'payer-action' || link.rel === 'approve',
    );
    if (!approve)
      throw new ProviderError('provider_error', 'PayPal: the order has no approval link');
    return { providerPaymentId: order.id, checkoutUrl: approve.href };
  }

  /** The order's state; an APPROVED order is captured (or authorized) now, as the buyer meant. */
  async getPayment(
    ctx: ProviderCallContext,
    providerPaymentId: string,
    known?: KnownPayment,
  ): Promise<ProviderPaymentState> {
    let order: PayPalOrder;
    try {
      order = await this.getOrder(ctx, providerPaymentId);
    } catch (error) {
      // 404 INVALID_RESOURCE_ID: "Specified resource ID does not exist" (checkout_orders_v2.json).
      // PayPal gives the same answer for an order past its lifetime and for one that belongs
      // to another REST app or merchant (credentials switched, sandbox versus live). `expired`
      // is final, and an order that still exists elsewhere may yet be approved and captured:
      // so only a payment older than the longest lifetime PayPal gives an order is expired,
      // a younger one is unknown (no status change).
      if (
        error instanceof PayPalApiError &&
        error.code === 'not_found' &&
        error.issue === 'INVALID_RESOURCE_ID'
      ) {
        const age = known ? Date.now() - known.createdAt.getTime() : 0;
        if (age > PAYPAL_ORDER_LIFETIME_MAX_MS)
          return { providerPaymentId, status: 'expired', providerStatus: 'RESOURCE_NOT_FOUND' };
        this.logger.warn({
          msg: 'PayPal does not know the order (past its lifetime, or another app); status unchanged',
          orderId: providerPaymentId,
        });
        return { providerPaymentId, status: null, providerStatus: 'RESOURCE_NOT_FOUND' };
      }
      throw error;
    }
    if (order.status === 'APPROVED') {
      try {
        order = await this.complete(ctx, order);
      } catch (error) {
        const issue = error instanceof PayPalApiError ? error.issue : undefined;
        // orders.authorize-422: "Order is expired and hence cannot be authorized." PayPal's
        // own word that the approval window has passed: nothing can be taken any more.
        if (issue === 'ORDER_EXPIRED')
          return { providerPaymentId, status: 'expired', providerStatus: `APPROVED/${issue}` };
        if (issue && PAYPAL_FUNDING_RETRY_ISSUES.has(issue)) {
          // The order is still usable: the buyer is sent back to PayPal to pick another
          // funding source (handle-funding-failures). A new approval is captured like the
          // first; an order nobody approves again expires.
          return { providerPaymentId, status: 'pending', providerStatus: `APPROVED/${issue}` };
        }
        if (error instanceof ProviderError && error.code === 'declined') {
          return {
            providerPaymentId,
            status: 'failed',
            providerStatus: (error as PayPalApiError).issue ?? 'DECLINED',
            failure: { code: 'declined', message: error.message },
          };
        }
        throw error;
      }
    }
    return paypalOrderState(order);
  }

  async capture(ctx: ProviderCallContext, op: OperationRequest): Promise<CaptureResult> {
    const authorization = this.authorizationOf(await this.getOrder(ctx, op.providerPaymentId));
    const capture = await this.api.call<PayPalCapture>(
      ctx,
      'POST',
      `/v2/payments/authorizations/${encodeURIComponent(authorization.id)}/capture`,
      { amount: toPayPalMoney(op.amount), final_capture: true, invoice_id: op.paymentId },
      op.idempotencyKey,
    );
    const status = mapPspStatus(PAYPAL_CAPTURE_STATUS_MAP, capture.status);
    if (status === 'failed')
      throw new ProviderError('declined', `PayPal: capture ${capture.status}`);
    return {
      status: status === 'paid' ? 'succeeded' : 'pending',
      amountCaptured: op.amount.value,
      providerOperationId: capture.id,
    };
  }

  /**
   * Voids the authorization. PayPal takes no PayPal-Request-Id here (payments v2 spec); a void
   * is safe to repeat because getCancellation looks at the authorization before any retry.
   */
  async cancel(ctx: ProviderCallContext, op: OperationRequest): Promise<CancelResult> {
    const order = await this.getOrder(ctx, op.providerPaymentId);
    const authorization = order.purchase_units?.[0]?.payments?.authorizations?.[0];
    if (!authorization) {
      throw new ProviderError(
        'not_supported',
        'PayPal cannot cancel an order the buyer has not approved; it expires by itself',
      );
    }
    await this.api.call(
      ctx,
      'POST',
      `/v2/payments/authorizations/${encodeURIComponent(authorization.id)}/void`,
    );
    return { status: 'succeeded', providerOperationId: authorization.id };
  }

  async refund(ctx: ProviderCallContext, op: OperationRequest): Promise<RefundResult> {
    const order = await this.getOrder(ctx, op.providerPaymentId);
    const capture = order.purchase_units?.[0]?.payments?.captures?.find(
      (c) => c.status !== 'DECLINED' && c.status !== 'FAILED',
    );
    if (!capture)
      throw new ProviderError('invalid_request', 'PayPal: the order has no capture to refund');
    const note = op.reason ? oneLine(op.reason, 255) : undefined;
    const refund = await this.api.call<PayPalRefund>(
      ctx,
      'POST',
      `/v2/payments/captures/${encodeURIComponent(capture.id)}/refund`,
      {
        amount: toPayPalMoney(op.amount),
        custom_id: op.id,
        invoice_id: op.id,
        ...(note ? { note_to_payer: note } : {}),
      },
      op.idempotencyKey,
    );
    return {
      providerRefundId: refund.id,
      status: mapPspStatus(PAYPAL_REFUND_STATUS_MAP, refund.status) ?? 'pending',
    };
  }

  /** By its id once known, else among the order's refunds by custom_id (our refund id). */
  async getRefund(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderRefundState | null> {
    const refund = op.providerOperationId
      ? await this.api.call<PayPalRefund>(
          ctx,
          'GET',
          `/v2/payments/refunds/${encodeURIComponent(op.providerOperationId)}`,
        )
      : (
          await this.getOrder(ctx, op.providerPaymentId)
        ).purchase_units?.[0]?.payments?.refunds?.find((r) => r.custom_id === op.id);
    if (!refund) return null;
    return {
      providerRefundId: refund.id,
      refundId: refund.custom_id,
      status: mapPspStatus(PAYPAL_REFUND_STATUS_MAP, refund.status) ?? null,
      providerStatus: refund.status,
      amount: refund.amount ? fromPayPalMoney(refund.amount) : undefined,
    };
  }

  /** The order's authorization and its captures: an authorization still CREATED was not captured. */
  async getCapture(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderOperationState | null> {
    const payments = (await this.getOrder(ctx, op.providerPaymentId)).purchase_units?.[0]?.payments;
    return paypalCaptureState(payments, op);
  }

  async getCancellation(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderOperationState | null> {
    const authorization = (await this.getOrder(ctx, op.providerPaymentId)).purchase_units?.[0]
      ?.payments?.authorizations?.[0];
    if (!authorization || authorization.status === 'CREATED' || authorization.status === 'PENDING')
      return null;
    const providerStatus = `authorization:${authorization.status}`;
    if (authorization.status === 'VOIDED')
      return { status: 'succeeded', providerStatus, providerOperationId: authorization.id };
    return {
      status: 'failed',
      providerStatus,
      failure: { code: 'not_cancelable', message: `the authorization is ${authorization.status}` },
    };
  }

  /** Locally, with PayPal's certificate (see PayPalWebhookVerifier): no PayPal API call per delivery. */
  async verifyWebhook(
    ctx: ProviderCallContext,
    webhook: InboundWebhook,
    io?: WebhookVerificationIo,
  ): Promise<void> {
    await this.verifier.verify(ctx, webhook, io);
  }

  webhookReferences(webhook: InboundWebhook): WebhookReference[] {
    const event = readPayPalEvent(webhook);
    return event ? [paypalWebhookReference(event)] : [];
  }

  /** The order behind a refund that names only its capture (one authenticated call, verified deliveries only). */
  async resolveWebhookPayment(
    ctx: ProviderCallContext,
    notification: WebhookNotification,
  ): Promise<string | null> {
    if (!notification.lookup) return null;
    const capture = await this.api.call<PayPalCapture>(
      ctx,
      'GET',
      `/v2/payments/captures/${encodeURIComponent(notification.lookup)}`,
    );
    return capture.supplementary_data?.related_ids?.order_id ?? null;
  }

  parseWebhook(ctx: ProviderCallContext, webhook: InboundWebhook): WebhookNotification[] {
    return paypalWebhookNotifications(ctx, webhook, this.logger);
  }

  /**
   * A refund or reversal item is replaced by the refund object as PayPal's API reports it
   * (refunds.get, GET /v2/payments/refunds/{id}: a reversal is a refund object too, its `self`
   * link pointing there), never as the body says (see paypalWebhookNotifications): its status,
   * amount and custom_id. It must belong to this payment: its capture is the payment's
   * providerReference, or a capture of the payment's order (captures.get). Any failure to read
   * it is thrown, so the delivery is retried from the inbox; it never counts as a failed refund.
   * Other items (orders, captures, authorizations) are fetched by the core with getPayment.
   */
  async completeWebhookNotification(
    ctx: ProviderCallContext,
    notification: WebhookNotification,
    payment: WebhookPaymentView,
  ): Promise<WebhookNotification[]> {
    const readBack = notification.detail?.readBack as PayPalReadBack | undefined;
    const refundId = notification.detail?.refund;
    if ((readBack !== 'refund' && readBack !== 'reversal') || !refundId) return [notification];
    const refund = await this.api.call<PayPalRefund>(
      ctx,
      'GET',
      `/v2/payments/refunds/${encodeURIComponent(refundId)}`,
    );
    const captureId = refundCaptureId(refund);
    if (!(await this.isCaptureOf(ctx, captureId, payment))) {
      return [
        {
          mismatch: {
            reason: 'payment_mismatch',
            detail: `PayPal refund ${refundId.slice(0, 32)} is of capture ${String(captureId).slice(0, 32)}, not of payment ${payment.id}`,
          },
        },
      ];
    }
    return paypalReadBackNotifications(ctx, readBack, refund, payment, this.logger);
  }

  webhookDedupeKey(webhook: InboundWebhook): string | null {
    return paypalWebhookDedupeKey(webhook);
  }

  webhookAck(): WebhookAck {
    return { status: 200, contentType: 'application/json', body: '{}' };
  }

  /**
   * Captures (intent CAPTURE) or authorizes (AUTHORIZE) an approved order; safe to repeat, as
   * PayPal completes an order once (ORDER_ALREADY_CAPTURED). The PayPal-Request-Id names this
   * approval (the order's update_time): PayPal answers a repeated id with its first answer, so
   * after a declined instrument the buyer's new approval must be sent under a new one.
   */
  private async complete(ctx: ProviderCallContext, order: PayPalOrder): Promise<PayPalOrder> {
    const action = order.intent === 'AUTHORIZE' ? 'authorize' : 'capture';
    const approval = typeof order.update_time === 'string' ? `-${order.update_time}` : '';
    try {
      return await this.api.call<PayPalOrder>(
        ctx,
        'POST',
        `/v2/checkout/orders/${encodeURIComponent(order.id)}/${action}`,
        {},
        `${action}-${order.id}${approval}`.slice(0, 108),
      );
    } catch (error) {
      const issue = (error as PayPalApiError).issue;
      // Someone else (the webhook, another instance) got there first.
      if (issue === 'ORDER_ALREADY_CAPTURED' || issue === 'ORDER_ALREADY_AUTHORIZED')
        return this.getOrder(ctx, order.id);
      throw error;
    }
  }

  /** Whether PayPal's capture `captureId` is the payment's (one captures.get unless it is its providerReference). */
  private async isCaptureOf(
    ctx: ProviderCallContext,
    captureId: string | undefined,
    payment: WebhookPaymentView,
  ): Promise<boolean> {
    if (!captureId) return false;
    if (captureId === payment.providerReference) return true;
    const capture = await this.api.call<PayPalCapture>(
      ctx,
      'GET',
      `/v2/payments/captures/${encodeURIComponent(captureId)}`,
    );
    return capture.supplementary_data?.related_ids?.order_id === payment.providerPaymentId;
  }

  private authorizationOf(order: PayPalOrder): PayPalAuthorization {
    const authorization = order.purchase_units?.[0]?.payments?.authorizations?.[0];
    if (!authorization)
      throw new ProviderError(
        'invalid_request',
        'PayPal: the order has no authorization to capture',
      );
    return authorization;
  }

  private getOrder(ctx: ProviderCallContext, orderId: string): Promise<PayPalOrder> {
    return this.api.call<PayPalOrder>(
      ctx,
      'GET',
      `/v2/checkout/orders/${encodeURIComponent(orderId)}`,
    );
  }
}

/** note_to_payer's pattern is ^.*$ (refund_request): no line breaks, so whitespace runs become one space. */
function oneLine(text: string, max: number): string | undefined {
  // By code point, so a surrogate pair is never cut in half.
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.slice(0, max).join('').trimEnd() || undefined;
}
