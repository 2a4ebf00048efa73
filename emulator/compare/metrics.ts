import { UsageError } from '../../core/errors.js';
import type { TraceTable } from '../probes/recorder.js';

/** How trace B departs from trace A, per recorded column (A is the reference). */
export interface ColumnMetrics {
  column: string;
  rmse: number;
  maxAbs: number;
  /** rmse divided by the range of A (max − min). */
  nrmse: number;
  /** The shift s (ms) minimising rms(A(t) − B(t + s)): positive when B lags A. */
  bestShiftMs: number;
  /** rmse after that shift. */
  rmseShifted: number;
  /**
   * The best grid shift lies on the search bound (±maxShiftMs, not 0): the true shift may be larger,
   * and the search should be widened.
   */
  shiftAtLimit: boolean;
}

/** B's values at A's sample times (linear interpolation; NaN outside B's time range). */
export function resample(b: TraceTable, column: string, times: Float64Array, shiftMs = 0): Float64Array {
  const tb = b.time();
  const vb = b.column(column);
  const out = new Float64Array(times.length);
  let k = 0;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]! + shiftMs;
    if (t < tb[0]! - 1e-9 || t > tb[tb.length - 1]! + 1e-9) {
      out[i] = NaN;
      continue;
    }
    while (k < tb.length - 2 && tb[k + 1]! < t) k++;
    while (k > 0 && tb[k]! > t) k--;
    const span = tb[k + 1]! - tb[k]!;
    const a = span > 0 ? Math.min(1, Math.max(0, (t - tb[k]!) / span)) : 0;
    out[i] = vb[k]! + a * ((vb[k + 1] ?? vb[k]!) - vb[k]!);
  }
  return out;
}

function rms(a: Float64Array, b: Float64Array): { rmse: number; maxAbs: number } {
  let s = 0;
  let n = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (!Number.isFinite(d)) continue;
    s += d * d;
    n++;
    m = Math.max(m, Math.abs(d));
  }
  return { rmse: n ? Math.sqrt(s / n) : NaN, maxAbs: m };
}

/** Metrics of every column present in both tables (`cost` and `fmax` excluded), B resampled onto A's times. */
export function compareTraces(a: TraceTable, b: TraceTable, maxShiftMs: number): ColumnMetrics[] {
  const ta = a.time();
  const dt = ta.length > 1 ? ta[1]! - ta[0]! : 1;
  const out: ColumnMetrics[] = [];
  for (const column of a.names) {
    if (column === 'cost' || column === 'fmax' || !b.names.includes(column)) continue;
    const va = a.column(column);
    const vb = resample(b, column, ta);
    const { rmse, maxAbs } = rms(va, vb);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of va) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    // best shift: grid at the sample interval, then a parabola through the best three
    const steps = Math.max(1, Math.round(maxShiftMs / dt));
    const errAt = (s: number) => rms(va, resample(b, column, ta, s)).rmse;
    let bestK = 0;
    let best = errAt(0);
    const errs = new Map<number, number>([[0, best]]);
    for (let k = -steps; k <= steps; k++) {
      if (k === 0) continue;
      const e = errAt(k * dt);
      errs.set(k, e);
      if (e < best) {
        best = e;
        bestK = k;
      }
    }
    let shift = bestK * dt;
    const em = errs.get(bestK - 1);
    const ep = errs.get(bestK + 1);
    if (em !== undefined && ep !== undefined) {
      const den = em - 2 * best + ep;
      if (den > 0) shift += (0.5 * (em - ep) / den) * dt;
    }
    out.push({ column, rmse, maxAbs, nrmse: hi > lo ? rmse / (hi - lo) : NaN, bestShiftMs: shift, rmseShifted: Math.min(best, errAt(shift)), shiftAtLimit: bestK !== 0 && Math.abs(bestK) === steps });
  }
  return out;
}

/** Per time: the largest |A − B| over the compared columns. */
export function errorOverTime(a: TraceTable, b: TraceTable, columns: string[]): Float64Array {
  const ta = a.time();
  const out = new Float64Array(ta.length);
  for (const c of columns) {
    const va = a.column(c);
    const vb = resample(b, c, ta);
    for (let i = 0; i < ta.length; i++) {
      const d = Math.abs(va[i]! - vb[i]!);
      if (d > out[i]! || Number.isNaN(d)) out[i] = Number.isNaN(d) ? out[i]! : d;
    }
  }
  return out;
}

/**
 * Settling time of a population after an input step at `stepMs`: the last time its response, projected
 * on its total change, is more than 5 % away from the final value (theory's instantaneity measure).
 */
export function settlingTime(t: TraceTable, columns: string[], stepMs: number): number {
  const time = t.time();
  const k0 = time.findIndex((x) => x >= stepMs) - 1;
  if (k0 < 0 || columns.length === 0) return NaN;
  const cols = columns.map((c) => t.column(c));
  const before = cols.map((c) => c[k0]!);
  const delta = cols.map((c, i) => c[c.length - 1]! - before[i]!);
  const norm = delta.reduce((s, x) => s + x * x, 0);
  if (!(norm > 1e-20)) return NaN;
  let last = stepMs;
  for (let k = k0 + 1; k < time.length; k++) {
    const s = cols.reduce((acc, c, i) => acc + (c[k]! - before[i]!) * delta[i]!, 0) / norm;
    if (Math.abs(s - 1) > 0.05) last = time[k]!;
  }
  return last - stepMs;
}

/** ‖W_b − W_a‖_F / ‖W_a‖_F. */
export function weightDistance(a: Float64Array, b: Float64Array): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i]! - b[i]!) ** 2;
    n += a[i]! ** 2;
  }
  return Math.sqrt(d / (n || 1));
}

/**
 * The comparison's headline over every probe, keyed as `nla compare` prints them (engines, probes compared,
 * RMSE over all probes, max |error|, median best shift). Two runs with no probe in common have nothing to
 * compare: refused, naming the first probes of each.
 */
export function comparisonSummary(a: { engine: string; traces: TraceTable }, b: { engine: string; traces: TraceTable }, perProbe: readonly ColumnMetrics[]): Record<string, string | number> {
  if (perProbe.length === 0) throw new UsageError(`the two runs record no probe in common (A: ${a.traces.names.slice(0, 5).join(', ')}; B: ${b.traces.names.slice(0, 5).join(', ')})`);
  const shifts = perProbe.map((m) => m.bestShiftMs).sort((x, y) => x - y);
  return {
    'engine A': a.engine,
    'engine B': b.engine,
    'probes compared': perProbe.length,
    'RMSE over all probes': Math.sqrt(perProbe.reduce((s, m) => s + m.rmse ** 2, 0) / perProbe.length),
    'max |error|': perProbe.reduce((s, m) => Math.max(s, m.maxAbs), -Infinity),
    'median best shift (ms)': shifts[Math.floor(shifts.length / 2)]!,
  };
}
