/**
 * The comparison the page shows: the metrics of `nla compare` (emulator/compare/metrics.ts: RMSE, max
 * |error|, best time shift per probe, error over time) and its verdict line (report/verdict.ts), B against A.
 */
import { compareTraces, comparisonSummary, errorOverTime, type ColumnMetrics } from '../emulator/compare/metrics.js';
import { comparisonVerdict, worstPoint, type Verdict } from '../report/verdict.js';
import type { WebRun } from './run-engine.js';

/** B against A, as `nla compare --json` reports it (summary keys spelled the same). */
export interface WebComparison {
  summary: Record<string, string | number>;
  perProbe: ColumnMetrics[];
  verdict: Verdict & { maxAbs: number | null; probe: string | null; timeMs: number | null; tolerance: number | null };
  errorOverTime: { timeMs: number[]; maxAbs: number[] };
}

/** Compares two runs; `tolerance` (units of the probes) gives a pass/fail verdict, null an informative one. */
export function compareWebRuns(a: WebRun, b: WebRun, maxShiftMs: number, tolerance: number | null): WebComparison {
  const perProbe = compareTraces(a.traces, b.traces, maxShiftMs);
  const columns = perProbe.map((m) => m.column);
  const summary = comparisonSummary(a, b, perProbe);
  const worst = worstPoint(a.traces, b.traces, columns);
  const tol = tolerance === null ? null : { value: tolerance, what: 'the tolerance' };
  const verdict = { ...comparisonVerdict(worst, tol, { a: a.engine, b: b.engine }), maxAbs: worst?.absError ?? null, probe: worst?.column ?? null, timeMs: worst?.timeMs ?? null, tolerance };
  return { summary, perProbe, verdict, errorOverTime: { timeMs: [...a.traces.time()], maxAbs: [...errorOverTime(a.traces, b.traces, columns)] } };
}
