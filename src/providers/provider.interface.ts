import type { Money } from '../common/money/money';
import type {
  CaptureMode,
  PaymentMethod,
  PaymentStatus,
  RefundStatus,
} from '../domain/payment-status';
import type { CustomerInfo } from '../domain/customer';
import type { Address, OrderLine } from '../domain/order-details';
import type { ProviderHttpClient } from './provider-http.client';
import type { PaymentFeatures } from './capabilities';
import type { ConnectorDescription } from './connector/credential-schema';
import type { ConnectionCheck } from './connector/connection-check';
import type { WriteSink } from '../database/transaction.service';

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
  /**
   * Only for a provider that keeps its books in this database (the built-in test provider):
   * its writes go here and commit with the core's record of the call (one commit, not two).
   */
  localWrites?: WriteSink;
}

/**
 * What a provider can do, as data: checked only by `refusal`/`supports` (./capabilities.ts).
 * The features are the provider's defaults; `byMethod` lists a method's exceptions (Mollie
 * captures only card and Klarna payments separately).
 */
export interface ProviderCapabilities extends PaymentFeatures {
  /** ISO codes, or 'any'. */
  currencies: readonly string[] | 'any';
  methods: readonly PaymentMethod[];
  /** Per method, the features that differ from the defaults. */
  byMethod?: Readonly<Partial<Record<PaymentMethod, Partial<PaymentFeatures>>>>;
  /** Methods that take only some of `currencies` (iDEAL only EUR, say); the rest take all. */
  currenciesByMethod?: Readonly<Partial<Record<PaymentMethod, readonly string[]>>>;
  /**
   * The smallest payment the PSP takes, per currency, in integer minor units (Stripe: 50 for
   * EUR); a currency not listed has no minimum here. Checked for a new payment's amount.
   */
  minimumAmounts?: Readonly<Partial<Record<string, number>>>;
  /** The payment status can be fetched (reconciliation, unverifiable webhooks). */
  polling: boolean;
  /** How far ahead a payment's `expiresAt` may be; absent: the provider is not sent one. */
  expiry?: { minSeconds: number; maxSeconds: number };
}

export interface CreatePaymentRequest {
  paymentId: string;
  /**
   * When the payment was created here: the same on every attempt and retry, unlike the clock
   * (a PSP that compares a retried request's parameters with the first one's needs that).
   */
  createdAt?: Date;
  amount: Money;
  description: string;
  reference: string;
  returnUrl: string;
  cancelUrl: string | null;
  method: PaymentMethod | null;
  captureMode: CaptureMode;
  customer: CustomerInfo | null;
  metadata: Record<string, string> | null;
  /** Order lines; their totalAmounts add up to `amount` (checked before any connector sees them). */
  lines?: OrderLine[] | null;
  billingAddress?: Address | null;
  shippingAddress?: Address | null;
  /** The hosted checkout must stop accepting after it (in the future, within the PSP's limit). */
  expiresAt?: Date | null;
}

export interface CreatePaymentResult {
  providerPaymentId: string;
  checkoutUrl: string;
  /** Set when the provider already reports something beyond `pending`. */
  status?: PaymentStatus;
  /** What the customer paid with, when the provider already knows it at creation. */
  methodUsed?: string;
}

/** The provider's view of a payment, mapped to ours; `status: null` for statuses we do not map. */
export interface ProviderPaymentState {
  providerPaymentId: string;
  status: PaymentStatus | null;
  providerStatus: string;
  amountCaptured?: number;
  failure?: { code: string; message: string };
  /** What the customer actually paid with, in the provider's own words (Mollie `creditcard`, Adyen `visa`), once it says. */
  methodUsed?: string;
  /**
   * The provider's id for later operations when it differs from providerPaymentId (Adyen's
   * pspReference of the authorisation). Stored once; later webhooks may name the payment by it.
   */
  providerReference?: string;
  /**
   * The PSP reports a chargeback reversed: the dispute won, the money back with the merchant
   * (Adyen CHARGEBACK_REVERSED, Stripe charge.dispute.closed `won`). `status` is then the
   * `charged_back` the dispute was about. No status can show it (`charged_back` is final), so
   * it changes none: it is recorded as ignored and the payment marked for an operator.
   */
  chargebackReversed?: boolean;
}

