import { Entity, Index } from 'typeorm';
import {
  BooleanColumn,
  IdColumn,
  IntegerColumn,
  JsonColumn,
  RefColumn,
  StringColumn,
  TimestampColumn,
} from '../../database/columns';
import type { CaptureMode, PaymentMethod, PaymentStatus } from '../../domain/payment-status';
import type { Address, OrderLine } from '../../domain/order-details';
import type { CustomerInfo } from '../../domain/customer';

export interface RoutingAttemptRecord {
  providerAccountId: string;
  outcome: 'succeeded' | 'declined' | 'failed' | 'skipped';
  error?: string;
}

/** The capture or cancel whose outcome is still open (mirrors its payment_operations row). */
export interface PendingOperationRecord {
  id: string;
  type: 'capture' | 'cancel';
  amountValue: number | null;
  stage: 'sending' | 'unknown' | 'accepted';
  createdAt: string;
}

export interface RoutingDecisionRecord {
  ruleId: string | null;
  reason: string;
  attempts: RoutingAttemptRecord[];
}

@Entity('payments')
@Index(['integrationId', 'createdAt'])
@Index(['providerAccountId', 'providerPaymentId'])
export class Payment {
  @IdColumn()
  id: string;

  @RefColumn()
  integrationId: string;

  /** Only PaymentStatusService writes this column. */
  @StringColumn(32)
  status: PaymentStatus;

  @IntegerColumn()
  amountValue: number;

  @StringColumn(3)
  currency: string;

  @IntegerColumn()
  amountCaptured: number;

  @IntegerColumn()
  amountRefunded: number;

  @StringColumn(255)
  description: string;

  @StringColumn(128)
  reference: string;

  @StringColumn(32, { nullable: true })
  method: PaymentMethod | null;

  @StringColumn(16)
  captureMode: CaptureMode;

  /** What the customer actually paid with, in the provider's own words (Mollie `creditcard`, Adyen `visa`); null until the provider says. */
  @StringColumn(64, { nullable: true })
  methodUsed?: string | null;

  @JsonColumn({ nullable: true })
  orderLines?: OrderLine[] | null;

  @JsonColumn({ nullable: true })
  billingAddress?: Address | null;

  @JsonColumn({ nullable: true })
  shippingAddress?: Address | null;

  /** The hosted checkout stops accepting after it. */
  @TimestampColumn({ nullable: true })
  expiresAt?: Date | null;

  @JsonColumn({ nullable: true })
  customer: CustomerInfo | null;

  @JsonColumn({ nullable: true })
  metadata: Record<string, string> | null;

  @StringColumn(2048)
  returnUrl: string;

  @StringColumn(2048, { nullable: true })
  cancelUrl: string | null;

  @StringColumn(2048, { nullable: true })
  checkoutUrl: string | null;

  @StringColumn(32, { nullable: true })
  providerName: string | null;

  /** The provider account's testMode when the payment was made there. */
  @BooleanColumn({ nullable: true })
  providerTestMode?: boolean | null;

  @RefColumn({ nullable: true })
  providerAccountId: string | null;

  @StringColumn(128, { nullable: true })
  providerPaymentId: string | null;

  /** The provider's id for later operations when it differs from providerPaymentId (Adyen pspReference). */
  @StringColumn(128, { nullable: true })
  providerReference?: string | null;

  @JsonColumn({ nullable: true })
  routing: RoutingDecisionRecord | null;

  @StringColumn(64, { nullable: true })
  failureCode: string | null;

  @StringColumn(1024, { nullable: true })
  failureMessage: string | null;

  /**
   * The capture or cancel still open at the provider, if any; written with its
   * payment_operations row, in the same transaction.
   */
  @JsonColumn({ nullable: true })
  pendingOperation?: PendingOperationRecord | null;

  /**
   * Set when a provider reported something our records contradict (a success after the payment
   * died here, a capture or refund failed after it succeeded, a refused chargeback): when it was
   * first reported, and why, in words; cleared only by an operator.
   */
  @TimestampColumn({ nullable: true })
  attentionSince?: Date | null;

  @StringColumn(512, { nullable: true })
  attentionReason?: string | null;

  /** When reconciliation last polled the provider about this payment. */
  @TimestampColumn({ nullable: true })
  lastPolledAt: Date | null;

  /** Incremented on every change; orders the status history. */
  @IntegerColumn()
  version: number;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}
