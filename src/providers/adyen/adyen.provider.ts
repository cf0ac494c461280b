import { Injectable, Logger } from '@nestjs/common';
import { ALL_FEATURES, EURO_ONLY_METHODS, featureOnlyFor } from '../capabilities';
import { probeConnection, type ConnectionCheck } from '../connector/connection-check';
import { mapPspStatus } from '../connector/psp-status';
import HmacValidator from '@adyen/api-library/lib/src/utils/hmacValidator';
import { PAYMENT_METHODS } from '../../domain/payment-status';
import type { CaptureMode } from '../../domain/payment-status';
import { ProviderError, WebhookVerificationError } from '../provider-error';
import { ConnectorClient } from '../connector/connector-client';
import { ADYEN_CONNECTOR, ADYEN_DESCRIPTION } from './adyen.connector';
import {
  CancelResult,
  CaptureResult,
  CreatePaymentRequest,
  CreatePaymentResult,
  InboundWebhook,
  OperationRequest,
  PaymentProvider,
  ProviderCallContext,
  ProviderPaymentState,
  RefundResult,
  WebhookAck,
  WEBHOOK_MAX_ITEMS,
  WebhookNotification,
  WebhookPaymentView,
  WebhookReference,
} from '../provider.interface';
import {
  ADYEN_LINK_STATUS_MAP,
  ADYEN_METHODS,
  ADYEN_SEPARATE_CAPTURE_METHODS,
  adyenPaymentIdempotencyKey,
  fromAdyenAmount,
  toAdyenAmount,
} from './adyen.mapper';
import type {
  AdyenModificationResponse,
  AdyenNotificationRequestItem,
  AdyenPaymentLinkRequest,
  AdyenPaymentLinkResponse,
} from './adyen.types';
import { ADYEN_EXPIRY, adyenMetadata, adyenOrderFields } from './adyen-order-lines';
import {
  adyenAdditional,
  adyenItems,
  adyenNotification,
  adyenWebhookDedupeKey,
} from './adyen.webhooks';

/** Metadata kept on the payment link for people reading it in the Customer Area (never trusted from webhooks). */
const META_CAPTURE_MODE = 'captureMode';
const META_PAYMENT_ID = 'paymentId';

/** Klarna's fields on a payment link (without them Adyen cannot offer Klarna). */
const KLARNA_FIELDS = ['lineItems', 'shopperName', 'shopperEmail', 'countryCode'] as const;

/**
 * What the shopper may choose on the hosted page of a manual-capture payment: only the methods
 * Adyen can capture later, or the shopper could pay with one Adyen captures at once while we
 * report it authorized. Klarna only when the link carries what Klarna needs.
 */
function capturableLater(body: AdyenPaymentLinkRequest): string[] {
  return ADYEN_SEPARATE_CAPTURE_METHODS.filter(
    (method) => method !== 'klarna' || KLARNA_FIELDS.every((field) => body[field] !== undefined),
  ).map((method) => ADYEN_METHODS[method]);
}

const manualCaptureOnlyFor = featureOnlyFor(
  'manualCapture',
  PAYMENT_METHODS,
  ADYEN_SEPARATE_CAPTURE_METHODS,
);

/**
 * Adyen Checkout API v71: hosted checkout through payment links, captures, cancels and
 * refunds on the pspReference of the authorisation. Modifications are asynchronous: Adyen
 * answers `received` and the outcome arrives as a standard webhook (HMAC-SHA256, hex key),
 * which is answered `[accepted]`.
 */
@Injectable()
export class AdyenProvider implements PaymentProvider {
  private readonly logger = new Logger('AdyenProvider');
  private readonly hmac = new HmacValidator();
  private readonly api = new ConnectorClient(ADYEN_CONNECTOR);

