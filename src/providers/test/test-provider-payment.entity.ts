import { Entity } from 'typeorm';
import {
  IdColumn,
  IntegerColumn,
  JsonColumn,
  RefColumn,
  StringColumn,
  TimestampColumn,
} from '../../database/columns';

/** What the test PSP remembers of a capture, cancel or refund, under its idempotency key. */
export interface TestProviderOperation {
  type: 'capture' | 'cancel' | 'refund';
  /** Our id of the operation (refund id or op id), as a real PSP keeps a merchant reference. */
  reference: string;
  providerId: string;
  amountValue: number;
  status: 'succeeded';
}

/** The built-in test PSP's own ledger, as a real PSP would keep it on its side. */
@Entity('test_provider_payments')
export class TestProviderPayment {
  /** tp_… : the "provider's own id". */
  @IdColumn()
  id: string;

  @RefColumn()
  accountId: string;

  @IntegerColumn()
  amountValue: number;

  @StringColumn(3)
  currency: string;

  @StringColumn(255)
  description: string;

  /** open | authorized | paid | failed | canceled | expired | pending */
  @StringColumn(16)
  status: string;

  @StringColumn(16)
  captureMode: string;

  /** The method the shop asked for, if any. */
  @StringColumn(32, { nullable: true })
  method?: string | null;

  /** What the customer paid with, chosen on the checkout page (the requested method by default). */
  @StringColumn(32, { nullable: true })
  methodUsed?: string | null;

  /** The checkout page takes nothing after it; the payment is then expired. */
  @TimestampColumn({ nullable: true })
  expiresAt?: Date | null;

  @IntegerColumn()
  amountCaptured: number;

  @IntegerColumn()
  amountRefunded: number;

  @StringColumn(2048)
  returnUrl: string;

  @StringColumn(2048, { nullable: true })
  cancelUrl: string | null;

  /** Operations by idempotency key: the same key is answered with the same result. */
  @JsonColumn({ nullable: true })
  operations?: Record<string, TestProviderOperation> | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}
