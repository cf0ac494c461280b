import { Injectable, Logger } from '@nestjs/common';
import type { Money } from '../../common/money/money';
import { fromDecimalString, MoneyFormatError, toDecimalString } from '../../common/money/money';
import type { PaymentStatus } from '../../payments/payment-status';
import type { FieldError } from '../../common/errors/domain-error';
import { requireStrings } from '../credentials';
import { PayPalWebhookVerifier } from './paypal-webhook.verifier';
import { paypalItems, paypalPayer, paypalShipping } from './paypal-order-lines';
import { ProviderError } from '../provider-error';
import { ConnectorClient } from '../connector/connector-client';
import { paypalConnector, PayPalTokens } from './paypal.connector';
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
  ProviderPaymentState,
  ProviderRefundState,
  RefundResult,
  WebhookAck,
  SignedAmountRule,
  WebhookNotification,
  WebhookReference,
  WebhookVerificationIo,
} from '../provider.interface';
import {
  PAYPAL_AUTHORIZATION_STATUS_MAP,
  PAYPAL_CAPTURE_STATUS_MAP,
  PAYPAL_EVENT_MAP,
  PAYPAL_ORDER_STATUS_MAP,
  PAYPAL_REFUND_STATUS_MAP,
  PayPalApiError,
  paypalMethodUsed,
} from './paypal.mapper';
import type {
  PayPalAuthorization,
  PayPalCapture,
  PayPalMoney,
  PayPalOrder,
  PayPalRefund,
  PayPalWebhookEvent,
} from './paypal.types';

/** Currencies PayPal refuses decimals for although ISO 4217 has two (PayPal currency codes). */
const PAYPAL_WHOLE_UNITS_ONLY = new Set(['HUF', 'TWD']);

/**
 * PayPal Orders v2 with OAuth2 client credentials. An order is created with intent CAPTURE
 * (automatic) or AUTHORIZE (manual); once the buyer approves it (CHECKOUT.ORDER.APPROVED
 * webhook, or a poll that finds it APPROVED) the connector captures or authorizes it. Manual
 * captures and voids go to the authorization, refunds to the capture. Webhooks are verified
 * locally with PayPal's signing certificate and the account's webhookId (PayPalWebhookVerifier).
 */
@Injectable()
export class PayPalProvider implements PaymentProvider {
  private readonly logger = new Logger('PayPalProvider');
  private readonly api = new ConnectorClient(paypalConnector(new PayPalTokens()));
  /** Caches PayPal's signing certificates. */
  private readonly verifier = new PayPalWebhookVerifier();

  readonly name = 'paypal';
  readonly capabilities = {
    currencies: [
      'AUD',
      'BRL',
      'CAD',
      'CNY',
      'CZK',
      'DKK',
      'EUR',
      'HKD',
      'HUF',
      'ILS',
      'JPY',
      'MYR',
      'MXN',
      'TWD',
      'NZD',
      'NOK',
      'PHP',
      'PLN',
      'GBP',
      'SGD',
      'SEK',
      'CHF',
      'THB',
      'USD',
    ],
    methods: ['paypal'] as const,
    manualCapture: true,
    partialCapture: true,
    // Only an authorized payment can be voided; an unapproved order cannot be canceled at PayPal.
    cancel: true,
    refunds: true,
    partialRefunds: true,
    multipleRefunds: true,
    polling: true,
  };

