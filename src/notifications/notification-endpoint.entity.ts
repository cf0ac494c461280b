import { Entity, Index } from 'typeorm';
import {
  BooleanColumn,
  IdColumn,
  JsonColumn,
  RefColumn,
  StringColumn,
  TextColumn,
  TimestampColumn,
} from '../database/columns';

export type EndpointType = 'webhook' | 'rabbitmq';

/** Where an integration wants to hear about status changes: an HTTP URL or a RabbitMQ exchange. */
@Entity('notification_endpoints')
@Index(['integrationId'])
export class NotificationEndpoint {
  @IdColumn()
  id: string;

  @RefColumn()
  integrationId: string;

  @StringColumn(16)
  type: EndpointType;

  @StringColumn(2048, { nullable: true })
  url: string | null;

  @StringColumn(255, { nullable: true })
  exchange: string | null;

  @StringColumn(128, { nullable: true })
  routingKeyPrefix: string | null;

  /** Event types this endpoint wants. */
  @JsonColumn()
  events: string[];

  @BooleanColumn()
  enabled: boolean;

  /** Why the server disabled it (e.g. the target answered 410); null when an operator did. */
  @StringColumn(255, { nullable: true })
  disabledReason: string | null;

  /** The whsec_… signing secret, sealed with SecretBox (webhooks only). */
  @TextColumn({ nullable: true })
  secretSealed: string | null;

  /** After a rotation the old secret keeps signing too, until previousSecretExpiresAt. */
  @TextColumn({ nullable: true })
  previousSecretSealed: string | null;

  @TimestampColumn({ nullable: true })
  previousSecretExpiresAt: Date | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}
