import { Entity, Index } from 'typeorm';
import {
  BooleanColumn,
  IdColumn,
  IntegerColumn,
  JsonColumn,
  RefColumn,
  StringColumn,
  TextColumn,
  TimestampColumn,
} from '../database/columns';

/**
 * received: stored, not yet applied (or waiting for the poll budget); processed: applied;
 * failed: processing failed, retried at nextAttemptAt; dead: still failing at the retry
 * horizon, given up (counted in /metrics, logged); rejected: verified but its signed fields
 * contradict the payment (the reason in `error`), never applied.
 */
export type WebhookDeliveryStatus = 'received' | 'processed' | 'failed' | 'dead' | 'rejected';

export const WEBHOOK_DELIVERY_STATUSES: readonly WebhookDeliveryStatus[] = [
  'received',
  'processed',
  'failed',
  'dead',
  'rejected',
];

/** Statuses the retry job still works on. */
export const OPEN_WEBHOOK_STATUSES: readonly WebhookDeliveryStatus[] = ['received', 'failed'];

/**
 * The inbox: every verified delivery from a provider (and every unsigned one that names a
 * local payment), stored before we answer it. The unique (account, bodyHash) index turns an
 * exact duplicate into a no-op.
 */
@Entity('webhook_deliveries')
@Index(['providerAccountId', 'bodyHash'], { unique: true })
@Index(['status', 'nextAttemptAt'])
@Index(['paymentId'])
@Index(['receivedAt', 'id'])
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

  @StringColumn(16)
  status: WebhookDeliveryStatus;

  /** False for unsigned deliveries (Mollie): their content is never trusted, the state is fetched. */
  @BooleanColumn({ default: true })
  verified: boolean;

  /** The local payment the delivery names, when known at intake. */
  @RefColumn({ nullable: true })
  paymentId: string | null;

  @IntegerColumn()
  attempts: number;

  /** When the retry job should process it next; null once it is settled (processed, dead, rejected). */
  @TimestampColumn({ nullable: true })
  nextAttemptAt: Date | null;

  @TimestampColumn({ nullable: true })
  lastAttemptAt: Date | null;

  /** Held by the instance processing it (a conditional UPDATE takes it), so no two process it at once. */
  @StringColumn(32, { nullable: true })
  leaseToken: string | null;

  @TimestampColumn({ nullable: true })
  leaseExpiresAt: Date | null;

  @StringColumn(1024, { nullable: true })
  error: string | null;

  @TimestampColumn()
  receivedAt: Date;

  @TimestampColumn({ nullable: true })
  processedAt: Date | null;
}
