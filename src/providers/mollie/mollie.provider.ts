import { Injectable, Logger } from '@nestjs/common';
import { probeConnection, type ConnectionCheck } from '../connector/connection-check';
import { mapPspStatus } from '../connector/psp-status';
import { redactText } from '../../common/logging/redact';
import type { PaymentMethod } from '../../domain/payment-status';
import { mollieOrderFields } from './mollie-order-lines';
import { ConnectorClient } from '../connector/connector-client';
import { MOLLIE_CONNECTOR, MOLLIE_DESCRIPTION } from './mollie.connector';
import { ALL_FEATURES, featureOnlyFor } from '../capabilities';
import { ProviderError, WebhookVerificationError } from '../provider-error';
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
  WebhookPaymentView,
  WebhookReference,
} from '../provider.interface';
import {
  fromMollieAmount,
  MOLLIE_CURRENCIES,
  MOLLIE_CURRENCIES_BY_METHOD,
  MOLLIE_METHODS,
  MOLLIE_REFUND_STATUS_MAP,
  mollieCaptureState,
  mollieError,
  mollieHeldRest,
  molliePaymentState,
  mollieRefundState,
  toMollieAmount,
  toMollieLocale,
} from './mollie.mapper';
import type { MollieCapture, MollieList, MolliePayment, MollieRefund } from './mollie.types';

const PAYMENT_ID = /^tr_[A-Za-z0-9]+$/;
/** Mollie's largest list page; a payment with more refunds or captures than this is not expected. */
const MOLLIE_MAX_PAGE = 250;
/** Mollie's metadata limit ("approximately 1kB"), kept to exactly, in bytes of JSON. */
const MOLLIE_METADATA_BYTES = 1024;
const MOLLIE_METHOD_LIST = Object.keys(MOLLIE_METHODS) as PaymentMethod[];
/**
 * What a read of the payment's state embeds (get-payment `embed`): its refunds, and its
 * chargebacks, whose `reversedAt` alone tells a reversed chargeback from none at all (Mollie
 * omits `amountChargedBack` in both cases).
 */
const STATE_EMBED = 'embed=refunds,chargebacks';

/**
 * Mollie API v2 payments: hosted checkout (`_links.checkout`), captures for
 * `captureMode: manual`, cancel (DELETE), refunds. Webhooks carry only `id=tr_…` and are
 * unsigned, so nothing in them is trusted: the payment is always fetched from the API.
 */
@Injectable()
export class MollieProvider implements PaymentProvider {
  private readonly logger = new Logger('MollieProvider');
  private readonly api = new ConnectorClient(MOLLIE_CONNECTOR);
  readonly name = 'mollie';
  readonly capabilities: ProviderCapabilities = {
    currencies: MOLLIE_CURRENCIES,
    currenciesByMethod: MOLLIE_CURRENCIES_BY_METHOD,
    methods: MOLLIE_METHOD_LIST,
    ...ALL_FEATURES,
    // Mollie authorizes only cards and Klarna for captureMode manual.
    byMethod: featureOnlyFor('manualCapture', MOLLIE_METHOD_LIST, ['card', 'klarna']),
  };

  readonly description = MOLLIE_DESCRIPTION;

  /** A cheap authenticated read (see ConnectionCheck). */
  testConnection(ctx: ProviderCallContext): Promise<ConnectionCheck> {
    return probeConnection('Mollie', () =>
      this.api.send(ctx, { method: 'GET', path: '/v2/methods' }),
    );
  }

  async createPayment(
    ctx: ProviderCallContext,
    request: CreatePaymentRequest,
  ): Promise<CreatePaymentResult> {
    const method = request.method ? MOLLIE_METHODS[request.method] : undefined;
    const body = {
      amount: toMollieAmount(request.amount),
      description: request.description,
      redirectUrl: request.returnUrl,
      ...(request.cancelUrl ? { cancelUrl: request.cancelUrl } : {}),
      webhookUrl: ctx.webhookUrl,
      ...(method ? { method } : {}),
      ...(request.captureMode === 'manual' ? { captureMode: 'manual' } : {}),
      ...(toMollieLocale(request.customer?.locale)
        ? { locale: toMollieLocale(request.customer?.locale) }
        : {}),
      ...mollieOrderFields(request),
      metadata: this.metadata(request),
    };
    const payment = await this.api.call<MolliePayment>(
      ctx,
      'POST',
      '/v2/payments',
      body,
      request.paymentId,
    );
    const checkoutUrl = payment._links?.checkout?.href;
    if (!checkoutUrl)
      throw new ProviderError(
        'provider_error',
        `Mollie payment ${payment.id} has no checkout link (status ${payment.status})`,
      );
    return { providerPaymentId: payment.id, checkoutUrl };
  }