  readonly name = 'adyen';
  readonly capabilities = {
    currencies: 'any' as const,
    currenciesByMethod: EURO_ONLY_METHODS,
    methods: PAYMENT_METHODS,
    expiry: ADYEN_EXPIRY,
    // polling: a payment link's status can be fetched (not the later modifications).
    ...ALL_FEATURES,
    byMethod: {
      // Adyen captures the other methods at once, even on a link with manualCapture.
      ...manualCaptureOnlyFor,
      // A partial capture or refund of Klarna needs lineItems (CheckoutService-v71.json,
      // PaymentCaptureRequest/PaymentRefundRequest.lineItems), which we do not send: whole only.
      klarna: {
        ...manualCaptureOnlyFor.klarna,
        partialCapture: false,
        partialRefunds: false,
        multipleRefunds: false,
      },
    },
  };

  readonly description = ADYEN_DESCRIPTION;

  /** A cheap authenticated read (see ConnectionCheck). */
  testConnection(ctx: ProviderCallContext): Promise<ConnectionCheck> {
    return probeConnection('Adyen', () =>
      this.api.send(ctx, {
        method: 'POST',
        path: '/paymentMethods',
        body: { merchantAccount: ctx.account.credentials.merchantAccount },
      }),
    );
  }

  async createPayment(
    ctx: ProviderCallContext,
    request: CreatePaymentRequest,
  ): Promise<CreatePaymentResult> {
    const body: AdyenPaymentLinkRequest = {
      amount: toAdyenAmount(request.amount),
      merchantAccount: ctx.account.credentials.merchantAccount,
      reference: request.paymentId,
      merchantOrderReference: request.reference,
      description: request.description,
      returnUrl: request.returnUrl,
      manualCapture: request.captureMode === 'manual',
      // The merchant account's default may be delayed or manual capture: an automatic payment
      // that we report as paid must be captured at once (PaymentLinkRequest.captureDelayHours).
      ...(request.captureMode === 'automatic' ? { captureDelayHours: 0 } : {}),
      metadata: adyenMetadata(request, {
        [META_PAYMENT_ID]: request.paymentId,
        [META_CAPTURE_MODE]: request.captureMode,
      }),
      ...adyenOrderFields(request),
    };
    if (request.method) body.allowedPaymentMethods = [ADYEN_METHODS[request.method]];
    else if (request.captureMode === 'manual') body.allowedPaymentMethods = capturableLater(body);
    // Adyen documents a language and country joined by a hyphen (`en-US`); we also take `nl_NL`.
    if (request.customer?.locale) body.shopperLocale = request.customer.locale.replace('_', '-');
    const link = await this.api.call<AdyenPaymentLinkResponse>(
      ctx,
      'POST',
      '/paymentLinks',
      body,
      adyenPaymentIdempotencyKey(request.paymentId, ctx.account.id),
    );
    return { providerPaymentId: link.id, checkoutUrl: link.url };
  }

  async getPayment(
    ctx: ProviderCallContext,
    providerPaymentId: string,
  ): Promise<ProviderPaymentState> {
    const link = await this.api.call<AdyenPaymentLinkResponse>(
      ctx,
      'GET',
      `/paymentLinks/${encodeURIComponent(providerPaymentId)}`,
    );
    const mode: CaptureMode = link.manualCapture ? 'manual' : 'automatic';
    const status = mapPspStatus(ADYEN_LINK_STATUS_MAP, link.status)?.[mode] ?? null;
    return {
      providerPaymentId: link.id,
      status,
      providerStatus: link.status,
      amountCaptured: status === 'paid' ? fromAdyenAmount(link.amount) : undefined,
    };
  }

  /**
   * Adyen keeps Idempotency-Key for at least 31 days: a retry with the same key is answered, not
   * redone. The key of a capture, cancel or refund is our operation's own id (unique, and the
   * operation only ever goes to the account that holds the payment), so it is sent as given.
   */
  async capture(ctx: ProviderCallContext, op: OperationRequest): Promise<CaptureResult> {
    const pspReference = this.requireReference(op.providerReference, 'capture');
    const response = await this.api.call<AdyenModificationResponse>(
      ctx,
      'POST',
      `/payments/${encodeURIComponent(pspReference)}/captures`,
      {
        merchantAccount: ctx.account.credentials.merchantAccount,
        amount: toAdyenAmount(op.amount),
        reference: op.paymentId,
      },
      op.idempotencyKey,
    );
    // Adyen answers `received`; the CAPTURE webhook settles it.
    return {
      status: 'pending',
      amountCaptured: op.amount.value,
      providerOperationId: response.pspReference,
    };
  }

