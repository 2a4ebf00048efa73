/**
 * The board's run against the digital engine's, as `nla compare --a digital --b board` makes it: the
 * digital engine runs the board's algorithm in float on the same frames (BoardEngine.reference: implicit
 * method, the board's step, iterations and relaxation, sampled once per frame, plasticity off), both runs
 * are compared from the board's first output on, and the verdict holds the board to the fixed-point
 * bound 2⁻¹² unless a tolerance is given. The difference is then the board's own fixed-point arithmetic.
 */
import { BOARD_INFERENCE_BOUND, comparisonVerdict, worstPoint } from '../report/verdict.js';
import { TraceTable } from '../emulator/probes/recorder.js';
import type { BoardRun } from './board-run.js';
import { compareWebRuns, type WebComparison } from './compare-runs.js';
import { runWebEngine, type WebRun, type WebRunRequest } from './run-engine.js';

/** `nla compare`'s default largest time shift searched, ms (--max-shift 5ms). */
export const COMPARE_MAX_SHIFT_MS = 5;

/** The rows of `t` at or after `t0` (cli/commands/compare.ts fromTime). */
export function tracesFrom(t: TraceTable, t0: number): TraceTable {
  const out = new TraceTable(t.names, Math.max(1, t.rows));
  const time = t.time();
  const cols = t.names.map((_, i) => t.columnAt(i));
  const row = new Float64Array(cols.length);
  for (let r = 0; r < t.rows; r++) {
    if (time[r]! < t0 - 1e-9) continue;
    for (let c = 0; c < cols.length; c++) row[c] = cols[c]![r]!;
    out.push(time[r]!, row);
  }
  return out;
}

/** The digital engine's run of the board's algorithm in float on the same network, input and duration. */
export function digitalReferenceRun(req: Omit<WebRunRequest, 'engine'>, ref: BoardRun['reference']): Promise<WebRun> {
  const options = { method: ref.method, iterations: String(ref.iterations), relaxation: String(ref.relaxation), dt: `${ref.dtMs}ms` };
  return runWebEngine({ engine: 'digital', spec: req.spec, input: req.input, durationMs: req.durationMs, sampleEveryMs: ref.frameMs, learn: false, options }, () => {});
}

/** The board (B) against the digital engine (A) from the board's first output on; `tolerance` null: the fixed-point bound. */
export function compareBoardWithDigital(digital: WebRun, board: WebRun, tolerance: number | null = null): WebComparison {
  const t0 = Math.max(digital.traces.time()[0] ?? 0, board.traces.time()[0] ?? 0);
  const a = { ...digital, traces: tracesFrom(digital.traces, t0) };
  const b = { ...board, traces: tracesFrom(board.traces, t0) };
  const c = compareWebRuns(a, b, COMPARE_MAX_SHIFT_MS, tolerance ?? BOARD_INFERENCE_BOUND);
  if (tolerance !== null) return c;
  // the verdict names the bound as `nla compare` does
  const worst = worstPoint(a.traces, b.traces, c.perProbe.map((m) => m.column));
  return { ...c, verdict: { ...c.verdict, ...comparisonVerdict(worst, { value: BOARD_INFERENCE_BOUND, what: 'the fixed-point bound 2⁻¹²' }, { a: a.engine, b: b.engine }) } };
}
