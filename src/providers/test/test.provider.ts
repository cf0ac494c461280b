import { Inject, Injectable } from '@nestjs/common';
import { TEST_CAPABILITIES, TEST_DESCRIPTION } from './test-provider.declaration';
import type { ConnectionCheck } from '../connector/connection-check';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import type { PaymentStatus } from '../../domain/payment-status';
import { ProviderError, WebhookVerificationError } from '../provider-error';
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
  WebhookNotification,
  WebhookReference,
} from '../provider.interface';
import { TestProviderLedger } from './test-provider.ledger';
import { TEST_SIGNATURE_HEADER, TestWebhookSigner } from './test-webhook.signer';
import type { Money } from '../../common/money/money';
import type { TestProviderOperation, TestProviderPayment } from './test-provider-payment.entity';
import { newId } from '../../common/ids/id';

export const TEST_PROVIDER_ACCOUNT_ID = 'test';

const OPERATION_ID_PREFIX = { capture: 'tpcp', cancel: 'tpcn', refund: 'tpre' } as const;

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
  data: {
    id: string;
    status: string;
    amount: Money;
    amountCaptured: number;
    /** The method chosen at checkout; absent before. */
    method?: string;
  };
}

/**
 * A built-in PSP for development: hosted checkout page on the internal listener, signed
 * webhooks over real HTTP, capture, cancel and refunds. `settings.failureMode` makes it fail
 * like a real PSP does (`unavailable`: retryable 503; `decline`: final decline);
 * `settings.operationFault` loses the answer to a capture, cancel or refund after doing it.
 */
@Injectable()
export class TestProvider implements PaymentProvider {
  readonly name = 'test';
  readonly capabilities = TEST_CAPABILITIES;

  constructor(
    private readonly ledger: TestProviderLedger,
    private readonly signer: TestWebhookSigner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Nothing to reach: the built-in provider always answers. */
  testConnection(): Promise<ConnectionCheck> {
    return Promise.resolve({
      ok: true,
      outcome: 'ok',
      httpStatus: null,
      message: 'the built-in test provider needs no connection',
      durationMs: 0,
    });
  }

  readonly description = TEST_DESCRIPTION;

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
    const row = await this.ledger.open(
      {
        accountId: ctx.account.id,
        amountValue: request.amount.value,
        currency: request.amount.currency,
        description: request.description,
        captureMode: request.captureMode,
        returnUrl: request.returnUrl,
        cancelUrl: request.cancelUrl,
        method: request.method,
        expiresAt: request.expiresAt ?? null,
      },
      ctx.localWrites,
    );
    return { providerPaymentId: row.id, checkoutUrl: this.checkoutUrl(row.id) };
  }

  /** Without a `baseUrl` a create only writes the ledger, which joins the core's transaction. */
  createStaysLocal(account: ProviderCallContext['account']): boolean {
    return !account.baseUrl;
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
    await this.ledger.expireIfDue(row);
    return {
      providerPaymentId: row.id,
      status: TEST_STATUS_MAP[row.status] ?? null,
      providerStatus: row.status,
      amountCaptured: row.amountCaptured || undefined,
      ...(row.methodUsed ? { methodUsed: row.methodUsed } : {}),
    };
  }

  async capture(ctx: ProviderCallContext, op: OperationRequest): Promise<CaptureResult> {
    const done = await this.once(ctx, op, 'capture', (row) => {
      if (row.status !== 'authorized')
        throw new ProviderError('invalid_request', `cannot capture a ${row.status} payment`, 422);
      if (op.amount.value > row.amountValue)
        throw new ProviderError('invalid_request', 'capture exceeds the authorized amount', 422);
      return { status: 'paid', amountCaptured: op.amount.value };
    });
    return {
      status: 'succeeded',
      amountCaptured: done.amountValue,
      providerOperationId: done.providerId,
    };
  }

  async cancel(ctx: ProviderCallContext, op: OperationRequest): Promise<CancelResult> {
    const done = await this.once(ctx, op, 'cancel', (row) => {
      if (!['open', 'pending', 'authorized'].includes(row.status)) {
        throw new ProviderError('invalid_request', `cannot cancel a ${row.status} payment`, 422);
      }
      return { status: 'canceled' };
    });
    return { status: 'succeeded', providerOperationId: done.providerId };
  }

  async refund(ctx: ProviderCallContext, op: OperationRequest): Promise<RefundResult> {
    const done = await this.once(ctx, op, 'refund', (row) => {
      if (row.status !== 'paid')
        throw new ProviderError('invalid_request', `cannot refund a ${row.status} payment`, 422);
      if (op.amount.value > row.amountCaptured - row.amountRefunded) {
        throw new ProviderError('invalid_request', 'refund exceeds the captured amount', 422);
      }
      return { amountRefunded: row.amountRefunded + op.amount.value };
    });
    return { providerRefundId: done.providerId, status: 'succeeded' };
  }

