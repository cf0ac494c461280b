import { Entity, PrimaryColumn } from 'typeorm';
import { IntegerColumn, TimestampColumn } from '../../database/columns';

/**
 * One fixed window of one rate limit for one client, counted by every server instance on
 * the database: `<limit>:<client>:<window start in ms>`.
 */
@Entity('rate_limit_windows')
export class RateLimitWindow {
  /** 191 characters: the longest key MySQL/MariaDB index in utf8mb4. */
  @PrimaryColumn({ type: 'varchar', length: 191 })
  key: string;

  @IntegerColumn()
  hits: number;

  /** The end of the window; rows past it are deleted. */
  @TimestampColumn()
  expiresAt: Date;
}
