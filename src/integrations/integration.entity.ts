import { Entity } from 'typeorm';
import { IdColumn, RefColumn, StringColumn, TimestampColumn } from '../database/columns';

/** A shop (or any client system) that uses the payment API. */
@Entity('integrations')
export class Integration {
  @IdColumn()
  id: string;

  @StringColumn(128)
  name: string;

  @RefColumn({ nullable: true })
  defaultProviderAccountId: string | null;

  @StringColumn(255, { nullable: true })
  oidcClientId: string | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}
