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
 * Transactional outbox: written in the same transaction as the status change it announces.
 * `payload` is the exact event body delivered on every channel.
 */
@Entity('outbox_events')
@Index(['paymentId', 'sequence'])
@Index(['dispatchedAt', 'createdAt'])
export class OutboxEvent {
  /** evt_…: the event id shown to shops. */
  @IdColumn()
  id: string;

  @RefColumn()
  integrationId: string;

  @StringColumn(40)
  type: string;

  @RefColumn()
  paymentId: string;

  @RefColumn({ nullable: true })
  refundId: string | null;

  /** The payment's version at this change: delivery order per payment. */
  @IntegerColumn()
  sequence: number;

  @TextColumn()
  payload: string;

  @TimestampColumn()
  createdAt: Date;

  /** Set once the event has been fanned out to every matching endpoint. */
  @TimestampColumn({ nullable: true })
  dispatchedAt: Date | null;
}
