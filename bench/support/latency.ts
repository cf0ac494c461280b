export interface LatencyStats {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles in milliseconds, rounded to 0.1 ms. */
export function percentiles(samples: number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length === 0
      ? NaN
      : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  const round = (value: number) => Math.round(value * 10) / 10;
  return { p50: round(at(50)), p90: round(at(90)), p99: round(at(99)), max: round(at(100)) };
}
