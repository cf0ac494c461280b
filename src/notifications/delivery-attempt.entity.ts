import { Entity, Index } from 'typeorm';
import {
  IdColumn,
  IntegerColumn,
  RefColumn,
  StringColumn,
  TimestampColumn,
} from '../database/columns';

/** One try of one delivery: what happened and how long it took. */
@Entity('notification_attempts')
@Index(['deliveryId', 'startedAt'])
export class DeliveryAttempt {
  @IdColumn()
  id: string;

  @RefColumn()
  deliveryId: string;

  @RefColumn()
  endpointId: string;

  @StringColumn(16)
  outcome: 'succeeded' | 'failed';

  @IntegerColumn({ nullable: true })
  responseCode: number | null;

  @IntegerColumn()
  durationMs: number;

  @StringColumn(512, { nullable: true })
  error: string | null;

  @TimestampColumn()
  startedAt: Date;
}
