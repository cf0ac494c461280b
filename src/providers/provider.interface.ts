import type { FieldError } from '../common/errors/domain-error';
import type { Money } from '../common/money/money';
import type {
  CaptureMode,
  PaymentMethod,
  PaymentStatus,
  RefundStatus,
} from '../payments/payment-status';
import type { CustomerInfo } from '../payments/entities/payment.entity';
import type { ProviderHttpClient } from './provider-http.client';

/** Everything a connector needs for one call; connectors keep no state between calls. */
export interface ProviderCallContext {
  account: {
    id: string;
    provider: string;
    credentials: Record<string, string>;
    settings: Record<string, unknown>;
    baseUrl: string | null;
    testMode: boolean;
  };
  /** The URL this account's webhooks must be sent to. */
  webhookUrl: string;
  http: ProviderHttpClient;
  /** How long this call may take (PAYMENTSERVER_PROVIDER_TIMEOUT_MS, less when a time budget is nearly spent); `http` applies it itself, SDK-based connectors pass it to their client. */
  timeoutMs?: number;
}

export interface ProviderCapabilities {
  /** ISO codes, or 'any'. */
  currencies: readonly string[] | 'any';
  methods: readonly PaymentMethod[];
  manualCapture: boolean;
  partialCapture: boolean;
  cancel: boolean;
  refunds: boolean;
  partialRefunds: boolean;
  multipleRefunds: boolean;
  /** The payment status can be fetched (reconciliation, unverifiable webhooks). */
  polling: boolean;
}

export interface CreatePaymentRequest {
  paymentId: string;
  amount: Money;
  description: string;
  reference: string;
  returnUrl: string;
  cancelUrl: string | null;
  method: PaymentMethod | null;
  captureMode: CaptureMode;
  customer: CustomerInfo | null;
  metadata: Record<string, string> | null;
}

export interface CreatePaymentResult {
  providerPaymentId: string;
  checkoutUrl: string;
  /** Set when the provider already reports something beyond `pending`. */
  status?: PaymentStatus;
}

/** The provider's view of a payment, mapped to ours; `status: null` for statuses we do not map. */
export interface ProviderPaymentState {
  providerPaymentId: string;
  status: PaymentStatus | null;
  providerStatus: string;
  amountCaptured?: number;
  failure?: { code: string; message: string };
  /**
   * The provider's id for later operations when it differs from providerPaymentId (Adyen's
   * pspReference of the authorisation). Stored once; later webhooks may name the payment by it.
   */
  providerReference?: string;
}

export interface ProviderRefundState {
  providerRefundId: string;
  /** Our refund id when the provider echoes it back (merchant reference). */
  refundId?: string;
  status: RefundStatus | null;
  providerStatus: string;
  amount?: number;
}

export interface CaptureResult {
  /** succeeded: captured now; pending: the outcome comes by webhook. */
  status: 'succeeded' | 'pending';
  amountCaptured: number;
}

export interface CancelResult {
  status: 'succeeded' | 'pending';
}

export interface RefundResult {
  providerRefundId: string;
  status: RefundStatus;
}

export interface InboundWebhook {
  headers: Record<string, string>;
  rawBody: Buffer;
}

/** What one webhook delivery tells us. */
export interface WebhookNotification {
  providerPaymentId: string;
  payment?: ProviderPaymentState;
  refund?: ProviderRefundState;
  /** The provider only says "something changed": fetch the state (Mollie). */
  fetchState?: boolean;
}

export interface WebhookAck {
  status: number;
  contentType: string;
  body: string;
}

/**
 * A payment service provider connector: it translates our requests into the PSP's wire
 * format and the PSP's answers and webhooks back. Transport, timeouts, persistence and
 * routing live in the core.
 */
export interface PaymentProvider {
  readonly name: string;
  readonly capabilities: ProviderCapabilities;

  /** Problems with a credentials object, as field messages; empty when valid. */
  validateCredentials(credentials: Record<string, unknown>): FieldError[];

  createPayment(
    ctx: ProviderCallContext,
    request: CreatePaymentRequest,
  ): Promise<CreatePaymentResult>;
  getPayment(ctx: ProviderCallContext, providerPaymentId: string): Promise<ProviderPaymentState>;
  capture(
    ctx: ProviderCallContext,
    providerPaymentId: string,
    amount: Money,
    paymentId: string,
    providerReference?: string | null,
  ): Promise<CaptureResult>;
  cancel(
    ctx: ProviderCallContext,
    providerPaymentId: string,
    providerReference?: string | null,
  ): Promise<CancelResult>;
  refund(
    ctx: ProviderCallContext,
    providerPaymentId: string,
    amount: Money,
    refundId: string,
    reason: string | null,
    providerReference?: string | null,
  ): Promise<RefundResult>;

  /** Throws WebhookVerificationError when the delivery is not authentic. */
  verifyWebhook(ctx: ProviderCallContext, webhook: InboundWebhook): Promise<void>;
  parseWebhook(ctx: ProviderCallContext, webhook: InboundWebhook): Promise<WebhookNotification[]>;
  /** The answer the PSP expects for an accepted delivery. */
  webhookAck(): WebhookAck;

  /**
   * Optional: what identifies a delivery as an exact repeat (default: the raw body). Return
   * null when the body cannot tell two changes apart (Mollie posts the same `id=tr_…` for
   * every change); each such delivery is then applied, which is safe because the state is
   * fetched from the PSP and the state machine ignores a repeat of the current status.
   */
  webhookDedupeKey?(webhook: InboundWebhook): string | null;
}

export const PAYMENT_PROVIDERS = Symbol('PAYMENT_PROVIDERS');
