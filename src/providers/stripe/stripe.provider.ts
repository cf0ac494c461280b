import { Injectable, Logger } from '@nestjs/common';
import { probeConnection, type ConnectionCheck } from '../connector/connection-check';
import { mapPspStatus } from '../connector/psp-status';
import Stripe from 'stripe';
import type { PaymentMethod } from '../../domain/payment-status';
import {
  STRIPE_EXPIRY,
  stripeCouponParams,
  stripeExpiresAt,
  stripeLineItems,
  stripeMetadata,
} from './stripe-order-lines';
import { ProviderError, WebhookVerificationError } from '../provider-error';
import { ConnectorClient } from '../connector/connector-client';
import { STRIPE_CONNECTOR, STRIPE_DESCRIPTION } from './stripe.connector';
import {
  readStripeEvent,
  stripeObjectReference,
  stripeWebhookNotifications,
} from './stripe.webhooks';
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
  STRIPE_CURRENCIES,
  STRIPE_METHODS,
  STRIPE_MINIMUM_AMOUNTS,
  STRIPE_REFUND_STATUS_MAP,
  stripeCancellationState,
  stripeCancelStep,
  stripeCaptureState,
  stripeLocale,
  stripeRefundState,
  stripeSessionState,
} from './stripe.mapper';
import type {
  StripeCheckoutSession,
  StripeList,
  StripePaymentIntent,
  StripeRefund,
} from './stripe.types';

/** Payment method types whose PaymentIntents support capture_method=manual. */
const STRIPE_METHOD_LIST = Object.keys(STRIPE_METHODS) as PaymentMethod[];

/**
 * Stripe Checkout Sessions (the hosted page) with their PaymentIntents for capture and
 * cancel, and /v1/refunds. Requests are form-encoded through the core's HTTP client (so the
 * account's baseUrl, timeouts and error mapping apply); the `stripe` package verifies
 * `Stripe-Signature`. Our provider payment id is the Checkout Session id: the PaymentIntent
 * only exists once the customer pays.
 */
@Injectable()
export class StripeProvider implements PaymentProvider {
  private readonly logger = new Logger('StripeProvider');
  private readonly api = new ConnectorClient(STRIPE_CONNECTOR);
  readonly name = 'stripe';
  readonly capabilities: ProviderCapabilities = {
    currencies: STRIPE_CURRENCIES,
    currenciesByMethod: EURO_ONLY_METHODS,
    minimumAmounts: STRIPE_MINIMUM_AMOUNTS,
    methods: STRIPE_METHOD_LIST,
    ...ALL_FEATURES,
    // Stripe authorizes cards (and wallets on them), Klarna and PayPal for manual capture.
    byMethod: featureOnlyFor('manualCapture', STRIPE_METHOD_LIST, [
      'card',
      'applepay',
      'googlepay',
      'klarna',
      'paypal',
    ]),
    expiry: STRIPE_EXPIRY,
  };

  readonly description = STRIPE_DESCRIPTION;

  /**
   * A cheap authenticated read the connector needs anyway (see ConnectionCheck): a restricted
   * `rk_…` key needs Checkout Sessions, not Balance, access.
   */
  testConnection(ctx: ProviderCallContext): Promise<ConnectionCheck> {
    return probeConnection('Stripe', () =>
      this.api.send(ctx, { method: 'GET', path: '/v1/checkout/sessions?limit=1' }),
    );
  }

  async createPayment(
    ctx: ProviderCallContext,
    request: CreatePaymentRequest,
  ): Promise<CreatePaymentResult> {
    const method = request.method ? STRIPE_METHODS[request.method] : undefined;
    const { lineItems, discount } = stripeLineItems(request);
    const expiresAt = stripeExpiresAt(request);
    // Discount lines travel as a one-use coupon; its key makes a retry reuse the same one.
    const coupon =
      discount > 0
        ? await this.api.call<{ id: string }>(
            ctx,
            'POST',
            '/v1/coupons',
            stripeCouponParams(request, discount),
            `${request.paymentId}-coupon`,
          )
        : null;
    const session = await this.api.call<StripeCheckoutSession>(
      ctx,
      'POST',
      '/v1/checkout/sessions',
      {
        mode: 'payment',
        success_url: request.returnUrl,
        cancel_url: request.cancelUrl ?? request.returnUrl,
        client_reference_id: request.paymentId,
        line_items: lineItems,
        discounts: coupon ? [{ coupon: coupon.id }] : undefined,
        expires_at: expiresAt,
        // Since API version 2026-10-28 Checkout takes `allowed_payment_method_types`
        // (payment_method_types is refused as an unknown parameter).
        allowed_payment_method_types: method ? [method] : undefined,
        customer_email: request.customer?.email ?? request.billingAddress?.email,
        locale: stripeLocale(request.customer?.locale),
        metadata: this.metadata(request),
        payment_intent_data: {
          description: request.description,
          capture_method: request.captureMode === 'manual' ? 'manual' : undefined,
          metadata: { paymentserver_payment_id: request.paymentId },
        },
      },
      request.paymentId,
    );
    if (!session.url)
      throw new ProviderError('provider_error', `Stripe session ${session.id} has no checkout URL`);
    return { providerPaymentId: session.id, checkoutUrl: session.url };
  }