  /**
   * Ours (read back from webhooks' payments) always, the shop's too when all of it fits in
   * Mollie's limit: Mollie keeps "up to approximately 1kB" of metadata (components/schemas/metadata)
   * and refuses the payment beyond it.
   */
  private metadata(request: CreatePaymentRequest): Record<string, string> {
    const ours = { paymentId: request.paymentId, reference: request.reference };
    if (!request.metadata || Object.keys(request.metadata).length === 0) return ours;
    const all = { ...request.metadata, ...ours };
    const bytes = Buffer.byteLength(JSON.stringify(all), 'utf8');
    if (bytes <= MOLLIE_METADATA_BYTES) return all;
    this.logger.warn({
      msg: "the shop's metadata is too large for Mollie and is not sent there",
      paymentId: request.paymentId,
      keys: Object.keys(request.metadata).length,
      bytes,
      limit: MOLLIE_METADATA_BYTES,
    });
    return ours;
  }

  async getPayment(
    ctx: ProviderCallContext,
    providerPaymentId: string,
  ): Promise<ProviderPaymentState> {
    const payment = await this.api.call<MolliePayment>(
      ctx,
      'GET',
      `/v2/payments/${encodeURIComponent(providerPaymentId)}?${STATE_EMBED}`,
    );
    return this.mapped(payment);
  }

  async capture(ctx: ProviderCallContext, op: OperationRequest): Promise<CaptureResult> {
    const capture = await this.api.call<MollieCapture>(
      ctx,
      'POST',
      `/v2/payments/${encodeURIComponent(op.providerPaymentId)}/captures`,
      // metadata.operationId finds the capture again if this answer is lost.
      {
        amount: toMollieAmount(op.amount),
        description: `Capture of ${op.paymentId}`,
        metadata: { operationId: op.id },
      },
      op.idempotencyKey,
    );
    if (capture.status === 'failed')
      throw new ProviderError('declined', `Mollie capture ${capture.id} failed`);
    // A capture may settle later; Mollie then calls the payment's webhook, and getCapture
    // (the reconciler's poll) releases the rest once it finds the capture succeeded.
    if (capture.status === 'succeeded') await this.releaseRest(ctx, op);
    return {
      status: capture.status === 'succeeded' ? 'succeeded' : 'pending',
      amountCaptured: fromMollieAmount(capture.amount) ?? op.amount.value,
      providerOperationId: capture.id,
    };
  }

  /**
   * After a partial capture Mollie keeps the rest of the authorization held on the card until
   * it expires (release-authorization: a payment with a successful capture stays `authorized`
   * until released, then becomes `paid`). A payment here is captured once, so the rest is
   * released, best effort: the capture stands whatever this answers.
   * - Only after the capture succeeded: the spec says what a release does with a successful
   *   capture (`paid`) or none (`canceled`), not with a pending one, which it might void.
   * - Mollie's payment says what is held (mollieHeldRest): nothing after a full capture, nor
   *   when Mollie closed the payment itself, where a release would be refused (422).
   * - No `testmode`: with an API key, the only credential here, the spec says not to send it.
   */
  private async releaseRest(ctx: ProviderCallContext, op: OperationRequest): Promise<void> {
    const path = `/v2/payments/${encodeURIComponent(op.providerPaymentId)}`;
    try {
      const payment = await this.api.call<MolliePayment>(ctx, 'GET', path);
      const rest = mollieHeldRest(payment);
      if (rest === 0) return;
      const response = await this.api.send(ctx, {
        method: 'POST',
        path: `${path}/release-authorization`,
        idempotencyKey: `${op.idempotencyKey}-release`,
      });
      // 202 without a body: Mollie releases asynchronously, then calls the payment's webhook.
      if (response.status < 200 || response.status >= 300) throw mollieError(response);
      this.logger.log({
        msg: 'asked Mollie to release the rest of a partially captured authorization',
        paymentId: op.paymentId,
        operationId: op.id,
        released: { value: rest, currency: payment.amount.currency },
      });
    } catch (error) {
      this.logger.warn({
        msg: 'the rest of a partially captured authorization was not released at Mollie',
        paymentId: op.paymentId,
        operationId: op.id,
        code: error instanceof ProviderError ? error.code : 'error',
        error: redactText((error as Error).message),
      });
    }
  }

