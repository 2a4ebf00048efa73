import type { TraceTable } from '../emulator/probes/recorder.js';
import { resample } from '../emulator/compare/metrics.js';

/**
 * The fixed-point error bound for inference on the board (docs/protocol.md): 2⁻¹² in model units. A board
 * compared with the digital engine running its algorithm in float passes when its largest error is within it.
 */
export const BOARD_INFERENCE_BOUND = 2 ** -12;

/** Where B departs most from A: the probe, the time (model ms) and |A − B| there. */
export interface WorstPoint {
  column: string;
  timeMs: number;
  absError: number;
  /** True when A or B holds a non-finite value (the run diverged) at `timeMs`; `absError` is then Infinity. */
  nonFinite: boolean;
}

/** What a comparison is held to: B passes when max |A − B| ≤ `value`; `what` names it on the page. */
export interface Tolerance {
  value: number;
  what: string;
}

/** A page's one-line answer: pass (within tolerance), fail (not), or info (nothing to hold it to). */
export interface Verdict {
  status: 'pass' | 'fail' | 'info';
  text: string;
}

/**
 * The largest |A − B| over the given columns at A's sample times (B interpolated, as the comparison metrics do;
 * times outside B's range are skipped). A non-finite value of A, or of B inside its range, is the worst point.
 * Null when no column has a sample in common.
 */
export function worstPoint(a: TraceTable, b: TraceTable, columns: readonly string[]): WorstPoint | null {
  const ta = a.time();
  let worst: WorstPoint | null = null;
  for (const column of columns) {
    const va = a.column(column);
    const vb = resample(b, column, ta);
    const tb = b.time();
    for (let i = 0; i < ta.length; i++) {
      const inB = ta[i]! >= tb[0]! - 1e-9 && ta[i]! <= tb[tb.length - 1]! + 1e-9;
      if (!inB) continue;
      if (!Number.isFinite(va[i]!) || !Number.isFinite(vb[i]!)) {
        if (!worst?.nonFinite || ta[i]! < worst.timeMs) worst = { column, timeMs: ta[i]!, absError: Infinity, nonFinite: true };
        break;
      }
      const d = Math.abs(va[i]! - vb[i]!);
      if (!worst || (!worst.nonFinite && d > worst.absError)) worst = { column, timeMs: ta[i]!, absError: d, nonFinite: false };
    }
  }
  return worst;
}

/** A number for a verdict: three significant digits, exponent form (8.20e-5). */
export function verdictNumber(v: number): string {
  return v.toExponential(2);
}

/**
 * The verdict of B against A from the worst point: within the tolerance when max |A − B| ≤ tolerance (equal
 * passes), with by how much (as a share of the tolerance, or as a multiple of it) and where (probe, time in ms).
 */
export function comparisonVerdict(w: WorstPoint | null, tol: Tolerance | null, names: { a: string; b: string }): Verdict {
  if (!w) return { status: 'fail', text: `FAIL: ${names.a} and ${names.b} have no sample of a common probe in common: nothing was compared.` };
  const where = `on ${w.column} at t = ${w.timeMs.toFixed(1)} ms`;
  if (w.nonFinite) return { status: 'fail', text: `FAIL: a value is not finite ${where} (a run diverged): the comparison is void from there on.` };
  const err = `max |A − B| = ${verdictNumber(w.absError)}`;
  if (tol === null) return { status: 'info', text: `No tolerance set: ${err} ${where} (A = ${names.a}, B = ${names.b}).` };
  if (!(tol.value > 0) || !Number.isFinite(tol.value)) throw new RangeError(`tolerance: expected a positive finite number, got ${tol.value}`);
  if (w.absError <= tol.value) {
    return { status: 'pass', text: `PASS: within ${tol.what} ${verdictNumber(tol.value)}: ${err} (${(100 * (w.absError / tol.value)).toFixed(0)} % of it) ${where} (A = ${names.a}, B = ${names.b}).` };
  }
  return { status: 'fail', text: `FAIL: outside ${tol.what} ${verdictNumber(tol.value)}: ${err} (${(w.absError / tol.value).toFixed(1)}× it) ${where} (A = ${names.a}, B = ${names.b}).` };
}