export interface ProviderRefundState {
  providerRefundId: string;
  /** Our refund id when the provider echoes it back (merchant reference). */
  refundId?: string;
  status: RefundStatus | null;
  providerStatus: string;
  amount?: number;
  /** Why the provider refused it or reports it failed, when it says. */
  failure?: { code: string; message: string };
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

/**
 * A capture or cancel as a verified webhook reports it (Adyen CAPTURE, CANCELLATION,
 * CAPTURE_FAILED): it settles the payment's open operation of that type that it is about, and
 * a success moves the payment (paid, canceled) even when no operation of ours was open (one
 * made in the PSP's own dashboard).
 */
export interface WebhookOperationReport {
  type: 'capture' | 'cancel';
  status: 'succeeded' | 'failed';
  providerStatus: string;
  /** The PSP's id of this capture or cancellation, as signed; an open operation whose answer named another is not this one. */
  providerOperationId: string;
  /** Captures: the amount, as signed (our minor units). */
  amount?: number;
  failure?: { code: string; message: string };
}

export interface InboundWebhook {
  headers: Record<string, string>;
  rawBody: Buffer;
}

/**
 * What a webhook body names, read without any I/O. From an unverified body it is only a
 * hint of which local payment to poll (never trusted); from a verified one it is what the PSP
 * signed. Every id given must lead to the same local payment.
 */
export interface WebhookReference {
  /** Our payment id (Adyen merchantReference, Stripe client_reference_id, PayPal custom_id, MultiSafepay order_id). */
  paymentId?: string;
  /** The provider's id of the payment, or its later reference (Adyen pspReference, Stripe PaymentIntent). */
  providerPaymentId?: string;
  /** Our refund id, where the PSP echoes it (Adyen REFUND merchantReference, PayPal refund custom_id). */
  refundId?: string;
  /** The provider's refund id (Mollie re_…). */
  providerRefundId?: string;
}

/** Items a webhook body may carry; a body with more is refused before any item is checked. */
export const WEBHOOK_MAX_ITEMS = 50;

/** How a signed amount must relate to the payment's: a whole authorisation, or a part of it. */
export type SignedAmountRule = 'equals' | 'at_most';

/** Why a verified item was not applied (a metric label, so a small fixed set). */
export type WebhookMismatch =
  'payment_mismatch' | 'amount_mismatch' | 'currency_mismatch' | 'merchant_account_mismatch';

/** What one item of a verified webhook tells us, read by parseWebhook without any I/O. */
export interface WebhookNotification extends WebhookReference {
  /** The amount the PSP signed for this item, checked against the payment before anything is applied. */
  signedAmount?: { money: Money; rule: SignedAmountRule };
  /** The connector already knows the item contradicts this account (another merchant account). */
  mismatch?: { reason: WebhookMismatch; detail: string };
  payment?: ProviderPaymentState;
  refund?: ProviderRefundState;
  operation?: WebhookOperationReport;
  /** The provider only says "something changed": fetch the payment's state (with getPayment). */
  fetchState?: boolean;
  /**
   * The signed fields name the payment only through a provider object this server does not
   * store (a PayPal refund names its capture): resolveWebhookPayment finds the payment's
   * provider id with this, for a verified delivery, during processing.
   */
  lookup?: string;
  /** Details a connector carries from parseWebhook to its completeWebhookNotification. */
  detail?: Record<string, string>;
}

/** The local payment a verified notification was found to be about (after the checks). */
export interface WebhookPaymentView {
  id: string;
  providerPaymentId: string;
  providerReference: string | null;
  captureMode: CaptureMode;
  amount: Money;
  status: PaymentStatus;
}

/** What verification may spend; the intake grants it only for bodies naming a local payment, within a budget. */
export interface WebhookVerificationIo {
  /** Asks for one network request (a certificate download); false: verify without it or fail. */
  mayFetch(): Promise<boolean>;
}

export interface WebhookAck {
  status: number;
  contentType: string;
  body: string;
}

/** What the core knows of a payment when it asks its provider about it. */
export interface KnownPayment {
  /** When the payment was created here (before its provider call). */
  createdAt: Date;
}

/**
 * A payment service provider connector: it translates our requests into the PSP's wire
 * format and the PSP's answers and webhooks back. Transport, timeouts, persistence and
 * routing live in the core.
 */
export interface PaymentProvider {
  readonly name: string;
  readonly capabilities: ProviderCapabilities;