  async getPayment(
    ctx: ProviderCallContext,
    providerPaymentId: string,
  ): Promise<ProviderPaymentState> {
    const state = stripeSessionState(await this.session(ctx, providerPaymentId, true));
    if (state.status === null)
      this.logger.warn({
        msg: 'unknown Stripe status ignored',
        providerStatus: state.providerStatus,
      });
    return state;
  }

  async capture(ctx: ProviderCallContext, op: OperationRequest): Promise<CaptureResult> {
    const intentId = op.providerOperationId ?? (await this.intentId(ctx, op.providerPaymentId));
    const intent = await this.api.call<StripePaymentIntent>(
      ctx,
      'POST',
      `/v1/payment_intents/${encodeURIComponent(intentId)}/capture`,
      { amount_to_capture: op.amount.value },
      op.idempotencyKey,
    );
    // Captured only once the PaymentIntent has succeeded, by what Stripe received; `processing`
    // is accepted, not done (its outcome comes by webhook or getCapture).
    const succeeded = intent.status === 'succeeded';
    return {
      status: succeeded ? 'succeeded' : 'pending',
      amountCaptured: succeeded ? intent.amount_received : 0,
      providerOperationId: intent.id,
    };
  }

  /**
   * Per stripeCancelStep: an open session is expired, an authorized PaymentIntent canceled
   * (Stripe cancels a Checkout Session's PaymentIntent only in requires_capture:
   * PaymentIntents.d.ts, `cancel`); an expired session or canceled PaymentIntent needs nothing
   * more. Any other state is refused here, as Stripe would refuse it (400
   * payment_intent_unexpected_state), without a call. Stripe keys belong to one endpoint: each of
   * the two ways to cancel gets its own (stable) key.
   */
  async cancel(ctx: ProviderCallContext, op: OperationRequest): Promise<CancelResult> {
    const session = await this.session(ctx, op.providerPaymentId, true);
    const step = stripeCancelStep(session);
    if (step.step === 'done') return { status: 'succeeded' };
    if (step.step === 'refused') throw new ProviderError('invalid_request', step.reason);
    if (step.step === 'expire') {
      // The customer has not paid: expiring the session is Stripe's way to close it.
      await this.api.call<StripeCheckoutSession>(
        ctx,
        'POST',
        `/v1/checkout/sessions/${encodeURIComponent(session.id)}/expire`,
        {},
        `${op.idempotencyKey}-expire`,
      );
      return { status: 'succeeded' };
    }
    const intent = await this.api.call<StripePaymentIntent>(
      ctx,
      'POST',
      `/v1/payment_intents/${encodeURIComponent(step.intentId)}/cancel`,
      {},
      `${op.idempotencyKey}-cancel`,
    );
    // Stripe answers the canceled PaymentIntent. Anything else stays open and is looked up
    // (getCancellation): Stripe itself cancels an uncaptured PaymentIntent after a set number
    // of days, 7 by default (PaymentIntents.d.ts, `capture`), so that look ends too.
    return {
      status: intent.status === 'canceled' ? 'succeeded' : 'pending',
      providerOperationId: intent.id,
    };
  }

  async refund(ctx: ProviderCallContext, op: OperationRequest): Promise<RefundResult> {
    const intentId = await this.intentId(ctx, op.providerPaymentId);
    const refund = await this.api.call<StripeRefund>(
      ctx,
      'POST',
      '/v1/refunds',
      {
        payment_intent: intentId,
        amount: op.amount.value,
        reason: 'requested_by_customer',
        metadata: {
          paymentserver_refund_id: op.id,
          checkout_session_id: op.providerPaymentId,
          reason: op.reason?.slice(0, 500),
        },
      },
      op.idempotencyKey,
    );
    return {
      providerRefundId: refund.id,
      status: (refund.status && mapPspStatus(STRIPE_REFUND_STATUS_MAP, refund.status)) || 'pending',
    };
  }

