import type { RoutingRule } from './routing-rule.entity';

/** A routing rule as the admin API shows it. */
export function toRoutingRuleView(rule: RoutingRule) {
  return {
    id: rule.id,
    name: rule.name,
    priority: rule.priority,
    enabled: rule.enabled,
    integrationId: rule.integrationId,
    conditions: rule.conditions ?? {},
    targets: rule.targets,
    fallback: rule.fallback ?? [],
    createdAt: rule.createdAt.toISOString(),
    updatedAt: rule.updatedAt.toISOString(),
  };
}
