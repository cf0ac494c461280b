import { Injectable, Logger } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Money } from '../../common/money/money';
import type { PaymentMethod } from '../../payments/payment-status';
import type { FieldError } from '../../common/errors/domain-error';
import { ProviderError, WebhookVerificationError } from '../provider-error';
import type {
  CancelResult,
  CaptureResult,
  CreatePaymentRequest,
  CreatePaymentResult,
  InboundWebhook,
  PaymentProvider,
  ProviderCallContext,
  ProviderCapabilities,
  ProviderPaymentState,
  RefundResult,
  WebhookAck,
  WebhookNotification,
} from '../provider.interface';
import {
  CAPTURE_ORDER_SUFFIX,
  isAwaitingCapture,
  MULTISAFEPAY_CURRENCIES,
  MULTISAFEPAY_ERROR_CODES,
  MULTISAFEPAY_GATEWAYS,
  multisafepayOrderState,
  toMultisafepayLocale,
} from './multisafepay.mapper';
import type {
  MultiSafepayCreated,
  MultiSafepayEnvelope,
  MultiSafepayOrder,
  MultiSafepayRefundCreated,
} from './multisafepay.types';

export const MULTISAFEPAY_LIVE_URL = 'https://api.multisafepay.com';
export const MULTISAFEPAY_TEST_URL = 'https://testapi.multisafepay.com';
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
  readonly name = 'multisafepay';
  readonly capabilities: ProviderCapabilities = {
    currencies: MULTISAFEPAY_CURRENCIES,
    methods: Object.keys(MULTISAFEPAY_GATEWAYS) as PaymentMethod[],
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
    if (request.method && !gateway)
      throw new ProviderError(
        'not_supported',
        `MultiSafepay does not offer method ${request.method}`,
      );
    // Manual capture is a card feature (MultiSafepay enables it per account).
    if (request.captureMode === 'manual' && gateway && gateway !== 'CREDITCARD') {
      throw new ProviderError(
        'not_supported',
        `MultiSafepay cannot capture ${request.method} payments separately`,
      );
    }
    const manual = request.captureMode === 'manual';
    const customer = {
      ...(toMultisafepayLocale(request.customer?.locale)
        ? { locale: toMultisafepayLocale(request.customer?.locale) }
        : {}),
      ...(request.customer?.email ? { email: request.customer.email } : {}),
      ...(request.customer?.country ? { country: request.customer.country } : {}),
    };
    const created = await this.call<MultiSafepayCreated>(ctx, 'POST', '/orders', {
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
    });
    return { providerPaymentId: created.order_id, checkoutUrl: created.payment_url };
  }

  async getPayment(
    ctx: ProviderCallContext,
    providerPaymentId: string,
  ): Promise<ProviderPaymentState> {
    return this.mapped(
      await this.call<MultiSafepayOrder>(
        ctx,
        'GET',
        `/orders/${encodeURIComponent(providerPaymentId)}`,
      ),
    );
  }

  /** Captures into a child order `<order_id>-capture`, which later refunds go to. */
  async capture(
    ctx: ProviderCallContext,
    providerPaymentId: string,
    amount: Money,
    paymentId: string,
  ): Promise<CaptureResult> {
    await this.call<unknown>(
      ctx,
      'POST',
      `/orders/${encodeURIComponent(providerPaymentId)}/capture`,
      {
        amount: amount.value,
        new_order_id: `${providerPaymentId}${CAPTURE_ORDER_SUFFIX}`,
        new_order_status: 'completed',
        description: `Capture of ${paymentId}`,
      },
    );
    return { status: 'succeeded', amountCaptured: amount.value };
  }

  async cancel(ctx: ProviderCallContext, providerPaymentId: string): Promise<CancelResult> {
    const order = await this.call<MultiSafepayOrder>(
      ctx,
      'GET',
      `/orders/${encodeURIComponent(providerPaymentId)}`,
    );
    if (isAwaitingCapture(order)) {
      // An authorization is released through the capture resource, not the order.
      await this.call<unknown>(ctx, 'PATCH', `/capture/${encodeURIComponent(providerPaymentId)}`, {
        status: 'cancelled',
        reason: 'canceled by the shop',
      });
    } else {
      await this.call<unknown>(ctx, 'PATCH', `/orders/${encodeURIComponent(providerPaymentId)}`, {
        status: 'cancelled',
        exclude_order: 1,
      });
    }
    return { status: 'succeeded' };
  }

  async refund(
    ctx: ProviderCallContext,
    providerPaymentId: string,
    amount: Money,
    refundId: string,
    reason: string | null,
  ): Promise<RefundResult> {
    const order = await this.call<MultiSafepayOrder>(
      ctx,
      'GET',
      `/orders/${encodeURIComponent(providerPaymentId)}`,
    );
    // A manually captured payment's money sits on the capture's child order.
    const target =
      order.payment_details?.capture === 'manual'
        ? `${providerPaymentId}${CAPTURE_ORDER_SUFFIX}`
        : providerPaymentId;
    const refund = await this.call<MultiSafepayRefundCreated>(
      ctx,
      'POST',
      `/orders/${encodeURIComponent(target)}/refunds`,
      {
        currency: amount.currency,
        amount: amount.value,
        description: (reason ?? `Refund ${refundId}`).slice(0, 200),
      },
    );
    // MultiSafepay books an accepted refund on the order at once (partial_refunded / refunded).
    return {
      providerRefundId: String(refund.refund_id ?? refund.transaction_id),
      status: 'succeeded',
    };
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

  async parseWebhook(
    _ctx: ProviderCallContext,
    webhook: InboundWebhook,
  ): Promise<WebhookNotification[]> {
    const order = JSON.parse(webhook.rawBody.toString('utf8')) as MultiSafepayOrder;
    if (typeof order.order_id !== 'string' || typeof order.status !== 'string') return [];
    if (order.order_id.endsWith(CAPTURE_ORDER_SUFFIX)) {
      // A capture's child order: its own status says nothing new about the payment, which
      // the parent order's notification (or a poll) reports.
      return [];
    }
    return [{ providerPaymentId: order.order_id, payment: this.mapped(order) }];
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

  private async call<T>(
    ctx: ProviderCallContext,
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const base =
      ctx.account.baseUrl ?? (ctx.account.testMode ? MULTISAFEPAY_TEST_URL : MULTISAFEPAY_LIVE_URL);
    const response = await ctx.http.request({
      method,
      url: `${base}/v1/json${path}`,
      headers: {
        api_key: ctx.account.credentials.apiKey,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let envelope: MultiSafepayEnvelope<T> | undefined;
    try {
      envelope = JSON.parse(response.text) as MultiSafepayEnvelope<T>;
    } catch {
      // Not MultiSafepay's format (a proxy, an outage page).
    }
    if (response.status >= 200 && response.status < 300 && envelope?.success)
      return envelope.data as T;
    const message = `MultiSafepay ${response.status} error ${envelope?.error_code ?? '-'}: ${envelope?.error_info ?? response.text.slice(0, 200)}`;
    const code =
      envelope?.error_code !== undefined
        ? MULTISAFEPAY_ERROR_CODES[envelope.error_code]
        : undefined;
    if (code) throw new ProviderError(code, message, response.status);
    if (response.status >= 200 && response.status < 300)
      throw new ProviderError('provider_error', message, response.status);
    throw ProviderError.fromHttpStatus(response.status, message);
  }
}
