import { Entity } from 'typeorm';
import {
  IdColumn,
  IntegerColumn,
  RefColumn,
  StringColumn,
  TimestampColumn,
} from '../../database/columns';

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

  @IntegerColumn()
  amountCaptured: number;

  @IntegerColumn()
  amountRefunded: number;

  @StringColumn(2048)
  returnUrl: string;

  @StringColumn(2048, { nullable: true })
  cancelUrl: string | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}
