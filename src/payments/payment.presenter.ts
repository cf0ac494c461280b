import type { Money } from '../common/money/money';
import type { Payment, RoutingDecisionRecord } from './entities/payment.entity';
import type { CustomerInfo } from '../domain/customer';
import type { Address, OrderLine } from '../domain/order-details';
import type { Refund } from './entities/refund.entity';
import type { PaymentEvent } from './entities/payment-event.entity';

export interface PaymentView {
  id: string;
  status: string;
  amount: Money;
  amountCaptured: number;
  amountRefunded: number;
  description: string;
  reference: string;
  method: string | null;
  /** What the customer actually paid with, as the provider reports it; null until known. */
  methodUsed: string | null;
  captureMode: string;
  customer: CustomerInfo | null;
  metadata: Record<string, string> | null;
  lines: OrderLine[] | null;
  billingAddress: Address | null;
  shippingAddress: Address | null;
  expiresAt: string | null;
  returnUrl: string;
  cancelUrl: string | null;
  checkoutUrl: string | null;
  provider: {
    name: string;
    accountId: string;
    paymentId: string | null;
    testMode: boolean | null;
  } | null;
  routing: RoutingDecisionRecord | null;
  failure: { code: string; message: string } | null;
  /** A capture or cancel whose outcome the provider has not settled yet. */
  pendingOperation: PendingOperationView | null;
  createdAt: string;
  updatedAt: string;
}

export interface PendingOperationView {
  id: string;
  type: 'capture' | 'cancel';
  amount: Money | null;
  /** unknown: the provider's answer was lost; accepted: the provider has it; sending: in flight. */
  stage: 'sending' | 'unknown' | 'accepted';
  createdAt: string;
}

export interface RefundView {
  id: string;
  paymentId: string;
  amount: Money;
  status: string;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PaymentEventView {
  type: string;
  fromStatus: string | null;
  toStatus: string;
  source: string;
  ignored: boolean;
  refundId: string | null;
  detail: string | null;
  createdAt: string;
}

/** Entity → the Payment object of the contract. */
export function toPaymentView(payment: Payment): PaymentView {
  return {
    id: payment.id,
    status: payment.status,
    amount: { value: payment.amountValue, currency: payment.currency },
    amountCaptured: payment.amountCaptured,
    amountRefunded: payment.amountRefunded,
    description: payment.description,
    reference: payment.reference,
    method: payment.method,
    methodUsed: payment.methodUsed ?? null,
    captureMode: payment.captureMode,
    customer: payment.customer,
    metadata: payment.metadata,
    lines: payment.orderLines ?? null,
    billingAddress: payment.billingAddress ?? null,
    shippingAddress: payment.shippingAddress ?? null,
    expiresAt: payment.expiresAt ? new Date(payment.expiresAt).toISOString() : null,
    returnUrl: payment.returnUrl,
    cancelUrl: payment.cancelUrl,
    checkoutUrl: payment.checkoutUrl,
    provider: payment.providerAccountId
      ? {
          name: payment.providerName!,
          accountId: payment.providerAccountId,
          paymentId: payment.providerPaymentId,
          testMode: payment.providerTestMode ?? null,
        }
      : null,
    routing: payment.routing,
    failure: payment.failureCode
      ? { code: payment.failureCode, message: payment.failureMessage ?? '' }
      : null,
    pendingOperation: payment.pendingOperation
      ? {
          id: payment.pendingOperation.id,
          type: payment.pendingOperation.type,
          amount:
            payment.pendingOperation.amountValue === null
              ? null
              : { value: payment.pendingOperation.amountValue, currency: payment.currency },
          stage: payment.pendingOperation.stage,
          createdAt: payment.pendingOperation.createdAt,
        }
      : null,
    createdAt: payment.createdAt.toISOString(),
    updatedAt: payment.updatedAt.toISOString(),
  };
}

export function toRefundView(refund: Refund): RefundView {
  return {
    id: refund.id,
    paymentId: refund.paymentId,
    amount: { value: refund.amountValue, currency: refund.currency },
    status: refund.status,
    reason: refund.reason,
    createdAt: refund.createdAt.toISOString(),
    updatedAt: refund.updatedAt.toISOString(),
  };
}

export function toEventView(event: PaymentEvent): PaymentEventView {
  return {
    type: event.type,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    source: event.source,
    ignored: event.ignored,
    refundId: event.refundId,
    detail: event.detail,
    createdAt: event.createdAt.toISOString(),
  };
}
