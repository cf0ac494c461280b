import { Entity, Index } from 'typeorm';
import {
  BooleanColumn,
  IdColumn,
  IntegerColumn,
  JsonColumn,
  RefColumn,
  StringColumn,
  TimestampColumn,
} from '../database/columns';
import type { PaymentMethod } from '../domain/payment-status';

export interface RuleConditions {
  currencies?: string[];
  /** Inclusive bounds, in minor units of the payment's own currency. */
  amountMin?: number;
  amountMax?: number;
  countries?: string[];
  methods?: PaymentMethod[];
  metadata?: Record<string, string>;
}

export interface RuleTarget {
  providerAccountId: string;
  weight: number;
}

/** One routing rule: which payments it takes (conditions) and where they go (targets, fallback). */
@Entity('routing_rules')
@Index(['priority'])
export class RoutingRule {
  @IdColumn()
  id: string;

  @StringColumn(128)
  name: string;

  /** Lowest first. */
  @IntegerColumn()
  priority: number;

  @BooleanColumn()
  enabled: boolean;

  /** null: the rule applies to every integration. */
  @RefColumn({ nullable: true })
  integrationId: string | null;

  @JsonColumn()
  conditions: RuleConditions;

  @JsonColumn()
  targets: RuleTarget[];

  @JsonColumn()
  fallback: string[];

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}
