import { Injectable, Logger } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PaymentMethod } from '../../payments/payment-status';
import type { FieldError } from '../../common/errors/domain-error';
import { ProviderError, WebhookVerificationError } from '../provider-error';
import { ConnectorClient, parseJsonOr, type ConnectorSpec } from '../connector/connector-client';
import { featureOnlyFor } from '../capabilities';
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
  ProviderOperationState,
  ProviderPaymentState,
  ProviderRefundState,
  RefundResult,
  WebhookAck,
  WebhookNotification,
  WebhookReference,
} from '../provider.interface';
import {
  CAPTURE_ORDER_SUFFIX,
  isAwaitingCapture,
  MULTISAFEPAY_CURRENCIES,
  multisafepayError,
  MULTISAFEPAY_GATEWAYS,
  multisafepayCaptureState,
  multisafepayOrderState,
  multisafepayRefundState,
  toMultisafepayLocale,
} from './multisafepay.mapper';
import type {
  MultiSafepayCreated,
  MultiSafepayEnvelope,
  MultiSafepayOrder,
  MultiSafepayRefundCreated,
} from './multisafepay.types';
import {
  MULTISAFEPAY_EXPIRY,
  multisafepayCart,
  multisafepayPeople,
  multisafepaySecondsActive,
} from './multisafepay-order-lines';

export const MULTISAFEPAY_LIVE_URL = 'https://api.multisafepay.com';
export const MULTISAFEPAY_TEST_URL = 'https://testapi.multisafepay.com';

/** MultiSafepay's transport: test or live host, the `api_key` header, a `success` envelope. */
export const MULTISAFEPAY_CONNECTOR: ConnectorSpec = {
  baseUrl: (ctx) =>
    `${ctx.account.baseUrl ?? (ctx.account.testMode ? MULTISAFEPAY_TEST_URL : MULTISAFEPAY_LIVE_URL)}/v1/json`,
  authHeaders: (ctx) => ({ api_key: ctx.account.credentials.apiKey }),
  headers: () => ({ accept: 'application/json' }),
  // A 2xx without `success: true` is an error all the same.
  readSuccess: (response) => {
    const envelope = parseJsonOr<MultiSafepayEnvelope<unknown>>(response.text);
    if (envelope.success) return envelope.data;
    throw multisafepayError(response);
  },
  parseError: multisafepayError,
};
/** How old a notification's timestamp may be (MultiSafepay's own SDK default). */
const NOTIFICATION_MAX_AGE_SECONDS = 600;

/** The `Auth` header of a POST notification: base64("<timestamp>:<hex HMAC-SHA512(apiKey, "<timestamp>:<body>")>"). */
export function multisafepayAuthHeader(apiKey: string, timestamp: number, body: string): string {
  return Buffer.from(
    `${timestamp}:${multisafepaySignature(apiKey, String(timestamp), body)}`,
  ).toString('base64');
}

function multisafepaySignature(apiKey: string, timestamp: string, body: string): string {
  return createHmac('sha512', apiKey.trim()).update(`${timestamp}:${body}`).digest('hex');
}

/**
 * MultiSafepay API v1 orders: `type: redirect` with the hosted `payment_url`, refunds and
 * cancel, and manual capture for cards (`capture: manual`, captured into a child order).
 * Requests carry the `api_key` header; POST notifications are verified with the `Auth` header
 * and answered `OK`.
 */
@Injectable()
export class MultisafepayProvider implements PaymentProvider {
  private readonly logger = new Logger('MultisafepayProvider');
  private readonly api = new ConnectorClient(MULTISAFEPAY_CONNECTOR);
  readonly name = 'multisafepay';
  readonly capabilities: ProviderCapabilities = {
    currencies: MULTISAFEPAY_CURRENCIES,
    methods: Object.keys(MULTISAFEPAY_GATEWAYS) as PaymentMethod[],
    // Manual capture is a card feature (MultiSafepay enables it per account).
    byMethod: featureOnlyFor(
      'manualCapture',
      Object.keys(MULTISAFEPAY_GATEWAYS) as PaymentMethod[],
      ['card'],
    ),
    expiry: MULTISAFEPAY_EXPIRY,
    manualCapture: true,
    partialCapture: true,
    cancel: true,
    refunds: true,
    partialRefunds: true,
    multipleRefunds: true,
    polling: true,
  };

  validateCredentials(credentials: Record<string, unknown>): FieldError[] {
    if (
      typeof credentials.apiKey !== 'string' ||
      !/^[A-Za-z0-9]{20,64}$/.test(credentials.apiKey)
    ) {
      return [
        {
          field: 'apiKey',
          message: "must be the website's MultiSafepay API key (20 to 64 letters and digits)",
        },
      ];
    }
    return [];
  }