  validateCredentials(credentials: Record<string, unknown>): FieldError[] {
    const problems = requireStrings(credentials, ['clientId', 'clientSecret', 'webhookId']);
    const webhookId = credentials.webhookId;
    if (typeof webhookId === 'string' && webhookId && !/^[a-zA-Z0-9]+$/.test(webhookId)) {
      problems.push({
        field: 'webhookId',
        message: 'must be the webhook ID shown by PayPal (letters and digits)',
      });
    }
    return problems;
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
    const { amount, items } = paypalItems(request, (money) => this.money(money));
    const shipping = paypalShipping(request);
    const locale = request.customer?.locale;
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
            description: truncate(request.description, 127),
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
  ): Promise<ProviderPaymentState> {
    let order: PayPalOrder;
    try {
      order = await this.getOrder(ctx, providerPaymentId);
    } catch (error) {
      // PayPal forgets orders nobody approved within their lifetime. Only PayPal's own answer
      // counts: a 404 from a misconfigured base URL or proxy must not expire payments.
      if (
        error instanceof PayPalApiError &&
        error.code === 'not_found' &&
        error.issue === 'INVALID_RESOURCE_ID'
      ) {
        return { providerPaymentId, status: 'expired', providerStatus: 'RESOURCE_NOT_FOUND' };
      }
      throw error;
    }
    if (order.status === 'APPROVED') {
      try {
        order = await this.complete(ctx, order);
      } catch (error) {
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
    return this.orderState(order);
  }

  async capture(ctx: ProviderCallContext, op: OperationRequest): Promise<CaptureResult> {
    const authorization = this.authorizationOf(await this.getOrder(ctx, op.providerPaymentId));
    const capture = await this.api.call<PayPalCapture>(
      ctx,
      'POST',
      `/v2/payments/authorizations/${encodeURIComponent(authorization.id)}/capture`,
      { amount: this.money(op.amount), final_capture: true, invoice_id: op.paymentId },
      op.idempotencyKey,
    );
    const status = PAYPAL_CAPTURE_STATUS_MAP[capture.status];
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
    const refund = await this.api.call<PayPalRefund>(
      ctx,
      'POST',
      `/v2/payments/captures/${encodeURIComponent(capture.id)}/refund`,
      {
        amount: this.money(op.amount),
        custom_id: op.id,
        invoice_id: op.id,
        ...(op.reason ? { note_to_payer: truncate(op.reason, 255) } : {}),
      },
      op.idempotencyKey,
    );
    return {
      providerRefundId: refund.id,
      status: PAYPAL_REFUND_STATUS_MAP[refund.status] ?? 'pending',
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
      status: PAYPAL_REFUND_STATUS_MAP[refund.status] ?? null,
      providerStatus: refund.status,
      amount: refund.amount ? this.minor(refund.amount) : undefined,
    };
  }

  /** The order's authorization and its captures: an authorization still CREATED was not captured. */
  async getCapture(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderOperationState | null> {
    const payments = (await this.getOrder(ctx, op.providerPaymentId)).purchase_units?.[0]?.payments;
    const capture = payments?.captures?.find((c) =>
      op.providerOperationId ? c.id === op.providerOperationId : c.invoice_id === op.paymentId,
    );
    if (capture) {
      const status = PAYPAL_CAPTURE_STATUS_MAP[capture.status];
      return {
        status: status === 'paid' ? 'succeeded' : status === 'failed' ? 'failed' : 'pending',
        providerStatus: `capture:${capture.status}`,
        providerOperationId: capture.id,
        amountCaptured: capture.amount ? this.minor(capture.amount) : undefined,
        failure:
          status === 'failed'
            ? { code: 'declined', message: `PayPal capture ${capture.status}` }
            : undefined,
      };
    }
    const authorization = payments?.authorizations?.[0];
    if (!authorization || authorization.status === 'CREATED' || authorization.status === 'PENDING')
      return null;
    return {
      status: 'failed',
      providerStatus: `authorization:${authorization.status}`,
      failure: { code: 'not_capturable', message: `the authorization is ${authorization.status}` },
    };
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
    const event = readEvent(webhook);
    return event ? [this.reference(event)] : [];
  }

  /**
   * The whole event is signed. Orders name our payment by their id and purchase unit
   * custom_id, captures and authorizations by their order id and custom_id (PayPal copies the
   * purchase unit's), refunds by their custom_id (our refund id); a refund made in PayPal's
   * dashboard names only its capture, resolved during processing. Amounts are checked against
   * the payment.
   */
  parseWebhook(ctx: ProviderCallContext, webhook: InboundWebhook): WebhookNotification[] {
    const event = readEvent(webhook);
    if (!event) return [];
    const kind = PAYPAL_EVENT_MAP[event.event_type];
    const resource = event.resource ?? {};
    if (!kind) {
      this.logger.warn({
        msg: 'unmapped PayPal event ignored',
        accountId: ctx.account.id,
        eventType: event.event_type,
      });
      return [];
    }
    const reference = this.reference(event);
    if (kind === 'order') {
      // Approved: capture (or authorize) now, as the buyer's return means.
      const order = resource as PayPalOrder;
      return [
        {
          ...reference,
          ...this.signedAmount(order.purchase_units?.[0]?.amount, 'equals'),
          fetchState: true,
        },
      ];
    }
    if (kind === 'refund') {
      const refund = resource as PayPalRefund;
      const up = refund.links?.find((link) => link.rel === 'up')?.href;
      const captureId =
        refund.supplementary_data?.related_ids?.capture_id ??
        (up ? up.split('/').pop() : undefined);
      return [
        {
          ...reference,
          ...this.signedAmount(refund.amount, 'at_most'),
          ...(captureId ? { lookup: captureId } : {}),
          refund: {
            providerRefundId: refund.id,
            refundId: refund.custom_id,
            status: PAYPAL_REFUND_STATUS_MAP[refund.status] ?? null,
            providerStatus: refund.status,
            amount: this.signedAmount(refund.amount, 'at_most').signedAmount?.money.value,
          },
        },
      ];
    }
    const payment = resource as PayPalCapture;
    if (!reference.providerPaymentId && !reference.paymentId) {
      this.logger.warn({
        msg: 'PayPal event without an order id ignored',
        accountId: ctx.account.id,
        eventType: event.event_type,
      });
      return [];
    }
    let status: PaymentStatus | null;
    if (kind === 'reversal') status = 'charged_back';
    else if (kind === 'capture') status = PAYPAL_CAPTURE_STATUS_MAP[payment.status] ?? null;
    else status = PAYPAL_AUTHORIZATION_STATUS_MAP[payment.status] ?? null;
    const amount = this.signedAmount(
      payment.amount,
      kind === 'authorization' ? 'equals' : 'at_most',
    );
    return [
      {
        ...reference,
        ...amount,
        payment: {
          providerPaymentId: reference.providerPaymentId ?? '',
          status,
          providerStatus: `${event.event_type}:${payment.status}`,
          amountCaptured:
            kind === 'capture' && status === 'paid' ? amount.signedAmount?.money.value : undefined,
          failure:
            status === 'failed'
              ? { code: 'declined', message: `PayPal capture ${payment.status}` }
              : undefined,
        },
      },
    ];
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

  webhookAck(): WebhookAck {
    return { status: 200, contentType: 'application/json', body: '{}' };
  }

  /** PayPal re-sends an event with the same event id (new transmission headers). */
  webhookDedupeKey(webhook: InboundWebhook): string | null {
    try {
      const id = (JSON.parse(webhook.rawBody.toString('utf8')) as PayPalWebhookEvent).id;
      return typeof id === 'string' && id ? `paypal-event:${id}` : webhook.rawBody.toString('utf8');
    } catch {
      return webhook.rawBody.toString('utf8');
    }
  }

  /** The ids by which an event's resource names our payment (see parseWebhook). */
  private reference(event: PayPalWebhookEvent): WebhookReference {
    const resource = (event.resource ?? {}) as Record<string, any>;
    const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
    const kind = PAYPAL_EVENT_MAP[event.event_type];
    let ref: WebhookReference;
    if (kind === 'order')
      ref = {
        providerPaymentId: text(resource.id),
        paymentId: text(resource.purchase_units?.[0]?.custom_id),
      };
    else if (kind === 'refund')
      ref = {
        refundId: text(resource.custom_id),
        providerPaymentId: text(resource.supplementary_data?.related_ids?.order_id),
      };
    else
      ref = {
        providerPaymentId: text(resource.supplementary_data?.related_ids?.order_id),
        paymentId: text(resource.custom_id),
      };
    return Object.fromEntries(Object.entries(ref).filter(([, value]) => value !== undefined));
  }

  /** A signed PayPal amount in our minor units; an unreadable one is a mismatch, never guessed. */
  private signedAmount(
    amount: PayPalMoney | undefined,
    rule: SignedAmountRule,
  ): Pick<WebhookNotification, 'signedAmount' | 'mismatch'> {
    if (!amount) return {};
    try {
      return {
        signedAmount: {
          money: { value: this.minor(amount), currency: amount.currency_code },
          rule,
        },
      };
    } catch {
      return {
        mismatch: {
          reason: 'amount_mismatch',
          detail: `unreadable amount ${String(amount.value).slice(0, 32)} ${String(amount.currency_code).slice(0, 8)}`,
        },
      };
    }
  }

  private orderState(order: PayPalOrder): ProviderPaymentState {
    const mapped = PAYPAL_ORDER_STATUS_MAP[order.status];
    const base = {
      providerPaymentId: order.id,
      providerStatus: order.status,
      methodUsed: paypalMethodUsed(order),
    };
    if (mapped === undefined) return { ...base, status: null };
    if (mapped !== 'payments') return { ...base, status: mapped };
    const payments = order.purchase_units?.[0]?.payments;
    const capture = payments?.captures?.[0];
    if (capture) {
      const status = PAYPAL_CAPTURE_STATUS_MAP[capture.status] ?? null;
      const captured = (payments?.captures ?? [])
        .filter((c) => PAYPAL_CAPTURE_STATUS_MAP[c.status] === 'paid' && c.amount)
        .reduce((sum, c) => sum + this.minor(c.amount!), 0);
      return {
        ...base,
        status,
        providerStatus: `${order.status}/capture:${capture.status}`,
        amountCaptured: status === 'paid' ? captured : undefined,
        failure:
          status === 'failed'
            ? { code: 'declined', message: `PayPal capture ${capture.status}` }
            : undefined,
      };
    }
    const authorization = payments?.authorizations?.[0];
    if (authorization) {
      const status = PAYPAL_AUTHORIZATION_STATUS_MAP[authorization.status] ?? null;
      return {
        ...base,
        status,
        providerStatus: `${order.status}/authorization:${authorization.status}`,
        failure:
          status === 'failed'
            ? { code: 'declined', message: `PayPal authorization ${authorization.status}` }
            : undefined,
      };
    }
    return { ...base, status: null };
  }

  /** Captures (intent CAPTURE) or authorizes (AUTHORIZE) an approved order; safe to repeat. */
  private async complete(ctx: ProviderCallContext, order: PayPalOrder): Promise<PayPalOrder> {
    const action = order.intent === 'AUTHORIZE' ? 'authorize' : 'capture';
    try {
      return await this.api.call<PayPalOrder>(
        ctx,
        'POST',
        `/v2/checkout/orders/${encodeURIComponent(order.id)}/${action}`,
        {},
        `${action}-${order.id}`,
      );
    } catch (error) {
      const issue = (error as PayPalApiError).issue;
      // Someone else (the webhook, another instance) got there first.
      if (issue === 'ORDER_ALREADY_CAPTURED' || issue === 'ORDER_ALREADY_AUTHORIZED')
        return this.getOrder(ctx, order.id);
      throw error;
    }
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

  private money(amount: Money): PayPalMoney {
    if (PAYPAL_WHOLE_UNITS_ONLY.has(amount.currency)) {
      // ISO gives these two decimals; PayPal takes whole units only.
      if (amount.value % 100 !== 0)
        throw new ProviderError(
          'invalid_request',
          `PayPal takes ${amount.currency} in whole units only`,
        );
      return { currency_code: amount.currency, value: String(amount.value / 100) };
    }
    try {
      return {
        currency_code: amount.currency,
        value: toDecimalString(amount.value, amount.currency),
      };
    } catch (error) {
      throw new ProviderError('invalid_request', (error as Error).message);
    }
  }

  private minor(amount: PayPalMoney): number {
    try {
      return fromDecimalString(amount.value, amount.currency_code);
    } catch (error) {
      if (error instanceof MoneyFormatError)
        throw new ProviderError(
          'provider_error',
          `PayPal sent an unreadable amount: ${error.message}`,
        );
      throw error;
    }
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

function readEvent(webhook: InboundWebhook): PayPalWebhookEvent | undefined {
  try {
    const event = JSON.parse(webhook.rawBody.toString('utf8')) as PayPalWebhookEvent;
    return event && typeof event === 'object' && typeof event.event_type === 'string'
      ? event
      : undefined;
  } catch {
    return undefined;
  }
}
