import { Entity, Index } from 'typeorm';
import {
  IdColumn,
  IntegerColumn,
  RefColumn,
  StringColumn,
  TimestampColumn,
} from '../../database/columns';
import type { RefundStatus } from '../payment-status';

@Entity('refunds')
@Index(['paymentId'])
export class Refund {
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

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}
