import { distribution } from '../core/statistics.js';
import type { ResultRow } from './results.js';

/** The option a sweep varies to repeat a point with other random draws. */
export const SEED_OPTION = '--seed';

/** One group of points that differ only in their seed: the metric's spread across the seeds that finished. */
export interface SeedGroup {
  /** The other swept options' values. */
  params: Record<string, string | number | boolean>;
  /** Seeds whose job finished with the metric, in sweep order. */
  seeds: Array<string | number | boolean>;
  /** Seeds whose job failed or has no such metric (never averaged in silently). */
  missing: Array<string | number | boolean>;
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); NaN for fewer than two seeds. */
  sd: number;
  min: number;
  max: number;
}

/**
 * With `--seed` among the swept options: the rows grouped by the other options' values, and `metric`'s
 * mean ± sample sd, min and max across the seeds of each group (a claim that holds for one seed only
 * shows as a wide spread). Null when the sweep does not vary the seed.
 */
export function seedSummary(parameters: readonly string[], rows: readonly ResultRow[], metric: string): SeedGroup[] | null {
  if (!parameters.includes(SEED_OPTION)) return null;
  const others = parameters.filter((p) => p !== SEED_OPTION);
  const groups = new Map<string, SeedGroup & { values: number[] }>();
  for (const r of rows) {
    const key = JSON.stringify(others.map((p) => r[p] ?? null));
    const g = groups.get(key) ?? { params: Object.fromEntries(others.map((p) => [p, r[p]!])), seeds: [], missing: [], values: [], n: 0, mean: NaN, sd: NaN, min: NaN, max: NaN };
    groups.set(key, g);
    const v = r[metric];
    if (r.status === 'done' && typeof v === 'number') {
      g.seeds.push(r[SEED_OPTION]!);
      g.values.push(v);
    } else g.missing.push(r[SEED_OPTION]!);
  }
  return [...groups.values()].map(({ values, ...g }) => {
    const d = distribution(values);
    return { ...g, n: d.n, mean: d.mean, sd: d.n > 1 ? d.sd : NaN, min: d.min, max: d.max };
  });
}