  /**
   * Mollie cancels only while the payment's `isCancelable` is true (cancel-payment: depends on
   * the method; an open card or iDEAL payment is not, it expires instead). Asked first, so that
   * the shop gets a refusal that says why, and no DELETE is sent that Mollie must refuse.
   */
  async cancel(ctx: ProviderCallContext, op: OperationRequest): Promise<CancelResult> {
    const current = await this.api.call<MolliePayment>(
      ctx,
      'GET',
      `/v2/payments/${encodeURIComponent(op.providerPaymentId)}`,
    );
    if (current.isCancelable === false)
      throw new ProviderError(
        'invalid_request',
        `Mollie cannot cancel payment ${current.id} (status ${current.status}, method ${current.method ?? 'not chosen yet'}): ` +
          'it is not cancelable at Mollie' +
          (current.status === 'open' ? '; it expires unless the customer pays' : ''),
        422,
      );
    const payment = await this.api.call<MolliePayment>(
      ctx,
      'DELETE',
      `/v2/payments/${encodeURIComponent(op.providerPaymentId)}`,
      undefined,
      op.idempotencyKey,
    );
    return { status: payment.status === 'canceled' ? 'succeeded' : 'pending' };
  }

  async refund(ctx: ProviderCallContext, op: OperationRequest): Promise<RefundResult> {
    const refund = await this.api.call<MollieRefund>(
      ctx,
      'POST',
      `/v2/payments/${encodeURIComponent(op.providerPaymentId)}/refunds`,
      {
        amount: toMollieAmount(op.amount),
        description: (op.reason ?? `Refund ${op.id}`).slice(0, 140),
        metadata: { refundId: op.id },
      },
      op.idempotencyKey,
    );
    return {
      providerRefundId: refund.id,
      status: mapPspStatus(MOLLIE_REFUND_STATUS_MAP, refund.status) ?? 'pending',
    };
  }

  /** Mollie signs nothing: every delivery is unverified, and only ever names a payment to fetch. */
  readonly unsignedWebhooks = true;

