import { Entity } from 'typeorm';
import { IdColumn, RefColumn, StringColumn, TimestampColumn } from '../database/columns';

/** Only the SHA-256 of a key is stored; the key itself is shown once at creation. */
@Entity('api_keys')
export class ApiKey {
  @IdColumn()
  id: string;

  @RefColumn()
  integrationId: string;

  @StringColumn(64)
  keyHash: string;

  /** The first characters, so an operator can tell keys apart. */
  @StringColumn(16)
  keyPrefix: string;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn({ nullable: true })
  revokedAt: Date | null;
}