  async cancel(ctx: ProviderCallContext, op: OperationRequest): Promise<CancelResult> {
    if (!op.providerReference) return this.expireLink(ctx, op.providerPaymentId);
    const response = await this.api.call<AdyenModificationResponse>(
      ctx,
      'POST',
      `/payments/${encodeURIComponent(op.providerReference)}/cancels`,
      // Our payment id, as for captures: the CANCELLATION webhook names the payment by it (signed).
      { merchantAccount: ctx.account.credentials.merchantAccount, reference: op.paymentId },
      op.idempotencyKey,
    );
    return { status: 'pending', providerOperationId: response.pspReference };
  }

  /**
   * Nothing authorised yet: expire the link so the shopper cannot pay any more. Safe to repeat
   * after a lost answer: a link that is expired already counts as done.
   */
  private async expireLink(ctx: ProviderCallContext, linkId: string): Promise<CancelResult> {
    const path = `/paymentLinks/${encodeURIComponent(linkId)}`;
    try {
      await this.api.call(ctx, 'PATCH', path, { status: 'expired' });
    } catch (error) {
      if (!(error instanceof ProviderError) || error.code !== 'invalid_request') throw error;
      const link = await this.api.call<AdyenPaymentLinkResponse>(ctx, 'GET', path);
      if (link.status !== 'expired') throw error;
    }
    return { status: 'succeeded' };
  }

  async refund(ctx: ProviderCallContext, op: OperationRequest): Promise<RefundResult> {
    const pspReference = this.requireReference(op.providerReference, 'refund');
    const response = await this.api.call<AdyenModificationResponse>(
      ctx,
      'POST',
      `/payments/${encodeURIComponent(pspReference)}/refunds`,
      {
        merchantAccount: ctx.account.credentials.merchantAccount,
        amount: toAdyenAmount(op.amount),
        reference: op.id,
      },
      op.idempotencyKey,
    );
    return { providerRefundId: response.pspReference, status: 'pending' };
  }

  async verifyWebhook(ctx: ProviderCallContext, webhook: InboundWebhook): Promise<void> {
    const items = adyenItems(webhook);
    if (items.length === 0) throw new WebhookVerificationError('no notification items');
    // Checked before any HMAC is computed: a huge batch is refused, not worked through.
    if (items.length > WEBHOOK_MAX_ITEMS)
      throw new WebhookVerificationError(`more than ${WEBHOOK_MAX_ITEMS} notification items`);
    for (const item of items) {
      if (!this.signed(ctx, item))
        throw new WebhookVerificationError('bad or missing additionalData.hmacSignature');
    }
  }

  /**
   * What an (unverified) body names, from its first items only. additionalData is not signed,
   * but here nothing is trusted anyway: it only says which local payment to poll.
   */
  webhookReferences(webhook: InboundWebhook, maxItems: number): WebhookReference[] {
    let items: AdyenNotificationRequestItem[];
    try {
      items = adyenItems(webhook, maxItems);
    } catch {
      return [];
    }
    return items.map((item) => {
      const linkId = adyenAdditional(item, 'paymentLinkId');
      const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
      const ref: WebhookReference =
        item.eventCode === 'AUTHORISATION'
          ? { paymentId: text(item.merchantReference), providerPaymentId: text(linkId) }
          : { providerPaymentId: text(item.originalReference) };
      return Object.fromEntries(Object.entries(ref).filter(([, value]) => value !== undefined));
    });
  }

