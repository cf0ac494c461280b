import { Entity, Index } from 'typeorm';
import { IdColumn, IntegerColumn, RefColumn, StringColumn } from '../../database/columns';
import type { RefundStatus } from '../../domain/payment-status';
import { TrackedOperationColumns } from './tracked-operation.columns';

/** A refund; its amount is reserved from creation until it fails. */
@Entity('refunds')
@Index(['paymentId'])
@Index(['status', 'nextAttemptAt'])
export class Refund extends TrackedOperationColumns {
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

  /**
   * The request that created it, when it came with an Idempotency-Key (a hash of integration,
   * key and body): a retry of that request finds this refund instead of making another, even
   * when the key's stored answer is gone (the request died after the provider call).
   */
  @StringColumn(64, { nullable: true })
  requestKey?: string | null;
}
