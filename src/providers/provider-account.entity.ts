import { Entity } from 'typeorm';
import {
  BooleanColumn,
  IdColumn,
  JsonColumn,
  StringColumn,
  TextColumn,
  TimestampColumn,
} from '../database/columns';

/** One contract with one PSP. Credentials are sealed (AES-GCM) and never returned. */
@Entity('provider_accounts')
export class ProviderAccount {
  @IdColumn()
  id: string;

  @StringColumn(32)
  provider: string;

  @StringColumn(128)
  name: string;

  @TextColumn()
  credentialsSealed: string;

  @JsonColumn()
  settings: Record<string, any>;

  @StringColumn(255, { nullable: true })
  baseUrl: string | null;

  /** Integrations that may use this account; null: every integration (shared). */
  @JsonColumn({ nullable: true })
  integrationIds: string[] | null;

  @BooleanColumn()
  testMode: boolean;

  @BooleanColumn()
  enabled: boolean;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}