  /**
   * Only what the HMAC covers decides: pspReference, originalReference, merchantAccountCode,
   * merchantReference, amount, eventCode and success (never `reason`: see ADYEN_EVENT_MAP). An
   * AUTHORISATION names our payment by merchantReference (the link's `reference`) and must
   * carry its exact amount; a modification names it by originalReference (the authorisation's
   * pspReference) and our merchantReference (the payment id for a capture, cancellation or
   * chargeback, the refund id for a refund). additionalData is never used for identity: a
   * replayed item with another paymentLinkId changes nothing.
   */
  parseWebhook(ctx: ProviderCallContext, webhook: InboundWebhook): WebhookNotification[] {
    const notifications: WebhookNotification[] = [];
    for (const item of adyenItems(webhook)) {
      const notification = adyenNotification(ctx, item);
      if (notification) notifications.push(notification);
      else
        this.logger.warn({
          msg: 'unmapped Adyen event ignored',
          accountId: ctx.account.id,
          eventCode: item.eventCode,
          success: item.success,
        });
    }
    return notifications;
  }

  /** The stored capture mode says paid or authorized; a refusal first expires the payment link. */
  async completeWebhookNotification(
    ctx: ProviderCallContext,
    notification: WebhookNotification,
    payment: WebhookPaymentView,
  ): Promise<WebhookNotification[]> {
    if (notification.detail?.eventCode !== 'AUTHORISATION' || !notification.payment)
      return [notification];
    const state = notification.payment;
    if (notification.detail.success === 'true') {
      const status =
        state.status === 'paid' && payment.captureMode === 'manual' ? 'authorized' : state.status;
      return [
        {
          ...notification,
          payment: {
            ...state,
            status,
            amountCaptured: status === 'paid' ? state.amountCaptured : undefined,
          },
        },
      ];
    }
    const linkStatus = await this.linkAfterRefusal(ctx, payment.providerPaymentId);
    if (linkStatus !== 'expired') {
      this.logger.log({
        msg: 'refused attempt on a link still in use or paid; ignored',
        accountId: ctx.account.id,
        paymentId: payment.id,
        linkStatus,
      });
      return [];
    }
    return [notification];
  }

  /**
   * A refused AUTHORISATION leaves a payment link usable, but our `failed` is final: so the
   * link is expired first, and a shopper cannot pay a payment we have already failed. Only an
   * expired link ends the payment: if the shopper has paid on the link meanwhile, or is paying
   * on it now (`paymentPending`: an asynchronous method under way, which cannot be expired),
   * the refusal is history and the payment stays as the link's own outcome will make it.
   */
  private async linkAfterRefusal(ctx: ProviderCallContext, linkId: string): Promise<string> {
    const path = `/paymentLinks/${encodeURIComponent(linkId)}`;
    let link = await this.api.call<AdyenPaymentLinkResponse>(ctx, 'GET', path);
    if (link.status === 'active') {
      try {
        link = await this.api.call<AdyenPaymentLinkResponse>(ctx, 'PATCH', path, {
          status: 'expired',
        });
      } catch (error) {
        if (!(error instanceof ProviderError) || error.retryable) throw error;
        link = await this.api.call<AdyenPaymentLinkResponse>(ctx, 'GET', path); // changed under us
      }
    }
    return link.status;
  }

  private signed(ctx: ProviderCallContext, item: AdyenNotificationRequestItem): boolean {
    try {
      return this.hmac.validateHMAC(item as never, ctx.account.credentials.hmacKey);
    } catch {
      return false;
    }
  }

  webhookDedupeKey(webhook: InboundWebhook): string | null {
    return adyenWebhookDedupeKey(webhook);
  }

  webhookAck(): WebhookAck {
    return { status: 200, contentType: 'text/plain', body: '[accepted]' };
  }

  private requireReference(providerReference: string | null | undefined, what: string): string {
    if (!providerReference) {
      throw new ProviderError(
        'invalid_request',
        `Adyen: cannot ${what} before the AUTHORISATION webhook has named the payment's pspReference`,
      );
    }
    return providerReference;
  }
}
