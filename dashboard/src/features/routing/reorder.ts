/** One PATCH of a rule's priority. */
export interface PriorityStep {
  id: string;
  priority: number;
}

const MAX_PRIORITY = 2_147_483_647;

/**
 * The priority changes that move the rule at `from` to `to` in the list (ordered by priority,
 * lowest first). The server refuses two rules on one priority when both can match the same
 * payment, so no step may land on a taken priority: two rules swap through a free value above
 * all others; when priorities are tied or the move spans more rules, every rule is renumbered in
 * steps of 10 through free values first.
 */
export function planReorder(
  rules: { id: string; priority: number }[],
  from: number,
  to: number,
): PriorityStep[] {
  if (from === to || !rules[from] || !rules[to]) return [];
  const top = Math.max(...rules.map((r) => r.priority));
  const a = rules[from]!;
  const b = rules[to]!;
  if (Math.abs(from - to) === 1 && a.priority !== b.priority && top < MAX_PRIORITY) {
    return [
      { id: a.id, priority: top + 1 },
      { id: b.id, priority: a.priority },
      { id: a.id, priority: b.priority },
    ];
  }
  const order = [...rules];
  const [moved] = order.splice(from, 1);
  order.splice(to, 0, moved!);
  const target = new Map(order.map((rule, index) => [rule.id, (index + 1) * 10]));
  const changing = order.filter((rule) => target.get(rule.id) !== rule.priority);
  // First out of the way (above every priority in use and every target), then into place.
  const parking = Math.max(top, order.length * 10) + 1;
  return [
    ...changing.map((rule, index) => ({ id: rule.id, priority: parking + index })),
    ...changing.map((rule) => ({ id: rule.id, priority: target.get(rule.id)! })),
  ];
}
