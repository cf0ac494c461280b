import { Entity, Index } from 'typeorm';
import {
  IdColumn,
  IntegerColumn,
  RefColumn,
  StringColumn,
  TextColumn,
  TimestampColumn,
} from '../database/columns';

/**
 * One Idempotency-Key per integration and scope. The unique index is what makes two concurrent
 * requests with one key safe: only one insert wins.
 */
@Entity('idempotency_records')
@Index(['integrationId', 'scope', 'keyDigest'], { unique: true })
@Index(['expiresAt'])
export class IdempotencyRecord {
  @IdColumn()
  id: string;

  @RefColumn()
  integrationId: string;

  /** The operation, e.g. "POST /payments" or "POST /payments/pay_…/refunds". */
  @StringColumn(96)
  scope: string;

  /**
   * The key's SHA-256 (IdempotencyService.keyDigest), not the key: a collation that ignores case,
   * accents or trailing spaces (MySQL's and SQL Server's defaults) cannot confuse lowercase hex.
   */
  @StringColumn(64)
  keyDigest: string;

  @StringColumn(64)
  requestHash: string;

  /** in_progress | completed */
  @StringColumn(16)
  state: string;

  @IntegerColumn({ nullable: true })
  responseStatus: number | null;

  /** The JSON body sent, a problem+json body for stored errors (status ≥ 400). */
  @TextColumn({ nullable: true })
  responseBody: string | null;

  /** While in progress: the token of the request holding the key (a takeover swaps it). */
  @StringColumn(32, { nullable: true })
  leaseOwner: string | null;

  /** While in progress: when the key is free again unless its holder renews (null: free). */
  @TimestampColumn({ nullable: true })
  leaseExpiresAt: Date | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  expiresAt: Date;
}
