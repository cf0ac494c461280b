import { Injectable, Logger } from '@nestjs/common';
import HmacValidator from '@adyen/api-library/lib/src/utils/hmacValidator';
import type { Money } from '../../common/money/money';
import { PAYMENT_METHODS } from '../../payments/payment-status';
import type { CaptureMode } from '../../payments/payment-status';
import type { FieldError } from '../../common/errors/domain-error';
import { requireStrings } from '../credentials';
import { ProviderError, WebhookVerificationError } from '../provider-error';
import type { HttpRequest } from '../provider-http.client';
import {
  CancelResult,
  CaptureResult,
  CreatePaymentRequest,
  CreatePaymentResult,
  InboundWebhook,
  PaymentProvider,
  ProviderCallContext,
  ProviderPaymentState,
  RefundResult,
  WebhookAck,
  WebhookNotification,
} from '../provider.interface';
import {
  ADYEN_LINK_STATUS_MAP,
  ADYEN_METHODS,
  adyenError,
  adyenEventEffect,
  fromAdyenAmount,
  toAdyenAmount,
} from './adyen.mapper';
import type {
  AdyenModificationResponse,
  AdyenNotificationRequest,
  AdyenNotificationRequestItem,
  AdyenPaymentLinkRequest,
  AdyenPaymentLinkResponse,
} from './adyen.types';

