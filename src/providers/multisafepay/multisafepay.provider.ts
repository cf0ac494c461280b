import { Injectable, Logger } from '@nestjs/common';
import { probeConnection, type ConnectionCheck } from '../connector/connection-check';
import type { PaymentMethod } from '../../domain/payment-status';
import { ProviderError } from '../provider-error';
import { ConnectorClient } from '../connector/connector-client';
import { MULTISAFEPAY_CONNECTOR, MULTISAFEPAY_DESCRIPTION } from './multisafepay.connector';
import { readMultisafepayOrder, verifyMultisafepayNotification } from './multisafepay.webhooks';
import { ALL_FEATURES, EURO_ONLY_METHODS, featureOnlyFor } from '../capabilities';
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
  capturedByRemain,
  isAwaitingCapture,
  isAwaitingShipment,
  isVoidedAuthorization,
  MULTISAFEPAY_CURRENCIES,
  MULTISAFEPAY_GATEWAYS,
  multisafepayCaptureState,
  multisafepayOrderState,
  MULTISAFEPAY_DESCRIPTION_MAX,
  MULTISAFEPAY_VAR_MAX,
  multisafepayRefundState,
  multisafepayShipmentState,
  ourRefundId,
  refundsByCart,
  showsCapture,
  toMultisafepayLocale,
  truncateText,
} from './multisafepay.mapper';
import type {
  MultiSafepayCreated,
  MultiSafepayOrder,
  MultiSafepayRefundCreated,
  MultiSafepayRelatedTransaction,
} from './multisafepay.types';
import {
  MULTISAFEPAY_EXPIRY,
  multisafepayCart,
  multisafepayPeople,
  multisafepayRefundCart,
  multisafepaySecondsActive,
} from './multisafepay-order-lines';

