import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { PAYMENT_METHODS } from '../../payments/payment-status';
import type { PaymentStatus } from '../../payments/payment-status';
import { ProviderError, WebhookVerificationError } from '../provider-error';
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
import { TestProviderLedger } from './test-provider.ledger';
import { TEST_SIGNATURE_HEADER, TestWebhookSigner } from './test-webhook.signer';
import type { Money } from '../../common/money/money';
import { newId } from '../../common/ids/id';

export const TEST_PROVIDER_ACCOUNT_ID = 'test';

/** The test PSP's own statuses, mapped to ours. */
export const TEST_STATUS_MAP: Record<string, PaymentStatus> = {
  open: 'pending',
  pending: 'pending',
  authorized: 'authorized',
  paid: 'paid',
  failed: 'failed',
  canceled: 'canceled',
  expired: 'expired',
};

export interface TestWebhookBody {
  id: string;
  type: 'payment.updated';
  createdAt: string;
  data: { id: string; status: string; amount: Money; amountCaptured: number };
}

/**
 * A built-in PSP for development: hosted checkout page on the internal listener, signed
 * webhooks over real HTTP, capture, cancel and refunds. `settings.failureMode` makes it fail
 * like a real PSP does (`unavailable`: retryable 503; `decline`: final decline).
 */
@Injectable()
export class TestProvider implements PaymentProvider {
  readonly name = 'test';
  readonly capabilities = {
    currencies: 'any' as const,
    methods: PAYMENT_METHODS,
    manualCapture: true,
    partialCapture: true,
    cancel: true,
    refunds: true,
    partialRefunds: true,
    multipleRefunds: true,
    polling: true,
  };

  constructor(
    private readonly ledger: TestProviderLedger,
    private readonly signer: TestWebhookSigner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  validateCredentials(): { field: string; message: string }[] {
    return [];
  }

  checkoutUrl(id: string): string {
    return `${this.config.server.internalUrl}/test-provider/checkout/${id}`;
  }

  async createPayment(
    ctx: ProviderCallContext,
    request: CreatePaymentRequest,
  ): Promise<CreatePaymentResult> {
    const failureMode = ctx.account.settings.failureMode ?? 'none';
    if (failureMode === 'unavailable') {
      throw new ProviderError(
        'provider_unavailable',
        'test provider is temporarily unavailable (failureMode=unavailable)',
        503,
      );
    }
    if (failureMode === 'decline') {
      throw new ProviderError(
        'declined',
        'test provider declined the payment (failureMode=decline)',
        402,
      );
    }
    if (ctx.account.baseUrl) await this.callUpstream(ctx, request);
    const row = await this.ledger.open({
      accountId: ctx.account.id,
      amountValue: request.amount.value,
      currency: request.amount.currency,
      description: request.description,
      captureMode: request.captureMode,
      returnUrl: request.returnUrl,
      cancelUrl: request.cancelUrl,
    });
    return { providerPaymentId: row.id, checkoutUrl: this.checkoutUrl(row.id) };
  }

  /**
   * With a `baseUrl` the test provider first announces the payment there over real HTTP, through
   * the core's HTTP client (timeouts included): a local server that hangs or answers 5xx then
   * behaves like a slow or failing PSP. Any 2xx lets the payment proceed.
   */
  private async callUpstream(
    ctx: ProviderCallContext,
    request: CreatePaymentRequest,
  ): Promise<void> {
    const response = await ctx.http.request({
      method: 'POST',
      url: `${ctx.account.baseUrl}/payments`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ paymentId: request.paymentId, amount: request.amount }),
    });
    if (response.status < 200 || response.status > 299) {
      throw ProviderError.fromHttpStatus(
        response.status,
        `test provider upstream answered HTTP ${response.status}`,
      );
    }
  }

  async getPayment(
    ctx: ProviderCallContext,
    providerPaymentId: string,
  ): Promise<ProviderPaymentState> {
    const row = await this.ledger.get(providerPaymentId, ctx.account.id);
    return {
      providerPaymentId: row.id,
      status: TEST_STATUS_MAP[row.status] ?? null,
      providerStatus: row.status,
      amountCaptured: row.amountCaptured || undefined,
    };
  }

  async capture(
    ctx: ProviderCallContext,
    providerPaymentId: string,
    amount: Money,
  ): Promise<CaptureResult> {
    const row = await this.ledger.get(providerPaymentId, ctx.account.id);
    if (row.status !== 'authorized')
      throw new ProviderError('invalid_request', `cannot capture a ${row.status} payment`, 422);
    if (amount.value > row.amountValue)
      throw new ProviderError('invalid_request', 'capture exceeds the authorized amount', 422);
    await this.ledger.update(row, { status: 'paid', amountCaptured: amount.value });
    return { status: 'succeeded', amountCaptured: amount.value };
  }

  async cancel(ctx: ProviderCallContext, providerPaymentId: string): Promise<CancelResult> {
    const row = await this.ledger.get(providerPaymentId, ctx.account.id);
    if (!['open', 'pending', 'authorized'].includes(row.status)) {
      throw new ProviderError('invalid_request', `cannot cancel a ${row.status} payment`, 422);
    }
    await this.ledger.update(row, { status: 'canceled' });
    return { status: 'succeeded' };
  }

  async refund(
    ctx: ProviderCallContext,
    providerPaymentId: string,
    amount: Money,
  ): Promise<RefundResult> {
    const row = await this.ledger.get(providerPaymentId, ctx.account.id);
    if (row.status !== 'paid')
      throw new ProviderError('invalid_request', `cannot refund a ${row.status} payment`, 422);
    if (amount.value > row.amountCaptured - row.amountRefunded) {
      throw new ProviderError('invalid_request', 'refund exceeds the captured amount', 422);
    }
    await this.ledger.update(row, { amountRefunded: row.amountRefunded + amount.value });
    return { providerRefundId: newId('tpre'), status: 'succeeded' };
  }

  async verifyWebhook(ctx: ProviderCallContext, webhook: InboundWebhook): Promise<void> {
    if (
      !this.signer.verify(ctx.account.id, webhook.rawBody, webhook.headers[TEST_SIGNATURE_HEADER])
    ) {
      throw new WebhookVerificationError('bad or missing Test-Signature');
    }
  }

  async parseWebhook(
    _ctx: ProviderCallContext,
    webhook: InboundWebhook,
  ): Promise<WebhookNotification[]> {
    const body = JSON.parse(webhook.rawBody.toString('utf8')) as TestWebhookBody;
    return [
      {
        providerPaymentId: body.data.id,
        payment: {
          providerPaymentId: body.data.id,
          status: TEST_STATUS_MAP[body.data.status] ?? null,
          providerStatus: body.data.status,
          amountCaptured: body.data.amountCaptured || undefined,
        },
      },
    ];
  }

  webhookAck(): WebhookAck {
    return { status: 200, contentType: 'application/json', body: '{"received":true}' };
  }
}
