import type { components } from '../../api/schema.gen';
import type { RoutingRule, RuleConditions } from '../../api/types';
import { formatMoney, parseAmount, toDecimalString } from '../../lib/money';
import { toPercentages } from './weights';

export interface RuleFormValues {
  name: string;
  priority: string;
  enabled: boolean;
  /** '' applies the rule to every integration. */
  integrationId: string;
  currencies: string[];
  amountMin: string;
  amountMax: string;
  countries: string[];
  methods: string[];
  metadata: { key: string; value: string }[];
  targets: { providerAccountId: string; share: number }[];
  fallback: string[];
}

type RuleBody = components['schemas']['CreateRoutingRuleDto'];

/** Amount bounds are typed in the currency when the rule names exactly one; otherwise in minor units. */
export function amountCurrency(currencies: string[]): string | null {
  return currencies.length === 1 ? currencies[0]! : null;
}

export function ruleToValues(rule?: RoutingRule, nextPriority = 10): RuleFormValues {
  const c = rule?.conditions ?? {};
  const currency = amountCurrency(c.currencies ?? []);
  const amount = (value: number | undefined) =>
    value === undefined ? '' : currency ? toDecimalString(value, currency) : String(value);
  const shares = toPercentages((rule?.targets ?? []).map((t) => t.weight));
  return {
    name: rule?.name ?? '',
    priority: String(rule?.priority ?? nextPriority),
    enabled: rule?.enabled ?? true,
    integrationId: rule?.integrationId ?? '',
    currencies: c.currencies ?? [],
    amountMin: amount(c.amountMin),
    amountMax: amount(c.amountMax),
    countries: c.countries ?? [],
    methods: c.methods ?? [],
    metadata: Object.entries(c.metadata ?? {}).map(([key, value]) => ({
      key,
      value: String(value),
    })),
    targets: (rule?.targets ?? []).map((t, i) => ({
      providerAccountId: t.providerAccountId,
      share: shares[i]!,
    })),
    fallback: rule?.fallback ?? [],
  };
}

/** The rule to send, or the field errors (form paths) that keep it from being sent. */
export function valuesToRule(values: RuleFormValues): {
  body: RuleBody;
  errors: Record<string, string>;
} {
  const errors: Record<string, string> = {};
  if (!values.name.trim()) errors.name = 'Give the rule a name';
  if (!/^-?\d+$/.test(values.priority.trim()))
    errors.priority = 'A whole number; lowest is evaluated first';
  const currency = amountCurrency(values.currencies);
  const amount = (key: 'amountMin' | 'amountMax'): number | undefined => {
    const text = values[key].trim();
    if (!text) return undefined;
    if (currency) {
      const parsed = parseAmount(text, currency);
      if (parsed.ok) return parsed.value;
      errors[key] = parsed.error;
      return undefined;
    }
    if (/^\d+$/.test(text)) return Number(text);
    errors[key] = 'Minor units (cents) as a whole number; choose one currency to type an amount';
    return undefined;
  };
  const conditions: RuleConditions = {};
  if (values.currencies.length) conditions.currencies = values.currencies;
  const min = amount('amountMin');
  const max = amount('amountMax');
  if (min !== undefined) conditions.amountMin = min;
  if (max !== undefined) conditions.amountMax = max;
  if (min !== undefined && max !== undefined && min > max)
    errors.amountMax = 'Must not be below the minimum';
  if (values.countries.length)
    conditions.countries = values.countries.map((c) => c.trim().toUpperCase());
  if (values.methods.length) conditions.methods = values.methods as RuleConditions['methods'];
  const metadata = values.metadata.filter((m) => m.key.trim() || m.value.trim());
  metadata.forEach((m, i) => {
    if (!m.key.trim()) errors[`metadata.${i}.key`] = 'Enter a key';
  });
  if (metadata.length)
    conditions.metadata = Object.fromEntries(metadata.map((m) => [m.key.trim(), m.value]));
  if (values.targets.length === 0) errors.targets = 'Add at least one provider account';
  values.targets.forEach((t, i) => {
    if (!t.providerAccountId) errors[`targets.${i}.providerAccountId`] = 'Choose an account';
  });
  const total = values.targets.reduce((sum, t) => sum + t.share, 0);
  if (values.targets.length > 0 && total !== 100)
    errors.targets = `The shares add up to ${total} %, not 100 %`;
  const body: RuleBody = {
    name: values.name.trim(),
    priority: Number(values.priority.trim()),
    enabled: values.enabled,
    integrationId: values.integrationId || null,
    conditions,
    targets: values.targets.map((t) => ({
      providerAccountId: t.providerAccountId,
      weight: t.share,
    })),
    fallback: values.fallback,
  };
  return { body, errors };
}

/** Server field names (`conditions.currencies`, `targets.0.providerAccountId`) → form paths. */
export function ruleField(field: string): string {
  const path = field.replace(/^conditions\./, '');
  if (path.startsWith('metadata')) return 'metadata';
  if (path.startsWith('fallback')) return 'fallback';
  return path;
}

/** The conditions in words: which payments the rule takes. */
export function describeConditions(c: RuleConditions): string {
  const parts: string[] = [];
  const currency = amountCurrency(c.currencies ?? []);
  const money = (value: number) =>
    currency ? formatMoney({ value, currency }) : `${value} minor units`;
  parts.push(
    c.currencies?.length ? `${c.currencies.join(' or ')} payments` : 'Payments in any currency',
  );
  if (c.amountMin !== undefined && c.amountMax !== undefined)
    parts.push(`from ${money(c.amountMin)} to ${money(c.amountMax)}`);
  else if (c.amountMin !== undefined) parts.push(`of ${money(c.amountMin)} or more`);
  else if (c.amountMax !== undefined) parts.push(`up to ${money(c.amountMax)}`);
  if (c.countries?.length) parts.push(`from customers in ${c.countries.join(', ')}`);
  if (c.methods?.length) parts.push(`paid by ${c.methods.join(' or ')}`);
  if (c.metadata && Object.keys(c.metadata).length) {
    parts.push(
      `with ${Object.entries(c.metadata)
        .map(([k, v]) => `${k} = ${v}`)
        .join(' and ')}`,
    );
  }
  return parts.join(' ');
}
