import { Entity, Index } from 'typeorm';
import {
  BooleanColumn,
  IdColumn,
  IntegerColumn,
  RefColumn,
  StringColumn,
  TimestampColumn,
} from '../../database/columns';
import type { EventSource } from '../../domain/payment-status';

/** One row of a payment's status history, including ignored (out-of-order) updates. */
@Entity('payment_events')
@Index(['paymentId', 'sequence'])
export class PaymentEvent {
  @IdColumn()
  id: string;

  @RefColumn()
  paymentId: string;

  @RefColumn({ nullable: true })
  refundId: string | null;

  /** payment.created | payment.status_changed | refund.created | refund.status_changed */
  @StringColumn(40)
  type: string;

  @StringColumn(32, { nullable: true })
  fromStatus: string | null;

  @StringColumn(32)
  toStatus: string;

  @StringColumn(16)
  source: EventSource;

  @BooleanColumn()
  ignored: boolean;

  @StringColumn(512, { nullable: true })
  detail: string | null;

  @IntegerColumn()
  sequence: number;

  @TimestampColumn()
  createdAt: Date;
}
