/** Nearest-rank percentile of unsorted samples (p in 0..100). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

export interface LatencySummary {
  p50: number;
  p99: number;
  mean: number;
  samples: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), mean: mean(samples), samples: samples.length };
}

/** The median, field by field, of the same summary taken in several runs. */
export function medianOf<T extends { [K in keyof T]: number }>(runs: readonly T[]): T {
  const first = runs[0];
  if (!first) throw new Error('no runs');
  const out = {} as T;
  for (const key of Object.keys(first) as (keyof T)[]) out[key] = median(runs.map((r) => r[key])) as T[keyof T];
  return out;
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