  /** By its id once known, else from the payment's refund list by metadata.refundId (Mollie's advice after a lost answer). */
  async getRefund(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderRefundState | null> {
    const base = `/v2/payments/${encodeURIComponent(op.providerPaymentId)}/refunds`;
    if (op.providerOperationId)
      return mollieRefundState(
        await this.api.call<MollieRefund>(
          ctx,
          'GET',
          `${base}/${encodeURIComponent(op.providerOperationId)}`,
        ),
      );
    const list = await this.api.call<MollieList<'refunds', MollieRefund>>(
      ctx,
      'GET',
      `${base}?limit=${MOLLIE_MAX_PAGE}`,
    );
    const found = list._embedded?.refunds?.find((refund) => refund.metadata?.refundId === op.id);
    return found ? mollieRefundState(found) : null;
  }

  async getCapture(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderOperationState | null> {
    const base = `/v2/payments/${encodeURIComponent(op.providerPaymentId)}/captures`;
    const capture = op.providerOperationId
      ? await this.api.call<MollieCapture>(
          ctx,
          'GET',
          `${base}/${encodeURIComponent(op.providerOperationId)}`,
        )
      : (
          await this.api.call<MollieList<'captures', MollieCapture>>(
            ctx,
            'GET',
            `${base}?limit=${MOLLIE_MAX_PAGE}`,
          )
        )._embedded?.captures?.find((c) => c.metadata?.operationId === op.id);
    if (!capture) return null;
    const state = mollieCaptureState(capture);
    // Found standing after its answer was lost, or after it was pending: only now is the rest
    // of the authorization known to be free (see releaseRest).
    if (state.status === 'succeeded') await this.releaseRest(ctx, op);
    return state;
  }

  /** A cancel is the payment's own status: canceled, still cancelable (not done), or past it. */
  async getCancellation(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderOperationState | null> {
    const payment = await this.api.call<MolliePayment>(
      ctx,
      'GET',
      `/v2/payments/${encodeURIComponent(op.providerPaymentId)}`,
    );
    if (payment.status === 'canceled')
      return { status: 'succeeded', providerStatus: payment.status };
    // Still cancelable: not canceled yet. Open but not cancelable: no cancel can have worked.
    const notYetFinal = ['open', 'pending', 'authorized'].includes(payment.status);
    if (notYetFinal && payment.isCancelable !== false) return null;
    const why = notYetFinal ? `${payment.status} and not cancelable` : payment.status;
    return {
      status: 'failed',
      providerStatus: payment.status,
      failure: { code: 'not_cancelable', message: `the payment is ${why} at Mollie` },
    };
  }

  /** Mollie does not sign webhooks; only the shape is checked, the content is fetched. */
  async verifyWebhook(_ctx: ProviderCallContext, webhook: InboundWebhook): Promise<void> {
    const id = this.webhookPaymentId(webhook);
    if (!id) throw new WebhookVerificationError('Mollie webhook without a payment id (id=tr_…)');
  }

  webhookReferences(webhook: InboundWebhook): WebhookReference[] {
    const id = this.webhookPaymentId(webhook);
    return id ? [{ providerPaymentId: id }] : [];
  }

  parseWebhook(_ctx: ProviderCallContext, webhook: InboundWebhook): WebhookNotification[] {
    const id = this.webhookPaymentId(webhook);
    return id ? [{ providerPaymentId: id, fetchState: true }] : [];
  }

  /**
   * The local payment's state and refunds, fetched from Mollie with its chargebacks (the webhook
   * itself says nothing).
   */
  async completeWebhookNotification(
    ctx: ProviderCallContext,
    _notification: WebhookNotification,
    local: WebhookPaymentView,
  ): Promise<WebhookNotification[]> {
    let payment: MolliePayment;
    try {
      payment = await this.api.call<MolliePayment>(
        ctx,
        'GET',
        `/v2/payments/${encodeURIComponent(local.providerPaymentId)}?${STATE_EMBED}`,
      );
    } catch (error) {
      // Mollie does not know it (any more): nothing to apply, nothing to retry.
      if (error instanceof ProviderError && error.code === 'not_found') return [];
      throw error;
    }
    const refunds = payment._embedded?.refunds ?? [];
    const state = this.mapped(payment);
    const amount = fromMollieAmount(payment.amount);
    // Mollie's own answer, checked against the payment all the same.
    const identity = {
      providerPaymentId: payment.id,
      ...(payment.metadata?.paymentId ? { paymentId: payment.metadata.paymentId } : {}),
      ...(amount !== undefined
        ? {
            signedAmount: {
              money: { value: amount, currency: payment.amount.currency },
              rule: 'equals' as const,
            },
          }
        : {}),
    };
    // A refunded payment stays `paid` at Mollie; re-reporting that after our refunds would
    // only add an ignored "partially_refunded → paid" event. The refunds carry the news, unless
    // the payment is not paid here yet (its `paid` webhook was lost): then `paid` comes first.
    const paidHere = !['pending', 'authorized'].includes(local.status);
    const paymentNews = !(refunds.length > 0 && state.status === 'paid' && paidHere);
    return [
      ...(paymentNews ? [{ ...identity, payment: state }] : []),
      ...refunds.map((refund) => ({ ...identity, refund: mollieRefundState(refund) })),
    ];
  }

  webhookAck(): WebhookAck {
    return { status: 200, contentType: 'text/plain', body: '' };
  }

  /** Every Mollie delivery is `id=tr_…`, the same for every change: never dedupe by body. */
  webhookDedupeKey(): string | null {
    return null;
  }

  private webhookPaymentId(webhook: InboundWebhook): string | null {
    const contentType = webhook.headers['content-type'] ?? '';
    if (!contentType.startsWith('application/x-www-form-urlencoded')) return null;
    const id = new URLSearchParams(webhook.rawBody.toString('utf8')).get('id');
    return id && PAYMENT_ID.test(id) ? id : null;
  }

  private mapped(payment: MolliePayment): ProviderPaymentState {
    const state = molliePaymentState(payment);
    if (state.status === null)
      this.logger.warn({ msg: 'unknown Mollie status ignored', providerStatus: payment.status });
    return state;
  }
}