  async getRefund(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderRefundState | null> {
    const done = this.find(
      await this.ledger.get(op.providerPaymentId, ctx.account.id),
      'refund',
      op.id,
    );
    return done
      ? {
          providerRefundId: done.providerId,
          refundId: op.id,
          status: 'succeeded',
          providerStatus: done.status,
          amount: done.amountValue,
        }
      : null;
  }

  async getCapture(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderOperationState | null> {
    const done = this.find(
      await this.ledger.get(op.providerPaymentId, ctx.account.id),
      'capture',
      op.id,
    );
    return done
      ? {
          status: 'succeeded',
          providerStatus: done.status,
          providerOperationId: done.providerId,
          amountCaptured: done.amountValue,
        }
      : null;
  }

  async getCancellation(
    ctx: ProviderCallContext,
    op: OperationRequest,
  ): Promise<ProviderOperationState | null> {
    const done = this.find(
      await this.ledger.get(op.providerPaymentId, ctx.account.id),
      'cancel',
      op.id,
    );
    return done
      ? { status: 'succeeded', providerStatus: done.status, providerOperationId: done.providerId }
      : null;
  }

  /**
   * Does an operation once per idempotency key, as a PSP that stores keys does: a repeat is
   * answered with the first result. `settings.operationFault` then plays a lost answer after the
   * work is done (`lost_answer`: a timeout; `unavailable_after_work`: a 503), once per key.
   */
  private async once(
    ctx: ProviderCallContext,
    op: OperationRequest,
    type: TestProviderOperation['type'],
    work: (row: TestProviderPayment) => Partial<TestProviderPayment>,
  ): Promise<TestProviderOperation> {
    const { operation, replayed } = await this.ledger.operate(
      op.providerPaymentId,
      ctx.account.id,
      op.idempotencyKey,
      (row) => ({
        changes: work(row),
        operation: {
          type,
          reference: op.id,
          providerId: newId(OPERATION_ID_PREFIX[type]),
          amountValue: op.amount.value,
          status: 'succeeded',
        },
      }),
    );
    const fault = ctx.account.settings.operationFault;
    if (!replayed && fault === 'lost_answer')
      throw new ProviderError(
        'timeout',
        `test provider did the ${type}, then the answer was lost (operationFault=lost_answer)`,
      );
    if (!replayed && fault === 'unavailable_after_work') {
      throw new ProviderError(
        'provider_unavailable',
        `test provider did the ${type}, then answered 503 (operationFault=unavailable_after_work)`,
        503,
      );
    }
    return operation;
  }

  private find(
    row: TestProviderPayment,
    type: TestProviderOperation['type'],
    reference: string,
  ): TestProviderOperation | undefined {
    return Object.values(row.operations ?? {}).find(
      (o) => o.type === type && o.reference === reference,
    );
  }

  async verifyWebhook(ctx: ProviderCallContext, webhook: InboundWebhook): Promise<void> {
    if (
      !this.signer.verify(ctx.account.id, webhook.rawBody, webhook.headers[TEST_SIGNATURE_HEADER])
    ) {
      throw new WebhookVerificationError('bad or missing Test-Signature');
    }
  }

  webhookReferences(webhook: InboundWebhook): WebhookReference[] {
    const id = readBody(webhook)?.data?.id;
    return typeof id === 'string' ? [{ providerPaymentId: id }] : [];
  }

  parseWebhook(_ctx: ProviderCallContext, webhook: InboundWebhook): WebhookNotification[] {
    const body = readBody(webhook);
    if (!body?.data || typeof body.data.id !== 'string') return [];
    const amount = body.data.amount;
    return [
      {
        providerPaymentId: body.data.id,
        ...(amount && Number.isSafeInteger(amount.value)
          ? { signedAmount: { money: amount, rule: 'equals' as const } }
          : {}),
        payment: {
          providerPaymentId: body.data.id,
          status: TEST_STATUS_MAP[body.data.status] ?? null,
          providerStatus: body.data.status,
          amountCaptured: body.data.amountCaptured || undefined,
          ...(typeof body.data.method === 'string' ? { methodUsed: body.data.method } : {}),
        },
      },
    ];
  }

  webhookAck(): WebhookAck {
    return { status: 200, contentType: 'application/json', body: '{"received":true}' };
  }
}

function readBody(webhook: InboundWebhook): TestWebhookBody | undefined {
  try {
    return JSON.parse(webhook.rawBody.toString('utf8')) as TestWebhookBody;
  } catch {
    return undefined;
  }
}
