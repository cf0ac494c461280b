import { Entity, Index } from 'typeorm';
import { IdColumn, JsonColumn, StringColumn, TimestampColumn } from '../database/columns';

export type AuditOutcome = 'succeeded' | 'failed';

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['succeeded', 'failed'];

/**
 * One admin write or admin-initiated payment operation: who, what, on which target, and how it
 * ended. Field names only, never values, so no secret can land here. Rows are only ever added
 * (a failed outcome may be set on the row of its own request) and purged by retention.
 */
@Entity('audit_events')
@Index(['at', 'id'])
@Index(['targetType', 'targetId'])
export class AuditEvent {
  @IdColumn()
  id: string;

  @TimestampColumn()
  at: Date;

  @StringColumn(255, { nullable: true })
  actorSub: string | null;

  @StringColumn(255, { nullable: true })
  actorClientId: string | null;

  @StringColumn(64, { nullable: true })
  actorIp: string | null;

  @StringColumn(64)
  action: string;

  @StringColumn(64)
  targetType: string;

  @StringColumn(64, { nullable: true })
  targetId: string | null;

  @StringColumn(16)
  outcome: AuditOutcome;

  /** The problem code of a failed attempt (`forbidden`, `validation_failed`, …). */
  @StringColumn(64, { nullable: true })
  failureCode: string | null;

  @JsonColumn()
  changedFields: string[];

  @StringColumn(128, { nullable: true })
  correlationId: string | null;
}
