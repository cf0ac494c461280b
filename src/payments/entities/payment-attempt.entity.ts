import { Entity, Index } from 'typeorm';
import {
  BooleanColumn,
  IdColumn,
  IntegerColumn,
  RefColumn,
  StringColumn,
  TimestampColumn,
} from '../../database/columns';

/** One try at one provider account while creating a payment. */
@Entity('payment_attempts')
@Index(['paymentId'])
export class PaymentAttempt {
  @IdColumn()
  id: string;

  @RefColumn()
  paymentId: string;

  @RefColumn()
  providerAccountId: string;

  @StringColumn(32)
  provider: string;

  /** started | succeeded | declined | failed */
  @StringColumn(16)
  outcome: string;

  @StringColumn(64, { nullable: true })
  errorCode: string | null;

  @StringColumn(1024, { nullable: true })
  errorMessage: string | null;

  @BooleanColumn({ nullable: true })
  retryable: boolean | null;

  @StringColumn(128, { nullable: true })
  providerPaymentId: string | null;

  @IntegerColumn({ nullable: true })
  durationMs: number | null;

  @TimestampColumn()
  createdAt: Date;
}