  /** Label, help and credential schema: validation, Swagger and the dashboard form come from it. */
  readonly description: ConnectorDescription;

  /** One cheap authenticated read-only request: do these credentials work (admin test connection)? */
  testConnection(ctx: ProviderCallContext): Promise<ConnectionCheck>;

  createPayment(
    ctx: ProviderCallContext,
    request: CreatePaymentRequest,
  ): Promise<CreatePaymentResult>;
  /**
   * Optional: true when a create for this account has no effect outside this database (the
   * test provider without a `baseUrl`: only its ledger rows, through `localWrites`). The core
   * then stores the new payment together with the call's outcome in one transaction instead of
   * committing it as pending first: a crash mid-call leaves nothing, as nothing happened
   * anywhere else either. Absent or false: the pending payment is committed before the call.
   */
  createStaysLocal?(account: ProviderCallContext['account']): boolean;
  /**
   * The payment's state at the provider. `known` is what we know of the payment here: a
   * connector whose PSP answers the same for "forgotten after its lifetime" and "not yours"
   * (PayPal's 404) tells them apart by its age.
   */
  getPayment(
    ctx: ProviderCallContext,
    providerPaymentId: string,
    known?: KnownPayment,
  ): Promise<ProviderPaymentState>;
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

  /**
   * Throws WebhookVerificationError when the delivery is not authentic. Costs no provider call;
   * a connector that must download something to verify (PayPal's certificate) asks `io` first.
   */
  verifyWebhook(
    ctx: ProviderCallContext,
    webhook: InboundWebhook,
    io?: WebhookVerificationIo,
  ): Promise<void>;
  /**
   * The payments a body names, at most `maxItems` items of it, without any I/O and without
   * trusting it: for an unverified body the intake polls the local ones (within a budget).
   * Never throws: an unreadable body names nothing.
   */
  webhookReferences(webhook: InboundWebhook, maxItems: number): WebhookReference[];
  /** A verified delivery's items, without any I/O: what the PSP signed, mapped to ours. */
  parseWebhook(ctx: ProviderCallContext, webhook: InboundWebhook): WebhookNotification[];
  /**
   * Optional: provider calls one verified item needs once its local payment is known and has
   * passed the checks (Mollie: fetch the payment and its refunds; Adyen: a refusal expires the
   * payment link; the stored capture mode decides paid or authorized). Returns what to apply.
   */
  completeWebhookNotification?(
    ctx: ProviderCallContext,
    notification: WebhookNotification,
    payment: WebhookPaymentView,
  ): Promise<WebhookNotification[]>;
  /** Optional: the provider payment id behind a verified item's `lookup` (one authenticated call). */
  resolveWebhookPayment?(
    ctx: ProviderCallContext,
    notification: WebhookNotification,
  ): Promise<string | null>;
  /** The answer the PSP expects for an accepted delivery. */
  webhookAck(): WebhookAck;

  /**
   * Optional: what identifies a delivery as an exact repeat (default: the raw body). Return
   * null when the body cannot tell two changes apart (Mollie posts the same `id=tr_…` for
   * every change); each such delivery is then applied, which is safe because the state is
   * fetched from the PSP and the state machine ignores a repeat of the current status.
   */
  webhookDedupeKey?(webhook: InboundWebhook): string | null;
  /**
   * True when the PSP signs nothing (Mollie): every delivery is unverified, so it is stored
   * and fetched only when it names a local payment or refund, within the poll budget.
   */
  readonly unsignedWebhooks?: boolean;
}

export const PAYMENT_PROVIDERS = Symbol('PAYMENT_PROVIDERS');
