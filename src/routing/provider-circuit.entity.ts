import { Entity, PrimaryColumn } from 'typeorm';
import { IntegerColumn, StringColumn, TimestampColumn } from '../database/columns';

/**
 * The circuit breaker state of one provider account, shared by every server instance on the
 * database. No row: closed with no failures counted.
 */
@Entity('provider_circuits')
export class ProviderCircuit {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  providerAccountId: string;

  /** Retryable failures in a row, counted by all instances together. */
  @IntegerColumn()
  consecutiveFailures: number;

  /** Set when the circuit opened; null while closed. */
  @TimestampColumn({ nullable: true })
  openedAt: Date | null;

  /** When the current half-open probe was let through. */
  @TimestampColumn({ nullable: true })
  probeStartedAt: Date | null;

  @StringColumn(256, { nullable: true })
  lastFailure: string | null;

  @TimestampColumn({ nullable: true })
  lastFailureAt: Date | null;
}
