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

/**
 * One capture, cancel or refund as the connector sends it, on the first attempt and on every
 * retry alike: the same `idempotencyKey` each time, so a PSP that stores keys answers a repeat
 * with the first result instead of doing it twice.
 */
export interface OperationRequest {
  /** Our id of the operation: the refund id, or the capture/cancel operation id (op_…). */
  id: string;
  paymentId: string;
  providerPaymentId: string;
  /** The provider's id for later operations when it differs (Adyen: the authorisation's pspReference). */
  providerReference: string | null;
  /** The capture or refund amount; for a cancel, the payment's amount. */
  amount: Money;
  /** The PSP's idempotency key (Idempotency-Key, PayPal-Request-Id); stable across retries. */
  idempotencyKey: string;
  /** The PSP's id of this capture or refund, once an earlier answer named it. */
  providerOperationId: string | null;
  /** Refunds: the shop's reason, if any. */
  reason?: string | null;
}

export interface CaptureResult {
  /** succeeded: captured now; pending: accepted, the outcome comes by webhook or poll. */
  status: 'succeeded' | 'pending';
  amountCaptured: number;
  providerOperationId?: string;
}

export interface CancelResult {
  status: 'succeeded' | 'pending';
  providerOperationId?: string;
}

export interface RefundResult {
  providerRefundId: string;
  status: RefundStatus;
}

/**
 * A capture or cancel as the provider reports it when asked. `succeeded`/`failed` settle our
 * operation; `pending` means the provider has it and is still working on it.
 */
export interface ProviderOperationState {
  status: 'pending' | 'succeeded' | 'failed';
  providerStatus: string;
  providerOperationId?: string;
  /** Captures: the amount captured. */
  amountCaptured?: number;
  failure?: { code: string; message: string };
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
  capture(ctx: ProviderCallContext, operation: OperationRequest): Promise<CaptureResult>;
  cancel(ctx: ProviderCallContext, operation: OperationRequest): Promise<CancelResult>;
  refund(ctx: ProviderCallContext, operation: OperationRequest): Promise<RefundResult>;

  /*
   * Lookups for operations whose answer was lost or is still open, where the PSP has an API
   * for them (optional: a connector without one relies on its idempotency key and webhooks).
   * Each finds the operation by what an earlier answer named (providerOperationId) or by our
   * id. `null`: the PSP has no such operation, so sending it (again) is safe. `undefined`: the
   * PSP cannot tell for this one (as if the method were missing).
   */
  getRefund?(
    ctx: ProviderCallContext,
    operation: OperationRequest,
  ): Promise<ProviderRefundState | null | undefined>;
  getCapture?(
    ctx: ProviderCallContext,
    operation: OperationRequest,
  ): Promise<ProviderOperationState | null | undefined>;
  getCancellation?(
    ctx: ProviderCallContext,
    operation: OperationRequest,
  ): Promise<ProviderOperationState | null | undefined>;

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
