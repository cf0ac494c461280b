import { Entity, Index } from 'typeorm';
import {
  IdColumn,
  IntegerColumn,
  JsonColumn,
  RefColumn,
  StringColumn,
  TextColumn,
  TimestampColumn,
} from '../database/columns';

/**
 * The inbox: every verified delivery from a provider, stored before we answer it.
 * The unique (account, bodyHash) index turns an exact duplicate into a no-op.
 */
@Entity('webhook_deliveries')
@Index(['providerAccountId', 'bodyHash'], { unique: true })
@Index(['status', 'receivedAt'])
export class WebhookDelivery {
  @IdColumn()
  id: string;

  @StringColumn(32)
  provider: string;

  @RefColumn()
  providerAccountId: string;

  @StringColumn(64)
  bodyHash: string;

  @JsonColumn()
  headers: Record<string, string>;

  @TextColumn()
  body: string;

  /** received | processed | failed */
  @StringColumn(16)
  status: string;

  @IntegerColumn()
  processingAttempts: number;

  @StringColumn(1024, { nullable: true })
  error: string | null;

  @TimestampColumn()
  receivedAt: Date;

  @TimestampColumn({ nullable: true })
  processedAt: Date | null;
}