  async createPayment(
    ctx: ProviderCallContext,
    request: CreatePaymentRequest,
  ): Promise<CreatePaymentResult> {
    const gateway = request.method ? MULTISAFEPAY_GATEWAYS[request.method] : undefined;
    const manual = request.captureMode === 'manual';
    const people = multisafepayPeople(request);
    const customer = {
      ...people.customer,
      ...(toMultisafepayLocale(request.customer?.locale)
        ? { locale: toMultisafepayLocale(request.customer?.locale) }
        : {}),
      ...(request.customer?.email ? { email: request.customer.email } : {}),
      ...(request.customer?.country ? { country: request.customer.country } : {}),
    };
    const created = await this.api.call<MultiSafepayCreated>(ctx, 'POST', '/orders', {
      type: 'redirect',
      order_id: request.paymentId,
      ...(gateway || manual ? { gateway: gateway ?? 'CREDITCARD' } : {}),
      ...(manual ? { capture: 'manual' } : {}),
      currency: request.amount.currency,
      amount: request.amount.value,
      description: request.description,
      var1: request.reference,
      payment_options: {
        notification_url: ctx.webhookUrl,
        notification_method: 'POST',
        redirect_url: request.returnUrl,
        cancel_url: request.cancelUrl ?? request.returnUrl,
        close_window: false,
      },
      ...(Object.keys(customer).length > 0 ? { customer } : {}),
      ...(people.delivery ? { delivery: people.delivery } : {}),
      ...multisafepayCart(request),
      ...multisafepaySecondsActive(request),
    });
    return { providerPaymentId: created.order_id, checkoutUrl: created.payment_url };
  }

  async getPayment(
    ctx: ProviderCallContext,
    providerPaymentId: string,
  ): Promise<ProviderPaymentState> {
    return this.mapped(
      await this.api.call<MultiSafepayOrder>(
        ctx,
        'GET',
        `/orders/${encodeURIComponent(providerPaymentId)}`,
      ),
    );
  }

  /**
   * Captures into a child order `<order_id>-capture`, which later refunds go to. MultiSafepay
   * takes no idempotency key: after a lost answer getCapture looks for that child order first.
   */
  async capture(ctx: ProviderCallContext, op: OperationRequest): Promise<CaptureResult> {
    const child = `${op.providerPaymentId}${CAPTURE_ORDER_SUFFIX}`;
    await this.api.call<unknown>(
      ctx,
      'POST',
      `/orders/${encodeURIComponent(op.providerPaymentId)}/capture`,
      {
        amount: op.amount.value,
        new_order_id: child,
        new_order_status: 'completed',
        description: `Capture of ${op.paymentId}`,
      },
    );
    return { status: 'succeeded', amountCaptured: op.amount.value, providerOperationId: child };
  }

  async cancel(ctx: ProviderCallContext, op: OperationRequest): Promise<CancelResult> {
    const id = encodeURIComponent(op.providerPaymentId);
    const order = await this.api.call<MultiSafepayOrder>(ctx, 'GET', `/orders/${id}`);
    if (isAwaitingCapture(order)) {
      // An authorization is released through the capture resource, not the order.
      await this.api.call<unknown>(ctx, 'PATCH', `/capture/${id}`, {
        status: 'cancelled',
        reason: 'canceled by the shop',
      });
    } else {
      await this.api.call<unknown>(ctx, 'PATCH', `/orders/${id}`, {
        status: 'cancelled',
        exclude_order: 1,
      });
    }
    return { status: 'succeeded' };
  }

  /**
   * Our refund id leads the description, because MultiSafepay takes no idempotency key: after a
   * lost answer getRefund finds the refund on the order by it before anything is sent again.
   */
  async refund(ctx: ProviderCallContext, op: OperationRequest): Promise<RefundResult> {
    const target = await this.refundTarget(ctx, op.providerPaymentId);
    const refund = await this.api.call<MultiSafepayRefundCreated>(
      ctx,
      'POST',
      `/orders/${encodeURIComponent(target)}/refunds`,
      {
        currency: op.amount.currency,
        amount: op.amount.value,
        description: `${op.id} ${op.reason ?? 'refund'}`.slice(0, 200),
      },
    );
    // MultiSafepay books an accepted refund on the order at once (partial_refunded / refunded).
    return {
      providerRefundId: String(refund.refund_id ?? refund.transaction_id),
      status: 'succeeded',
    };
  }