/** What a manual-capture order shows of its captures, for messages. */
function capturedText(order: MultiSafepayOrder): string {
  const byRemain = capturedByRemain(order);
  return byRemain !== undefined
    ? `${byRemain} of ${order.amount} captured, capture_remain ${order.payment_details?.capture_remain}`
    : 'a capture among its related transactions';
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
    // content/payment-methods/*.md, "Currencies": euro schemes; Klarna in five currencies.
    currenciesByMethod: { ...EURO_ONLY_METHODS, klarna: ['DKK', 'EUR', 'GBP', 'NOK', 'SEK'] },
    methods: Object.keys(MULTISAFEPAY_GATEWAYS) as PaymentMethod[],
    byMethod: {
      // Manual capture is a card feature (MultiSafepay enables it per account).
      ...featureOnlyFor('manualCapture', Object.keys(MULTISAFEPAY_GATEWAYS) as PaymentMethod[], [
        'card',
      ]),
      // A Klarna order is authorized until shipped, and shipped whole (klarna.md).
      klarna: { manualCapture: false, partialCapture: false },
    },
    expiry: MULTISAFEPAY_EXPIRY,
    ...ALL_FEATURES,
  };

  readonly description = MULTISAFEPAY_DESCRIPTION;

  /** A cheap authenticated read (see ConnectionCheck). */
  testConnection(ctx: ProviderCallContext): Promise<ConnectionCheck> {
    return probeConnection('MultiSafepay', () =>
      this.api.send(ctx, { method: 'GET', path: '/gateways' }),
    );
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
      // Our description (255) and reference (128) may be longer than MultiSafepay takes.
      description: truncateText(request.description, MULTISAFEPAY_DESCRIPTION_MAX),
      var1: truncateText(request.reference, MULTISAFEPAY_VAR_MAX),
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

  /**
   * A voided authorization whose capture its own fields do not show still says nothing about
   * the payment when the capture's order exists: MultiSafepay voided the rest after it.
   */
  async getPayment(
    ctx: ProviderCallContext,
    providerPaymentId: string,
  ): Promise<ProviderPaymentState> {
    const order = await this.getOrder(ctx, providerPaymentId);
    if (isVoidedAuthorization(order) && !showsCapture(order)) {
      const child = await this.findOrder(ctx, `${providerPaymentId}${CAPTURE_ORDER_SUFFIX}`);
      if (child) return { ...multisafepayOrderState(order), status: null };
    }
    return this.mapped(order);
  }

  /**
   * A Klarna order awaiting shipment is captured by marking it shipped (PATCH /orders/{id},
   * status shipped: klarna.md "To capture the funds, change the order status to Shipped"),
   * whole. A card authorization is captured into a child order `<order_id>-capture`, which
   * later refunds go to. MultiSafepay takes no idempotency key: after a lost answer getCapture
   * looks first (for the shipped status, or for that child order).
   */
  async capture(ctx: ProviderCallContext, op: OperationRequest): Promise<CaptureResult> {
    const id = encodeURIComponent(op.providerPaymentId);
    const order = await this.getOrder(ctx, op.providerPaymentId);
    if (isAwaitingShipment(order)) {
      if (op.amount.value !== order.amount)
        throw new ProviderError(
          'not_supported',
          'MultiSafepay ships a Klarna order whole: a partial capture is not possible',
        );
      await this.api.call<unknown>(ctx, 'PATCH', `/orders/${id}`, {
        status: 'shipped',
        reason: `Capture of ${op.paymentId}`,
      });
      return {
        status: 'succeeded',
        amountCaptured: order.amount,
        providerOperationId: op.providerPaymentId,
      };
    }
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
    if (op.amount.value < order.amount) await this.releaseRest(ctx, op);
    return { status: 'succeeded', amountCaptured: op.amount.value, providerOperationId: child };
  }

  /**
   * After a partial capture MultiSafepay keeps the rest of the card authorization open
   * (manual-capture.md: "the original transaction retains its initial statuses"), holding the
   * cardholder's money for up to 30 days; a payment here is captured once, so the rest is
   * released (PATCH /capture/{id}: "for partial captures, the cancellation will apply to the
   * remaining amount"). The capture stands whatever this answers; the authorization would
   * expire on its own.
   */
  private async releaseRest(ctx: ProviderCallContext, op: OperationRequest): Promise<void> {
    try {
      await this.api.call<unknown>(
        ctx,
        'PATCH',
        `/capture/${encodeURIComponent(op.providerPaymentId)}`,
        { status: 'cancelled', reason: `Rest of the authorization after capture ${op.id}` },
      );
    } catch (error) {
      this.logger.warn({
        msg: 'the rest of a partially captured authorization was not released at MultiSafepay',
        paymentId: op.paymentId,
        error: (error as Error).message,
      });
    }
  }

  /**
   * A manual-capture order that shows a capture (made in MultiSafepay's dashboard, or one of
   * ours not seen here yet) is not cancelled: releasing it would cancel only the rest
   * (manual-capture.md: "For partial captures, the cancellation will apply to the remaining
   * amount") while the captured money stays taken, so nothing is sent and the cancel is refused.
   */
  async cancel(ctx: ProviderCallContext, op: OperationRequest): Promise<CancelResult> {
    const id = encodeURIComponent(op.providerPaymentId);
    const order = await this.getOrder(ctx, op.providerPaymentId);
    if (order.payment_details?.capture === 'manual' && showsCapture(order))
      throw new ProviderError(
        'not_supported',
        `MultiSafepay shows a capture of this authorization (${capturedText(order)}): a captured payment cannot be canceled, refund it instead`,
      );
    if (isAwaitingCapture(order)) {
      // An authorization is released through the capture resource, not the order.
      await this.api.call<unknown>(ctx, 'PATCH', `/capture/${id}`, {
        status: 'cancelled',
        reason: 'canceled by the shop',
      });
    } else {
      await this.api.call<unknown>(ctx, 'PATCH', `/orders/${id}`, {
        status: 'cancelled',
        // A boolean (openapi requestBody/CancelOrder.yaml: "To cancel the order, set to true").
        exclude_order: true,
      });
    }
    return { status: 'succeeded' };
  }

  /**
   * MultiSafepay takes no idempotency key, so the refund's order id is ours: `refund_order_id`
   * (requestBody/Refund.yaml; paths/orders@{order_id}@refunds.yaml: "Refunding creates a new
   * order linked to the original order … To override this, include in the request
   * `refund_order_id`"). After a lost answer getRefund finds the refund by it before anything
   * is sent again. Our id also leads the description, a fallback only: MultiSafepay writes its
   * own ("Refund order … for …", examples/responses/getReceiptRefund.json).
   * A Klarna order is refunded through its cart (MultiSafepay refuses an amount for it), with
   * the description all the same, as MultiSafepay's SDKs send it (php-sdk RefundRequest).
   */
  async refund(ctx: ProviderCallContext, op: OperationRequest): Promise<RefundResult> {
    const order = await this.getOrder(ctx, op.providerPaymentId);
    const description = truncateText(
      `${op.id} ${op.reason ?? 'refund'}`,
      MULTISAFEPAY_DESCRIPTION_MAX,
    );
    const refund = await this.api.call<MultiSafepayRefundCreated>(
      ctx,
      'POST',
      `/orders/${encodeURIComponent(this.refundTarget(order))}/refunds`,
      refundsByCart(order)
        ? { checkout_data: this.refundCart(order, op), description, refund_order_id: op.id }
        : {
            currency: op.amount.currency,
            amount: op.amount.value,
            description,
            refund_order_id: op.id,
          },
    );
    // An accepted refund starts initialized/reserved and completes later (at midnight, or
    // never: it can be declined or cancelled), so it stays pending until getRefund or a
    // notification says completed (content/payment-management/payment-statuses.md).
    // The answer's transaction_id is the original order's (refund-order.md): the refund is
    // named by its refund_id, else by its order id at MultiSafepay, which is ours.
    return {
      providerRefundId: refund.refund_id !== undefined ? String(refund.refund_id) : op.id,
      status: refund.status === 'completed' ? 'succeeded' : 'pending',
    };
  }

  /**
   * The order's cart plus duplicates of the refunded items (see multisafepayRefundCart). An
   * amount that whole items do not come to is refused before anything is sent.
   */
  private refundCart(order: MultiSafepayOrder, op: OperationRequest) {
    const items = order.shopping_cart?.items;
    if (!items?.length)
      throw new ProviderError(
        'not_supported',
        'MultiSafepay refunds a Klarna order through its shopping cart, and this order has none',
      );
    const untouched =
      !order.amount_refunded &&
      !(order.related_transactions ?? []).some((t) => t?.type === 'refund' || ourRefundId(t));
    const cart = multisafepayRefundCart(
      items,
      order.checkout_options,
      op.amount,
      untouched && op.amount.value === order.amount,
    );
    if (!cart)
      throw new ProviderError(
        'not_supported',
        `MultiSafepay refunds a Klarna order by whole items of its cart, and no combination of them comes to ${op.amount.value} (minor units): refund the amount of whole items`,
      );
    return cart;
  }

  /**
   * Our refund, by its refund_order_id (our id) among the target order's related transactions
   * (schemas/RelatedTransactions.yaml), then as its own order (GET /orders/{refund_order_id}).
   * Its MultiSafepay id and our id at the head of its description are fallbacks.
   */
  async getRefund(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderRefundState | null> {
    const parent = await this.getOrder(ctx, op.providerPaymentId);
    const target = this.refundTarget(parent);
    const order = target === parent.order_id ? parent : await this.getOrder(ctx, target);
    const related: MultiSafepayRelatedTransaction[] = Array.isArray(order.related_transactions)
      ? order.related_transactions
      : [];
    const refund =
      related.find((t) => t?.refund_order_id === op.id) ??
      related.find(
        (t) =>
          (!!op.providerOperationId && String(t?.transaction_id) === op.providerOperationId) ||
          ourRefundId({ description: t?.description }) === op.id,
      );
    if (refund) return multisafepayRefundState(refund, op.id);
    const own = await this.findOrder(ctx, op.id);
    return own ? multisafepayRefundState(own, op.id) : null;
  }

  /** A Klarna order: its shipped status; a card authorization: the capture's child order, once done. */
  async getCapture(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderOperationState | null> {
    const order = await this.getOrder(ctx, op.providerPaymentId);
    if (
      order.payment_details?.capture !== 'manual' &&
      (isAwaitingShipment(order) || order.status === 'shipped')
    )
      return multisafepayShipmentState(order);
    const child = await this.findOrder(ctx, `${op.providerPaymentId}${CAPTURE_ORDER_SUFFIX}`);
    return child ? multisafepayCaptureState(child) : null;
  }

  async getCancellation(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderOperationState | null> {
    const order = await this.getOrder(ctx, op.providerPaymentId);
    const providerStatus = `${order.status}/${order.financial_status ?? ''}`;
    // A release after a capture voids only the rest (manual-capture.md "Partial cancel
    // reservation"): the captured part was not canceled.
    if (order.payment_details?.capture === 'manual' && showsCapture(order))
      return {
        status: 'failed',
        providerStatus,
        failure: {
          code: 'not_cancelable',
          message: `MultiSafepay shows a capture of this authorization (${capturedText(order)})`,
        },
      };
    if (order.status === 'void' || order.status === 'cancelled')
      return { status: 'succeeded', providerStatus };
    if (order.status === 'initialized' || isAwaitingCapture(order) || isAwaitingShipment(order))
      return null;
    return {
      status: 'failed',
      providerStatus,
      failure: { code: 'not_cancelable', message: `the order is ${order.status} at MultiSafepay` },
    };
  }

  /** The order a refund goes to: a manually captured payment's money sits on the capture's child order. */
  private refundTarget(order: MultiSafepayOrder): string {
    return order.payment_details?.capture === 'manual'
      ? `${order.order_id}${CAPTURE_ORDER_SUFFIX}`
      : order.order_id;
  }

  private getOrder(ctx: ProviderCallContext, orderId: string): Promise<MultiSafepayOrder> {
    return this.api.call<MultiSafepayOrder>(ctx, 'GET', `/orders/${encodeURIComponent(orderId)}`);
  }

  /** The order, or null if MultiSafepay has none by that id. */
  private async findOrder(
    ctx: ProviderCallContext,
    orderId: string,
  ): Promise<MultiSafepayOrder | null> {
    try {
      return await this.getOrder(ctx, orderId);
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'not_found') return null;
      throw error;
    }
  }

  /** The `Auth` header: a fresh timestamp and the HMAC of the body under the API key. */
  async verifyWebhook(ctx: ProviderCallContext, webhook: InboundWebhook): Promise<void> {
    verifyMultisafepayNotification(ctx.account.credentials.apiKey, webhook);
  }

  /** Our payment id is the order_id (a capture's child order `<id>-capture` names its parent). */
  webhookReferences(webhook: InboundWebhook): WebhookReference[] {
    const orderId = readMultisafepayOrder(webhook)?.order_id;
    if (typeof orderId !== 'string' || !orderId) return [];
    const paymentId = orderId.endsWith(CAPTURE_ORDER_SUFFIX)
      ? orderId.slice(0, -CAPTURE_ORDER_SUFFIX.length)
      : orderId;
    return [{ paymentId, providerPaymentId: paymentId }];
  }

  /**
   * The `Auth` signature covers the whole body: its order_id, amount and currency are MultiSafepay's word.
   * Our refunds among its related transactions come first, so a completed one is counted
   * before the order's partial_refunded / refunded status is applied.
   */
  parseWebhook(_ctx: ProviderCallContext, webhook: InboundWebhook): WebhookNotification[] {
    const order = readMultisafepayOrder(webhook);
    if (!order || typeof order.order_id !== 'string' || typeof order.status !== 'string') return [];
    const refunds = this.refundItems(order);
    if (order.order_id.endsWith(CAPTURE_ORDER_SUFFIX)) {
      // A capture's child order: its own status says nothing new about the payment, which
      // the parent order's notification (or a poll) reports; only its refunds do, and a
      // chargeback, since the captured money sits on it.
      const child = this.mapped(order);
      if (child.status !== 'charged_back') return refunds;
      const paymentId = order.order_id.slice(0, -CAPTURE_ORDER_SUFFIX.length);
      return [
        ...refunds,
        {
          paymentId,
          providerPaymentId: paymentId,
          ...(Number.isSafeInteger(order.amount) && typeof order.currency === 'string'
            ? {
                signedAmount: {
                  money: { value: order.amount, currency: order.currency },
                  rule: 'at_most' as const,
                },
              }
            : {}),
          payment: { ...child, providerPaymentId: paymentId, amountCaptured: undefined },
        },
      ];
    }
    // A voided authorization may be the rest released after a capture: its status then says
    // nothing about the payment. Where the body does not show, getPayment looks for the capture.
    if (isVoidedAuthorization(order)) {
      if (showsCapture(order)) return refunds;
      return [
        ...refunds,
        { paymentId: order.order_id, providerPaymentId: order.order_id, fetchState: true },
      ];
    }
    const amountKnown = Number.isSafeInteger(order.amount) && typeof order.currency === 'string';
    return [
      ...refunds,
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

  /** Settled refunds of ours (by refund_order_id, else our id leading the description) on a notified order. */
  private refundItems(order: MultiSafepayOrder): WebhookNotification[] {
    const paymentId = order.order_id.endsWith(CAPTURE_ORDER_SUFFIX)
      ? order.order_id.slice(0, -CAPTURE_ORDER_SUFFIX.length)
      : order.order_id;
    if (typeof order.currency !== 'string') return [];
    return (Array.isArray(order.related_transactions) ? order.related_transactions : []).flatMap(
      (t) => {
        const refundId = t ? ourRefundId(t) : undefined;
        if (!refundId || !Number.isSafeInteger(t.amount)) return [];
        const refund = multisafepayRefundState(t, refundId);
        if (refund.status !== 'succeeded' && refund.status !== 'failed') return [];
        return [
          {
            paymentId,
            providerPaymentId: paymentId,
            refundId,
            providerRefundId: refund.providerRefundId,
            signedAmount: {
              money: { value: t.amount, currency: order.currency },
              rule: 'at_most' as const,
            },
            refund,
          },
        ];
      },
    );
  }

  webhookAck(): WebhookAck {
    return { status: 200, contentType: 'text/plain', body: 'OK' };
  }

  private mapped(order: MultiSafepayOrder): ProviderPaymentState {
    const state = multisafepayOrderState(order);
    if (state.status === null && !isVoidedAuthorization(order))
      this.logger.warn({
        msg: 'unknown MultiSafepay status ignored',
        providerStatus: state.providerStatus,
      });
    return state;
  }
}
