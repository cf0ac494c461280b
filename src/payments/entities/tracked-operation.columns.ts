import { IntegerColumn, StringColumn, TimestampColumn } from '../../database/columns';
import type { OperationStage, OperationTracking } from '../operations/operation-tracking';

/**
 * The columns a capture, cancel or refund has in common: why it failed, and where it stands
 * with its provider while it is pending (OperationTracking). Not an entity: PaymentOperation and
 * Refund each inherit them into their own table.
 */
export abstract class TrackedOperationColumns implements OperationTracking {
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
