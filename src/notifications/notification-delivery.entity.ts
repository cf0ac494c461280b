import { Entity, Index } from 'typeorm';
import {
  IdColumn,
  IntegerColumn,
  RefColumn,
  StringColumn,
  TimestampColumn,
} from '../database/columns';

/**
 * pending: not tried yet (or retried by hand); failing: tried, waiting for its next attempt;
 * delivered; dead: the retry schedule is used up (or the endpoint is gone).
 */
export type DeliveryStatus = 'pending' | 'failing' | 'delivered' | 'dead';
export const OPEN_STATUSES: DeliveryStatus[] = ['pending', 'failing'];

/** One event for one endpoint. Claimed by a worker through a lease (leaseToken + leaseExpiresAt). */
@Entity('notification_deliveries')
@Index(['endpointId', 'eventId'], { unique: true })
@Index(['status', 'nextAttemptAt'])
@Index(['endpointId', 'paymentId', 'sequence'])
export class NotificationDelivery {
  @IdColumn()
  id: string;

  @RefColumn()
  endpointId: string;

  @RefColumn()
  eventId: string;

  @StringColumn(40)
  eventType: string;

  @RefColumn()
  paymentId: string;

  /** The payment version of the event: deliveries of one payment go out in this order. */
  @IntegerColumn()
  sequence: number;

  @StringColumn(16)
  status: DeliveryStatus;

  @IntegerColumn()
  attempts: number;

  @TimestampColumn()
  nextAttemptAt: Date;

  @StringColumn(40, { nullable: true })
  leaseToken: string | null;

  @TimestampColumn({ nullable: true })
  leaseExpiresAt: Date | null;

  @IntegerColumn({ nullable: true })
  lastResponseCode: number | null;

  @StringColumn(512, { nullable: true })
  lastError: string | null;

  @TimestampColumn({ nullable: true })
  deliveredAt: Date | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}
