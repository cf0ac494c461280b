import { Entity, Index } from 'typeorm';
import { IdColumn, IntegerColumn, RefColumn, StringColumn } from '../../database/columns';
import { TrackedOperationColumns } from './tracked-operation.columns';

export type OperationType = 'capture' | 'cancel';
export type OperationStatus = 'pending' | 'succeeded' | 'failed';

/**
 * A capture or cancel sent to the provider, recorded before the call. While `pending` its
 * outcome is not known; at most one is pending per payment, and it blocks a conflicting
 * capture, cancel or refund until the provider's definite answer settles it.
 */
@Entity('payment_operations')
@Index(['paymentId'])
@Index(['status', 'nextAttemptAt'])
export class PaymentOperation extends TrackedOperationColumns {
  /** op_… */
  @IdColumn()
  id: string;

  @RefColumn()
  paymentId: string;

  @StringColumn(16)
  type: OperationType;

  @StringColumn(16)
  status: OperationStatus;

  /** The capture amount; null for a cancel. */
  @IntegerColumn({ nullable: true })
  amountValue: number | null;

  @StringColumn(3)
  currency: string;

  /** The provider's own id of the capture (or cancellation), once an answer named it. */
  @StringColumn(128, { nullable: true })
  providerOperationId: string | null;
}
