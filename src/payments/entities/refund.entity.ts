import { Entity, Index } from 'typeorm';
import {
  IdColumn,
  IntegerColumn,
  RefColumn,
  StringColumn,
  TimestampColumn,
} from '../../database/columns';
import type { RefundStatus } from '../../domain/payment-status';
import type { OperationStage, OperationTracking } from '../operations/operation-tracking';

/** A refund; its amount is reserved from creation until it fails. */
@Entity('refunds')
@Index(['paymentId'])
@Index(['status', 'nextAttemptAt'])
export class Refund implements OperationTracking {
  @IdColumn()
  id: string;

  @RefColumn()
  paymentId: string;

  @IntegerColumn()
  amountValue: number;

  @StringColumn(3)
  currency: string;

  @StringColumn(16)
  status: RefundStatus;

  @StringColumn(255, { nullable: true })
  reason: string | null;

  @StringColumn(128, { nullable: true })
  providerRefundId: string | null;

  @StringColumn(64, { nullable: true })
  failureCode: string | null;

  @StringColumn(1024, { nullable: true })
  failureMessage: string | null;

  @StringColumn(16, { nullable: true })
  stage: OperationStage | null;

  @StringColumn(128, { nullable: true })
  providerIdempotencyKey: string | null;

  @IntegerColumn({ default: 0 })
  attempts: number;

  @TimestampColumn({ nullable: true })
  nextAttemptAt: Date | null;

  @StringColumn(1024, { nullable: true })
  lastError: string | null;

  @StringColumn(40, { nullable: true })
  leaseToken: string | null;

  @TimestampColumn({ nullable: true })
  leaseExpiresAt: Date | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}
