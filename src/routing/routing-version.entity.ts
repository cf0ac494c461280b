import { Entity } from 'typeorm';
import { IdColumn, IntegerColumn, TimestampColumn } from '../database/columns';

export const RULES_VERSION_ID = 'routing_rules';

/**
 * One counter row, bumped in the same transaction as every rule change. Each server instance
 * reads it (one primary-key lookup) before routing a payment and reloads its rule cache when it
 * moved, so a change on one instance takes effect on the next payment everywhere. Rule writers
 * lock this row, which also serialises the priority-overlap check.
 */
@Entity('routing_versions')
export class RoutingVersion {
  @IdColumn()
  id: string;

  @IntegerColumn()
  version: number;

  @TimestampColumn()
  updatedAt: Date;
}

/** The row every write to API keys or integrations bumps (see ApiKeyCache). */
export const API_KEYS_VERSION_ID = 'api_keys';

/** The row every write to notification endpoints bumps (see EndpointSubscriptions). */
export const ENDPOINTS_VERSION_ID = 'notification_endpoints';