const API_VERSION = 'v71';
const TEST_BASE_URL = 'https://checkout-test.adyen.com';
/** Metadata keys echoed back in the AUTHORISATION webhook as `additionalData.metadata.<key>`. */
const META_CAPTURE_MODE = 'captureMode';
const META_PAYMENT_ID = 'paymentId';

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

  readonly name = 'adyen';
  readonly capabilities = {
    currencies: 'any' as const,
    methods: PAYMENT_METHODS,
    manualCapture: true,
    partialCapture: true,
    cancel: true,
    refunds: true,
    partialRefunds: true,
    multipleRefunds: true,
    // A payment link's status can be fetched (not the later modifications).
    polling: true,
  };

  validateCredentials(credentials: Record<string, unknown>): FieldError[] {
    const problems = requireStrings(credentials, ['apiKey', 'merchantAccount', 'hmacKey']);
    const hmacKey = credentials.hmacKey;
    if (typeof hmacKey === 'string' && hmacKey && !/^(?:[0-9a-fA-F]{2})+$/.test(hmacKey)) {
      problems.push({
        field: 'hmacKey',
        message: 'must be the hex HMAC key from the Customer Area',
      });
    }
    const prefix = credentials.liveUrlPrefix;
    if (prefix !== undefined && (typeof prefix !== 'string' || !/^[a-zA-Z0-9-]+$/.test(prefix))) {
      problems.push({
        field: 'liveUrlPrefix',
        message: 'must be the live endpoint prefix (letters, digits, dashes)',
      });
    }
    return problems;
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
      metadata: { [META_PAYMENT_ID]: request.paymentId, [META_CAPTURE_MODE]: request.captureMode },
    };
    if (request.method) body.allowedPaymentMethods = [ADYEN_METHODS[request.method]];
    if (request.customer?.email) body.shopperEmail = request.customer.email;
    if (request.customer?.locale) body.shopperLocale = request.customer.locale;
    if (request.customer?.country) body.countryCode = request.customer.country;
    const link = await this.call<AdyenPaymentLinkResponse>(
      ctx,
      'POST',
      '/paymentLinks',
      body,
      request.paymentId,
    );
    return { providerPaymentId: link.id, checkoutUrl: link.url };
  }

  async getPayment(
    ctx: ProviderCallContext,
    providerPaymentId: string,
  ): Promise<ProviderPaymentState> {
    const link = await this.call<AdyenPaymentLinkResponse>(
      ctx,
      'GET',
      `/paymentLinks/${encodeURIComponent(providerPaymentId)}`,
    );
    const mode: CaptureMode = link.manualCapture ? 'manual' : 'automatic';
    const status = ADYEN_LINK_STATUS_MAP[link.status]?.[mode] ?? null;
    return {
      providerPaymentId: link.id,
      status,
      providerStatus: link.status,
      amountCaptured: status === 'paid' ? fromAdyenAmount(link.amount) : undefined,
    };
  }

  async capture(
    ctx: ProviderCallContext,
    _providerPaymentId: string,
    amount: Money,
    paymentId: string,
    providerReference?: string | null,
  ): Promise<CaptureResult> {
    const pspReference = this.requireReference(providerReference, 'capture');
    await this.call<AdyenModificationResponse>(
      ctx,
      'POST',
      `/payments/${encodeURIComponent(pspReference)}/captures`,
      {
        merchantAccount: ctx.account.credentials.merchantAccount,
        amount: toAdyenAmount(amount),
        reference: paymentId,
      },
      `capture-${paymentId}`,
    );
    // Adyen answers `received`; the CAPTURE webhook settles it.
    return { status: 'pending', amountCaptured: amount.value };
  }

  async cancel(
    ctx: ProviderCallContext,
    providerPaymentId: string,
    providerReference?: string | null,
  ): Promise<CancelResult> {
    if (!providerReference) {
      // Nothing authorised yet: expire the link so the shopper cannot pay any more.
      await this.call(ctx, 'PATCH', `/paymentLinks/${encodeURIComponent(providerPaymentId)}`, {
        status: 'expired',
      });
      return { status: 'succeeded' };
    }
    await this.call<AdyenModificationResponse>(
      ctx,
      'POST',
      `/payments/${encodeURIComponent(providerReference)}/cancels`,
      { merchantAccount: ctx.account.credentials.merchantAccount, reference: providerPaymentId },
      `cancel-${providerReference}`,
    );
    return { status: 'pending' };
  }

  async refund(
    ctx: ProviderCallContext,
    _providerPaymentId: string,
    amount: Money,
    refundId: string,
    _reason: string | null,
    providerReference?: string | null,
  ): Promise<RefundResult> {
    const pspReference = this.requireReference(providerReference, 'refund');
    const response = await this.call<AdyenModificationResponse>(
      ctx,
      'POST',
      `/payments/${encodeURIComponent(pspReference)}/refunds`,
      {
        merchantAccount: ctx.account.credentials.merchantAccount,
        amount: toAdyenAmount(amount),
        reference: refundId,
      },
      refundId,
    );
    return { providerRefundId: response.pspReference, status: 'pending' };
  }

  async verifyWebhook(ctx: ProviderCallContext, webhook: InboundWebhook): Promise<void> {
    const items = this.items(webhook);
    if (items.length === 0) throw new WebhookVerificationError('no notification items');
    for (const item of items) {
      if (!this.signed(ctx, item))
        throw new WebhookVerificationError('bad or missing additionalData.hmacSignature');
    }
  }

  async parseWebhook(
    ctx: ProviderCallContext,
    webhook: InboundWebhook,
  ): Promise<WebhookNotification[]> {
    const notifications: WebhookNotification[] = [];
    for (const item of this.items(webhook)) {
      if (!(await this.refusalEndsPayment(ctx, item))) {
        this.logger.log({
          msg: 'refused attempt on a link that was paid after all; ignored',
          accountId: ctx.account.id,
          pspReference: item.pspReference,
        });
        continue;
      }
      const notification = this.toNotification(item, await this.captureModeOf(ctx, item));
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

  /**
   * A refused AUTHORISATION leaves a payment link usable, but our `failed` is final: so the
   * link is expired first, and a shopper cannot pay a payment we have already failed. If the
   * shopper has paid on the link meanwhile, the refusal is history and ends nothing. Only for
   * signed items: parseWebhook also sees unverified bodies (to know what to poll).
   */
  private async refusalEndsPayment(
    ctx: ProviderCallContext,
    item: AdyenNotificationRequestItem,
  ): Promise<boolean> {
    const linkId = this.additional(item, 'paymentLinkId');
    if (item.eventCode !== 'AUTHORISATION' || item.success === 'true' || !linkId) return true;
    if (!this.signed(ctx, item)) return true;
    const path = `/paymentLinks/${encodeURIComponent(linkId)}`;
    let link = await this.call<AdyenPaymentLinkResponse>(ctx, 'GET', path);
    if (link.status === 'active') {
      try {
        link = await this.call<AdyenPaymentLinkResponse>(ctx, 'PATCH', path, { status: 'expired' });
      } catch (error) {
        if (!(error instanceof ProviderError) || error.retryable) throw error;
        link = await this.call<AdyenPaymentLinkResponse>(ctx, 'GET', path); // changed under us
      }
    }
    return link.status !== 'completed' && link.status !== 'paid';
  }

  private signed(ctx: ProviderCallContext, item: AdyenNotificationRequestItem): boolean {
    try {
      return this.hmac.validateHMAC(item as never, ctx.account.credentials.hmacKey);
    } catch {
      return false;
    }
  }

  webhookAck(): WebhookAck {
    return { status: 200, contentType: 'text/plain', body: '[accepted]' };
  }

  /**
   * Whether an AUTHORISATION means `paid` or `authorized`: the link's metadata says so; where
   * it is missing, the link itself (manualCapture) does.
   */
  private async captureModeOf(
    ctx: ProviderCallContext,
    item: AdyenNotificationRequestItem,
  ): Promise<CaptureMode> {
    if (item.eventCode !== 'AUTHORISATION' || item.success !== 'true') return 'automatic';
    const hint = this.additional(item, `metadata.${META_CAPTURE_MODE}`);
    if (hint === 'manual' || hint === 'automatic') return hint;
    const linkId = this.additional(item, 'paymentLinkId');
    if (!linkId) return 'automatic';
    const link = await this.call<AdyenPaymentLinkResponse>(
      ctx,
      'GET',
      `/paymentLinks/${encodeURIComponent(linkId)}`,
    );
    return link.manualCapture ? 'manual' : 'automatic';
  }

  private toNotification(
    item: AdyenNotificationRequestItem,
    mode: CaptureMode,
  ): WebhookNotification | undefined {
    const effect = adyenEventEffect(item.eventCode, item.success, item.reason);
    if (!effect) return undefined;
    const providerStatus = `${item.eventCode}:${item.success}`;
    if ('refund' in effect) {
      const paymentRef = item.originalReference ?? item.pspReference;
      return {
        providerPaymentId: paymentRef,
        refund: {
          providerRefundId: item.pspReference,
          refundId: item.merchantReference,
          status: effect.refund,
          providerStatus,
          amount: fromAdyenAmount(item.amount),
        },
      };
    }
    if (item.eventCode === 'AUTHORISATION') {
      const linkId = this.additional(item, 'paymentLinkId');
      const status = effect.payment[mode];
      const providerPaymentId = linkId ?? item.pspReference;
      return {
        providerPaymentId,
        payment: {
          providerPaymentId,
          status,
          providerStatus,
          providerReference: item.success === 'true' ? item.pspReference : undefined,
          amountCaptured: status === 'paid' ? fromAdyenAmount(item.amount) : undefined,
          failure:
            item.success === 'true'
              ? undefined
              : {
                  code: status === 'canceled' ? 'canceled' : 'declined',
                  message: item.reason || 'Refused',
                },
        },
      };
    }
    // Modifications name the payment by the authorisation's pspReference.
    const paymentRef = item.originalReference ?? item.pspReference;
    const status = effect.payment.automatic;
    return {
      providerPaymentId: paymentRef,
      payment: {
        providerPaymentId: paymentRef,
        status,
        providerStatus,
        amountCaptured: item.eventCode === 'CAPTURE' ? fromAdyenAmount(item.amount) : undefined,
      },
    };
  }

  /** additionalData as Adyen sends it (flat `metadata.key`), tolerating a nested `metadata` object. */
  private additional(item: AdyenNotificationRequestItem, key: string): string | undefined {
    const data = item.additionalData ?? {};
    const flat = data[key];
    if (typeof flat === 'string') return flat;
    if (key.startsWith('metadata.')) {
      const nested = data.metadata;
      if (nested && typeof nested === 'object') return nested[key.slice('metadata.'.length)];
    }
    return undefined;
  }

  private items(webhook: InboundWebhook): AdyenNotificationRequestItem[] {
    let body: AdyenNotificationRequest;
    try {
      body = JSON.parse(webhook.rawBody.toString('utf8')) as AdyenNotificationRequest;
    } catch {
      throw new WebhookVerificationError('body is not JSON');
    }
    if (!Array.isArray(body?.notificationItems)) return [];
    return body.notificationItems
      .map((wrapper) => wrapper?.NotificationRequestItem)
      .filter(
        (item): item is AdyenNotificationRequestItem =>
          !!item && typeof item === 'object' && !!item.amount,
      );
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

  private baseUrl(ctx: ProviderCallContext): string {
    if (ctx.account.baseUrl) return `${ctx.account.baseUrl}/${API_VERSION}`;
    if (ctx.account.testMode) return `${TEST_BASE_URL}/${API_VERSION}`;
    const prefix = ctx.account.credentials.liveUrlPrefix;
    if (!prefix)
      throw new ProviderError(
        'invalid_credentials',
        'Adyen live accounts need credentials.liveUrlPrefix',
      );
    return `https://${prefix}-checkout-live.adyenpayments.com/checkout/${API_VERSION}`;
  }

  private async call<T>(
    ctx: ProviderCallContext,
    method: HttpRequest['method'],
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<T> {
    const headers: Record<string, string> = {
      'x-api-key': ctx.account.credentials.apiKey,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const response = await ctx.http.request({
      method,
      url: `${this.baseUrl(ctx)}${path}`,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status < 200 || response.status >= 300) throw adyenError(response);
    return response.json<T>();
  }
}
