import { describe, expect, it } from 'vitest';
import { planReorder, type PriorityStep } from './reorder';

/** Applies the steps and checks no step lands on a priority another rule holds at that moment. */
function apply(rules: { id: string; priority: number }[], steps: PriorityStep[]) {
  const state = new Map(rules.map((r) => [r.id, r.priority]));
  for (const step of steps) {
    for (const [id, priority] of state)
      if (id !== step.id) expect(priority).not.toBe(step.priority);
    state.set(step.id, step.priority);
  }
  return [...state.entries()].sort((x, y) => x[1] - y[1]).map(([id]) => id);
}

describe('reordering routing rules', () => {
  const rules = [
    { id: 'a', priority: 5 },
    { id: 'b', priority: 10 },
    { id: 'c', priority: 20 },
  ];

  it('swaps two neighbours through a free priority', () => {
    const steps = planReorder(rules, 1, 0);
    expect(steps).toEqual([
      { id: 'b', priority: 21 },
      { id: 'a', priority: 10 },
      { id: 'b', priority: 5 },
    ]);
    expect(apply(rules, steps)).toEqual(['b', 'a', 'c']);
    expect(apply(rules, planReorder(rules, 1, 2))).toEqual(['a', 'c', 'b']);
  });

  it('renumbers when priorities are tied, never landing on a taken one', () => {
    const tied = [
      { id: 'a', priority: 10 },
      { id: 'b', priority: 10 },
      { id: 'c', priority: 30 },
    ];
    expect(apply(tied, planReorder(tied, 1, 0))).toEqual(['b', 'a', 'c']);
    expect(apply(tied, planReorder(tied, 2, 0))).toEqual(['c', 'a', 'b']);
  });

  it('does nothing for a move to the same place or outside the list', () => {
    expect(planReorder(rules, 1, 1)).toEqual([]);
    expect(planReorder(rules, 0, -1)).toEqual([]);
  });
});