  /** The refund among the (target) order's related transactions, by its id or by our id in its description. */
  async getRefund(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderRefundState | null> {
    const target = await this.refundTarget(ctx, op.providerPaymentId);
    const order = await this.api.call<MultiSafepayOrder>(
      ctx,
      'GET',
      `/orders/${encodeURIComponent(target)}`,
    );
    const refund = (order.related_transactions ?? []).find((t) =>
      op.providerOperationId
        ? String(t.transaction_id) === op.providerOperationId
        : (t.description ?? '').startsWith(op.id),
    );
    return refund ? multisafepayRefundState(refund, op.id) : null;
  }

  /** The capture's child order: it exists once the capture was done. */
  async getCapture(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderOperationState | null> {
    let child: MultiSafepayOrder;
    try {
      child = await this.api.call<MultiSafepayOrder>(
        ctx,
        'GET',
        `/orders/${encodeURIComponent(`${op.providerPaymentId}${CAPTURE_ORDER_SUFFIX}`)}`,
      );
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'not_found') return null;
      throw error;
    }
    return multisafepayCaptureState(child);
  }

  async getCancellation(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderOperationState | null> {
    const order = await this.api.call<MultiSafepayOrder>(
      ctx,
      'GET',
      `/orders/${encodeURIComponent(op.providerPaymentId)}`,
    );
    const providerStatus = `${order.status}/${order.financial_status ?? ''}`;
    if (order.status === 'void' || order.status === 'cancelled')
      return { status: 'succeeded', providerStatus };
    if (order.status === 'initialized' || isAwaitingCapture(order)) return null;
    return {
      status: 'failed',
      providerStatus,
      failure: { code: 'not_cancelable', message: `the order is ${order.status} at MultiSafepay` },
    };
  }

  /** A manually captured payment's money sits on the capture's child order. */
  private async refundTarget(ctx: ProviderCallContext, providerPaymentId: string): Promise<string> {
    const order = await this.api.call<MultiSafepayOrder>(
      ctx,
      'GET',
      `/orders/${encodeURIComponent(providerPaymentId)}`,
    );
    return order.payment_details?.capture === 'manual'
      ? `${providerPaymentId}${CAPTURE_ORDER_SUFFIX}`
      : providerPaymentId;
  }

  async verifyWebhook(ctx: ProviderCallContext, webhook: InboundWebhook): Promise<void> {
    const header = webhook.headers['auth'];
    if (!header)
      throw new WebhookVerificationError('MultiSafepay notification without an Auth header');
    const decoded = Buffer.from(header, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    const timestamp = decoded.slice(0, separator);
    if (separator < 1 || !/^\d+$/.test(timestamp))
      throw new WebhookVerificationError('malformed MultiSafepay Auth header');
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > NOTIFICATION_MAX_AGE_SECONDS)
      throw new WebhookVerificationError('MultiSafepay notification is too old');
    const expected = Buffer.from(
      multisafepaySignature(
        ctx.account.credentials.apiKey,
        timestamp,
        webhook.rawBody.toString('utf8'),
      ),
    );
    const given = Buffer.from(decoded.slice(separator + 1).trim());
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      throw new WebhookVerificationError('MultiSafepay Auth signature did not verify');
  }

  /** Our payment id is the order_id (a capture's child order `<id>-capture` names its parent). */
  webhookReferences(webhook: InboundWebhook): WebhookReference[] {
    const orderId = readOrder(webhook)?.order_id;
    if (typeof orderId !== 'string' || !orderId) return [];
    const paymentId = orderId.endsWith(CAPTURE_ORDER_SUFFIX)
      ? orderId.slice(0, -CAPTURE_ORDER_SUFFIX.length)
      : orderId;
    return [{ paymentId, providerPaymentId: paymentId }];
  }

  /** The `Auth` signature covers the whole body: its order_id, amount and currency are MultiSafepay's word. */
  parseWebhook(_ctx: ProviderCallContext, webhook: InboundWebhook): WebhookNotification[] {
    const order = readOrder(webhook);
    if (!order || typeof order.order_id !== 'string' || typeof order.status !== 'string') return [];
    if (order.order_id.endsWith(CAPTURE_ORDER_SUFFIX)) {
      // A capture's child order: its own status says nothing new about the payment, which
      // the parent order's notification (or a poll) reports.
      return [];
    }
    const amountKnown = Number.isSafeInteger(order.amount) && typeof order.currency === 'string';
    return [
      {
        paymentId: order.order_id,
        providerPaymentId: order.order_id,
        ...(amountKnown
          ? {
              signedAmount: {
                money: { value: order.amount, currency: order.currency },
                rule: 'equals' as const,
              },
            }
          : {}),
        ...(amountKnown
          ? {}
          : {
              mismatch: {
                reason: 'amount_mismatch' as const,
                detail: 'the notification carries no readable amount',
              },
            }),
        payment: this.mapped(order),
      },
    ];
  }

  webhookAck(): WebhookAck {
    return { status: 200, contentType: 'text/plain', body: 'OK' };
  }

  private mapped(order: MultiSafepayOrder): ProviderPaymentState {
    const state = multisafepayOrderState(order);
    if (state.status === null)
      this.logger.warn({
        msg: 'unknown MultiSafepay status ignored',
        providerStatus: state.providerStatus,
      });
    return state;
  }
}

function readOrder(webhook: InboundWebhook): MultiSafepayOrder | undefined {
  try {
    const order = JSON.parse(webhook.rawBody.toString('utf8')) as MultiSafepayOrder;
    return order && typeof order === 'object' ? order : undefined;
  } catch {
    return undefined;
  }
}
