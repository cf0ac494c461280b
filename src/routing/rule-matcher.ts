import type { RoutingRule } from './routing-rule.entity';
import type { PaymentMethod } from '../domain/payment-status';

/** What routing looks at in a new payment. */
export interface RoutablePayment {
  currency: string;
  amount: number;
  method: PaymentMethod | null;
  country: string | null;
  metadata: Record<string, string> | null;
}

export interface RuleMatch {
  rule: RoutingRule;
  /** Each condition that held, in words ("currency EUR is one of EUR, USD"). */
  because: string[];
}

/**
 * The conditions of a rule that hold for the payment, in words, or null when one does not.
 * A condition the payment cannot answer (no method, no country) does not hold.
 */
export function conditionsHold(
  rule: Pick<RoutingRule, 'conditions'>,
  payment: RoutablePayment,
): string[] | null {
  const c = rule.conditions ?? {};
  const because: string[] = [];
  if (c.currencies) {
    if (!c.currencies.includes(payment.currency)) return null;
    because.push(`currency ${payment.currency} is one of ${c.currencies.join(', ')}`);
  }
  if (c.amountMin !== undefined || c.amountMax !== undefined) {
    if (c.amountMin !== undefined && payment.amount < c.amountMin) return null;
    if (c.amountMax !== undefined && payment.amount > c.amountMax) return null;
    because.push(`amount ${payment.amount} is within ${c.amountMin ?? 0}..${c.amountMax ?? '∞'}`);
  }
  if (c.countries) {
    if (!payment.country || !c.countries.includes(payment.country)) return null;
    because.push(`country ${payment.country} is one of ${c.countries.join(', ')}`);
  }
  if (c.methods) {
    if (!payment.method || !c.methods.includes(payment.method)) return null;
    because.push(`method ${payment.method} is one of ${c.methods.join(', ')}`);
  }
  if (c.metadata) {
    for (const [key, value] of Object.entries(c.metadata)) {
      if (payment.metadata?.[key] !== value) return null;
    }
    because.push(
      `metadata ${Object.entries(c.metadata)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
    );
  }
  return because;
}

/** The first enabled rule, lowest priority first, whose conditions all hold. */
export function firstMatchingRule(
  rulesByPriority: readonly RoutingRule[],
  payment: RoutablePayment,
): RuleMatch | null {
  for (const rule of rulesByPriority) {
    if (!rule.enabled) continue;
    const because = conditionsHold(rule, payment);
    if (because) return { rule, because };
  }
  return null;
}
