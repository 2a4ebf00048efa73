/**
 * Summary statistics of a Monte Carlo population: mean ± sample standard deviation, quantiles,
 * histograms with stated bin edges, and a yield with its 95 % Wilson score interval.
 */
export interface Distribution {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for one value. */
  sd: number;
  min: number;
  median: number;
  /** 5th and 95th percentiles (linear interpolation between order statistics). */
  p05: number;
  p95: number;
  max: number;
}

export function distribution(xs: readonly number[]): Distribution {
  const v = xs.filter(Number.isFinite);
  const n = v.length;
  if (n === 0) return { n: 0, mean: NaN, sd: NaN, min: NaN, median: NaN, p05: NaN, p95: NaN, max: NaN };
  const s = [...v].sort((a, b) => a - b);
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd, min: s[0]!, median: quantile(s, 0.5), p05: quantile(s, 0.05), p95: quantile(s, 0.95), max: s[n - 1]! };
}

/** The q-quantile of sorted values (type 7: linear between order statistics, as numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Counts of values per bin: `edges` has bins + 1 increasing values; the last bin includes its right edge. */
export interface Histogram {
  edges: number[];
  counts: number[];
}

export function histogram(xs: readonly number[], bins: number): Histogram {
  const v = xs.filter(Number.isFinite);
  if (v.length === 0) return { edges: [0, 1], counts: [0] };
  let lo = Math.min(...v);
  let hi = Math.max(...v);
  if (hi === lo) [lo, hi] = [lo - 0.5 * Math.max(1e-12, Math.abs(lo)), hi + 0.5 * Math.max(1e-12, Math.abs(hi))];
  const k = Math.max(1, Math.floor(bins));
  const edges = Array.from({ length: k + 1 }, (_, i) => lo + ((hi - lo) * i) / k);
  const counts = new Array<number>(k).fill(0);
  for (const x of v) counts[Math.min(k - 1, Math.floor(((x - lo) / (hi - lo)) * k))]! += 1;
  return { edges, counts };
}

/** A yield: passed of n, with the 95 % Wilson score interval of the underlying probability. */
export interface Yield {
  passed: number;
  n: number;
  fraction: number;
  low95: number;
  high95: number;
}

export function yieldOf(passed: number, n: number): Yield {
  if (n === 0) return { passed, n, fraction: NaN, low95: NaN, high95: NaN };
  const z = 1.959963984540054;
  const p = passed / n;
  const den = 1 + (z * z) / n;
  const mid = (p + (z * z) / (2 * n)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / den;
  return { passed, n, fraction: p, low95: passed === 0 ? 0 : Math.max(0, mid - half), high95: passed === n ? 1 : Math.min(1, mid + half) };
}
