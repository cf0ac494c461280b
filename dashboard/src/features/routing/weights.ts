/**
 * Target weights as whole percentages that always add up to 100. The server takes any positive
 * integers and splits by their ratio; the editor shows and sends percentages.
 */

/** Largest-remainder rounding of `parts` (any non-negative numbers) to integers ≥ `min` summing to `total`. */
function apportion(parts: number[], total: number, min = 1): number[] {
  const n = parts.length;
  if (n === 0) return [];
  const sum = parts.reduce((a, b) => a + b, 0);
  const shares = parts.map((p) => (sum > 0 ? (p / sum) * total : total / n));
  const result = shares.map(Math.floor);
  let left = total - result.reduce((a, b) => a + b, 0);
  const order = shares
    .map((s, i) => ({ i, r: s - Math.floor(s) }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    result[i]! += 1;
    left -= 1;
  }
  // Every target keeps at least `min`, taken from the largest.
  for (let i = 0; i < n; i++) {
    while (result[i]! < min) {
      const largest = result.indexOf(Math.max(...result));
      result[largest]! -= 1;
      result[i]! += 1;
    }
  }
  return result;
}

/** The server's weights (e.g. 1 and 2) as percentages (33 and 67). */
export function toPercentages(weights: number[]): number[] {
  return apportion(weights, 100);
}

/**
 * Sets one target's share and spreads the rest over the others in proportion to their current
 * shares, each keeping at least 1 %.
 */
export function setShare(percentages: number[], index: number, value: number): number[] {
  const n = percentages.length;
  if (n <= 1) return [100];
  const own = Math.min(Math.max(Math.round(value), 1), 100 - (n - 1));
  const others = percentages.filter((_, i) => i !== index);
  const spread = apportion(others, 100 - own);
  const result: number[] = [];
  let k = 0;
  for (let i = 0; i < n; i++) result.push(i === index ? own : spread[k++]!);
  return result;
}

/** Shares after adding a target (it gets an equal share) or removing one. */
export function withTargetAdded(percentages: number[]): number[] {
  if (percentages.length === 0) return [100];
  return setShare(
    [...percentages, 0],
    percentages.length,
    Math.round(100 / (percentages.length + 1)),
  );
}

export function withTargetRemoved(percentages: number[], index: number): number[] {
  return toPercentages(percentages.filter((_, i) => i !== index));
}
