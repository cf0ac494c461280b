import { Entity, PrimaryColumn } from 'typeorm';
import { StringColumn, TimestampColumn } from '../../database/columns';

/**
 * One row per periodic job that runs on one instance at a time: who holds it until when, and
 * how its last pass ended. A holder that dies keeps nothing past `lockedUntil`.
 */
@Entity('job_locks')
export class JobLock {
  /** The job's class name, e.g. `RetentionJob`. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  /** The instance running it (random per process); null when free. */
  @StringColumn(64, { nullable: true })
  holder: string | null;

  /** Until then no other instance starts the job. */
  @TimestampColumn({ nullable: true })
  lockedUntil: Date | null;

  @TimestampColumn({ nullable: true })
  lastStartedAt: Date | null;

  @TimestampColumn({ nullable: true })
  lastFinishedAt: Date | null;

  /** succeeded | failed */
  @StringColumn(16, { nullable: true })
  lastResult: string | null;

  @StringColumn(500, { nullable: true })
  lastError: string | null;
}
