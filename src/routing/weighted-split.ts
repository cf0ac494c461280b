import { createHash } from 'node:crypto';
import type { RuleTarget } from './routing-rule.entity';

export interface SplitChoice {
  target: RuleTarget;
  /** 0 ≤ bucket < totalWeight. */
  bucket: number;
  totalWeight: number;
}

/**
 * The customer's bucket under one rule: SHA-256 of (rule id, sticky key), its first 64 bits as an
 * unsigned integer, modulo the total weight. Integer arithmetic only (BigInt); the modulo bias is
 * below totalWeight / 2^64, far under anything measurable. Including the rule id makes the
 * splits of different rules independent of each other.
 */
export function stickyBucket(ruleId: string, stickyKey: string, totalWeight: number): number {
  const digest = createHash('sha256').update(ruleId).update('\u0000').update(stickyKey).digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(totalWeight));
}

/** Targets own consecutive bucket ranges in their listed order, each as wide as its weight. */
export function chooseTarget(
  ruleId: string,
  targets: readonly RuleTarget[],
  stickyKey: string,
): SplitChoice {
  const totalWeight = targets.reduce((sum, t) => sum + t.weight, 0);
  const bucket = stickyBucket(ruleId, stickyKey, totalWeight);
  let upper = 0;
  for (const target of targets) {
    upper += target.weight;
    if (bucket < upper) return { target, bucket, totalWeight };
  }
  throw new Error('unreachable: bucket beyond the total weight');
}

/** customer.email (trimmed, lower-cased: the same mailbox) or, without one, the payment reference. */
export function stickyKeyOf(
  email: string | null,
  reference: string,
): { key: string; source: 'customer.email' | 'reference' } {
  const normalized = email?.trim().toLowerCase();
  return normalized
    ? { key: `email:${normalized}`, source: 'customer.email' }
    : { key: `reference:${reference}`, source: 'reference' };
}