  /** By its id once known, else among the PaymentIntent's refunds by metadata.paymentserver_refund_id. */
  async getRefund(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderRefundState | null> {
    if (op.providerOperationId)
      return stripeRefundState(
        await this.api.call<StripeRefund>(
          ctx,
          'GET',
          `/v1/refunds/${encodeURIComponent(op.providerOperationId)}`,
        ),
      );
    const intentId = await this.intentId(ctx, op.providerPaymentId);
    const list = await this.api.call<StripeList<StripeRefund>>(
      ctx,
      'GET',
      `/v1/refunds?payment_intent=${encodeURIComponent(intentId)}&limit=100`,
    );
    const found = list.data.find((refund) => refund.metadata?.paymentserver_refund_id === op.id);
    return found ? stripeRefundState(found) : null;
  }

  /** A capture is the PaymentIntent's own state: still requires_capture means not done. */
  async getCapture(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderOperationState | null> {
    const intentId = op.providerOperationId ?? (await this.intentId(ctx, op.providerPaymentId));
    const intent = await this.api.call<StripePaymentIntent>(
      ctx,
      'GET',
      `/v1/payment_intents/${encodeURIComponent(intentId)}`,
    );
    return stripeCaptureState(intent);
  }

  async getCancellation(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderOperationState | null> {
    return stripeCancellationState(await this.session(ctx, op.providerPaymentId, true));
  }

  async verifyWebhook(ctx: ProviderCallContext, webhook: InboundWebhook): Promise<void> {
    try {
      Stripe.webhooks.constructEvent(
        webhook.rawBody,
        webhook.headers['stripe-signature'] ?? '',
        ctx.account.credentials.webhookSecret,
      );
    } catch (error) {
      throw new WebhookVerificationError(
        `Stripe-Signature did not verify: ${(error as Error).message}`,
      );
    }
  }

  webhookReferences(webhook: InboundWebhook): WebhookReference[] {
    const object = readStripeEvent(webhook)?.data?.object;
    return object && typeof object === 'object' ? [stripeObjectReference(object)] : [];
  }

  /** See stripeWebhookNotifications: the object's own (signed) ids name the payment. */
  parseWebhook(_ctx: ProviderCallContext, webhook: InboundWebhook): WebhookNotification[] {
    return stripeWebhookNotifications(webhook, this.logger);
  }

  webhookAck(): WebhookAck {
    return { status: 200, contentType: 'application/json', body: '{"received":true}' };
  }

  /** The shop's metadata as Stripe takes it; the keys left out are named in a warning (never values). */
  private metadata(request: CreatePaymentRequest): Record<string, string> {
    const { metadata, dropped } = stripeMetadata(request, {
      paymentserver_payment_id: request.paymentId,
      reference: request.reference,
    });
    if (dropped.length > 0)
      this.logger.warn({
        msg: 'metadata keys Stripe does not accept were left out',
        paymentId: request.paymentId,
        keys: dropped,
      });
    return metadata;
  }

  private session(
    ctx: ProviderCallContext,
    id: string,
    expandIntent: boolean,
  ): Promise<StripeCheckoutSession> {
    // The PaymentMethod is expanded too: its `type` is what the customer paid with.
    const query = expandIntent
      ? '?expand%5B%5D=payment_intent&expand%5B%5D=payment_intent.payment_method'
      : '';
    return this.api.call<StripeCheckoutSession>(
      ctx,
      'GET',
      `/v1/checkout/sessions/${encodeURIComponent(id)}${query}`,
    );
  }

  private async intentId(ctx: ProviderCallContext, sessionId: string): Promise<string> {
    return this.intentIdOf(await this.session(ctx, sessionId, false));
  }

  private intentIdOf(session: StripeCheckoutSession): string {
    const intent = session.payment_intent;
    if (!intent)
      throw new ProviderError(
        'invalid_request',
        `Stripe session ${session.id} has no payment yet (status ${session.status})`,
      );
    // The raw id: callers encode it where it goes (a path segment, a form value).
    return typeof intent === 'string' ? intent : intent.id;
  }
}
