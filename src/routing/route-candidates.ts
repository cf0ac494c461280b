import type { RuleMatch } from './rule-matcher';
import type { CandidateRole, RoutingRequest } from './routing.types';
import { chooseTarget, stickyKeyOf } from './weighted-split';

/** An account the decision would like to use, before it is checked. */
export interface Wanted {
  id: string;
  role: CandidateRole;
  label: string;
  /** Why this account is next when it can take the payment. */
  because: string;
  considered?: boolean;
}

export const DEFAULT_ROLE = "the integration's default account";
const AFTER_RETRYABLE = 'tried if the accounts before it fail with a retryable error';

/** The integration's default account as the last resort. */
export function defaultAccount(id: string, because: string): Wanted {
  return { id, role: 'default', label: DEFAULT_ROLE, because };
}

/**
 * The accounts a matched rule names, in the order they are tried: its target (the sticky
 * weighted choice when it has several; with `everyTarget` every target counts), its fallback
 * list, then the integration's default account. The reason says which rule matched and why
 * the first account was chosen.
 */
export function wantedForRule(
  { rule, because }: RuleMatch,
  request: Pick<RoutingRequest, 'email' | 'reference'>,
  defaultId: string | null,
  everyTarget: boolean,
): { wanted: Wanted[]; reason: string } {
  let chosen: string;
  let why: string;
  const wanted: Wanted[] = [];
  if (rule.targets.length === 1) {
    chosen = rule.targets[0].providerAccountId;
    why = `its only target is ${chosen}`;
    wanted.push({ id: chosen, role: 'target', label: 'target', because: why });
  } else {
    const sticky = stickyKeyOf(request.email, request.reference);
    const choice = chooseTarget(rule.id, rule.targets, sticky.key);
    chosen = choice.target.providerAccountId;
    const split = rule.targets.map((t) => `${t.providerAccountId} ${t.weight}`).join(' / ');
    why = `weighted split ${split}: the ${sticky.source} falls in bucket ${choice.bucket} of ${choice.totalWeight}, which belongs to ${chosen}`;
    for (const target of rule.targets) {
      const isChosen = target === choice.target;
      wanted.push({
        id: target.providerAccountId,
        role: 'target',
        label: 'target',
        because: isChosen
          ? why
          : `not chosen: the weighted split gives bucket ${choice.bucket} of ${choice.totalWeight} to ${chosen}`,
        // everyTarget: a customer not known yet may land on any target (method listing).
        considered: isChosen || everyTarget,
      });
    }
  }
  wanted.push(
    ...rule.fallback.map((id, i) => ({
      id,
      role: 'fallback' as const,
      label: `fallback #${i + 1}`,
      because: `fallback #${i + 1} of rule ${rule.id}, ${AFTER_RETRYABLE}`,
    })),
  );
  if (defaultId) wanted.push(defaultAccount(defaultId, `${DEFAULT_ROLE}, ${AFTER_RETRYABLE}`));
  const conditions = because.length > 0 ? because.join('; ') : 'it has no conditions';
  return {
    wanted,
    reason: `rule "${rule.name}" (${rule.id}, priority ${rule.priority}) matched: ${conditions}; ${why}`,
  };
}
