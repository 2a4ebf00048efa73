import type { Command } from 'commander';
import { maxOf } from '../../core/vector.js';
import { readFileSync } from 'node:fs';
import { UsageError } from '../../core/errors.js';
import { parseTimeMs } from '../../core/units.js';
import { compareTraces, comparisonSummary, errorOverTime, type ColumnMetrics, settlingTime, weightDistance } from '../../emulator/compare/metrics.js';
import { comparisonReport } from '../../report/compare-report.js';
import { engineOptions, helpForSelectedEngines, factoryOf, failureError, prepareEngine, runPrepared, type EngineOptions, type EngineRun } from '../engines.js';
import { ENGINE_NAMES } from '../engine-registry.js';
import type { EngineFactory } from '../../emulator/engine.js';
import { writeOutput } from '../files.js';
import { TraceTable } from '../../emulator/probes/recorder.js';
import { positiveNumber } from '../../core/option-values.js';
import { commandLine } from '../../report/command-line.js';
import { BOARD_INFERENCE_BOUND, comparisonVerdict, worstPoint, type Tolerance } from '../../report/verdict.js';

interface CompareOpts extends EngineOptions {
  a: string;
  b: string;
  report?: string;
  json?: boolean;
  maxShift: string;
  stepAt?: string;
  tolerance?: string;
}

export function registerCompare(program: Command): void {
  const cmd = program
    .command('compare')
    .description('run a network on two engines with the same input and compare: error norms, time shift, settling per layer, cost and weights')
    .argument('<spec>', 'network spec (JSON)')
    .option('--a <engine>', `reference engine: ${ENGINE_NAMES.join(', ')}`, 'digital')
    .option('--b <engine>', `engine compared with it (against the digital engine, a board is compared with the digital engine running the board's algorithm in float on the same frames, so the difference is its fixed-point error)`, 'analog');
  helpForSelectedEngines(engineOptions(cmd), ['a', 'b'])
    .option('--probe <list>', 'what to compare (both engines must record it; spice records u)', 'u')
    .option('--max-shift <time>', 'largest time shift searched', '5ms')
    .option('--step-at <time>', 'settling times per layer after this input step (default: the first input step after 10% of the run, if any)')
    .option('--report <html>', 'write the comparison report (self-contained HTML)')
    .option('--tolerance <x>', "verdict: B passes when max |A − B| is at most this (units of the probes); default for a board against the digital engine: the fixed-point bound 2^-12, else none")
    .option('--json', 'print the metrics as JSON')
    .action((spec: string, o: CompareOpts) => compare(spec, o));
}

export interface Comparison {
  perProbe: ReturnType<typeof compareTraces>;
  /** What the reader must know to read the numbers (plasticity on, shift search at its bound). */
  notes: string[];
  perPopulation: Array<Record<string, string | number>>;
  summary: Record<string, string | number>;
  errorOverTime: Float64Array;
}

/** The metrics of B against A (reference). `stepMs`: where to measure settling, NaN for none. */
export function compareRuns(a: EngineRun, b: EngineRun, maxShiftMs: number, stepMs: number): Comparison {
  const perProbe = compareTraces(a.traces, b.traces, maxShiftMs);
  const byPop = new Map<string, typeof perProbe>();
  for (const m of perProbe) {
    const key = m.column.slice(0, m.column.indexOf('[') >= 0 ? m.column.indexOf('[') : undefined);
    if (!byPop.has(key)) byPop.set(key, []);
    byPop.get(key)!.push(m);
  }
  const perPopulation = [...byPop].map(([key, ms]) => {
    const row: Record<string, string | number> = {
      probes: key,
      neurons: ms.length,
      'RMSE (rms over neurons)': Math.sqrt(ms.reduce((s, m) => s + m.rmse ** 2, 0) / ms.length),
      'max |error|': maxOf(ms.map((m) => m.maxAbs)),
      'mean best shift (ms)': ms.reduce((s, m) => s + m.bestShiftMs, 0) / ms.length,
    };
    if (Number.isFinite(stepMs) && key.startsWith('u:')) {
      row[`settling A (ms)`] = settlingTime(a.traces, ms.map((m) => m.column), stepMs);
      row[`settling B (ms)`] = settlingTime(b.traces, ms.map((m) => m.column), stepMs);
    }
    return row;
  });
  const summary = comparisonSummary(a, b, perProbe);
  for (const [name, run] of [['A', a], ['B', b]] as const) if (typeof run.summary.finalCost === 'number' && Number.isFinite(run.summary.finalCost)) summary[`final cost ${name}`] = run.summary.finalCost;
  if (a.weights && b.weights) {
    const d = [...a.weights].filter(([k]) => b.weights!.has(k)).map(([k, w]) => weightDistance(w, b.weights!.get(k)!));
    if (d.length) summary['weight distance ‖W_B − W_A‖/‖W_A‖ (largest projection)'] = maxOf(d);
  }
  const notes = comparisonNotes(a, b, perProbe, maxShiftMs);
  return { perProbe, notes, perPopulation, summary, errorOverTime: errorOverTime(a.traces, b.traces, perProbe.map((m) => m.column)) };
}

/**
 * Notes on a comparison: plasticity on in either run (the weights move, so the traces are not expected
 * to match), and probes whose best time shift sits on the ±maxShiftMs search bound.
 */
export function comparisonNotes(a: EngineRun, b: EngineRun, perProbe: readonly ColumnMetrics[], maxShiftMs: number): string[] {
  const notes: string[] = [];
  const learning = [['A', a], ['B', b]].filter(([, r]) => (r as EngineRun).summary.learn === true).map(([k, r]) => `${k} (${(r as EngineRun).engine})`);
  if (learning.length) notes.push(`plasticity was on in ${learning.join(' and ')}: learning changes the weights during the run, so the traces are not expected to match; run with --no-learn to compare the engines alone`);
  const atLimit = perProbe.filter((m) => m.shiftAtLimit);
  if (atLimit.length) {
    const shown = atLimit.slice(0, 3).map((m) => `${m.column} ${m.bestShiftMs > 0 ? '+' : ''}${m.bestShiftMs.toPrecision(3)} ms`).join(', ');
    notes.push(`best shift = the search limit (±${maxShiftMs} ms) for ${atLimit.length} of ${perProbe.length} probes (${shown}${atLimit.length > 3 ? ', …' : ''}): the true shift may be larger; widen with --max-shift`);
  }
  return notes;
}

/** The rows of a trace table at or after t0. */
export function fromTime(t: TraceTable, t0: number): TraceTable {
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

/** What B is held to: --tolerance, else the fixed-point bound for a board against the digital engine, else nothing. */
function compareTolerance(given: number | undefined, boardVsFloat: boolean): Tolerance | null {
  if (given !== undefined) return { value: given, what: 'the tolerance' };
  return boardVsFloat ? { value: BOARD_INFERENCE_BOUND, what: 'the fixed-point bound 2⁻¹²' } : null;
}

/**
 * `--seed` chooses the draws of the engines that draw at run time (mismatch, noise); an engine that draws
 * nothing (its weights come from the network's seed) is run without it, and the note says so. With no
 * engine that draws, the seed goes to both, which refuse a seed other than the network's.
 */
function seedPerEngine(fa: EngineFactory, fb: EngineFactory, o: CompareOpts): { a: CompareOpts; b: CompareOpts; note: string | null } {
  if (o.seed === undefined || fa.drawsAtRunTime === fb.drawsAtRunTime) return { a: o, b: o, note: null };
  const [drawer, other] = fa.drawsAtRunTime ? [fa, fb] : [fb, fa];
  const without = { ...o, seed: undefined };
  const note = `--seed ${o.seed} chose the ${drawer.name} engine's draws; the ${other.name} engine draws nothing at run time (its weights come from the network's seed)`;
  return fa.drawsAtRunTime ? { a: o, b: without, note } : { a: without, b: o, note };
}

async function compare(spec: string, o: CompareOpts): Promise<void> {
  if (!o.duration) throw new UsageError('--duration is required (e.g. 500ms or 2s)');
  const givenTolerance = o.tolerance !== undefined ? positiveNumber(o.tolerance, '--tolerance') : undefined;
  const fa = factoryOf(o.a, '--a');
  const fb = factoryOf(o.b, '--b');
  // both engines run with the same plasticity: as given, else off when either stays fixed unless asked
  if (o.learn === undefined && (!fa.learnsByDefault || !fb.learnsByDefault)) o.learn = false;
  const seeded = seedPerEngine(fa, fb, o);
  let pa = await prepareEngine(fa.name, spec, seeded.a, [fb]);
  const pb = await prepareEngine(fb.name, spec, seeded.b, [fa], pa.bytes);
  let oa: CompareOpts = seeded.a;
  const ref = pb.engine.reference;
  if (ref && fa.name === 'digital') {
    // the digital engine runs B's algorithm in float on the same frames: the difference is B's own arithmetic
    oa = { ...seeded.a, method: ref.method, iterations: String(ref.iterations), relaxation: String(ref.relaxation), dt: `${ref.dtMs}ms`, frameMs: ref.frameMs, sampleEvery: `${ref.frameMs}ms` };
    pa = await prepareEngine(fa.name, spec, oa, [fb]);
  }
  let a = await runPrepared(pa, oa);
  let b = await runPrepared(pb, seeded.b);
  for (const run of [a, b]) {
    const failed = failureError(run);
    if (failed) throw failed;
  }
  if (ref) {
    // B's first output is at the end of its first frame: compare from there on
    const t0 = Math.max(a.traces.time()[0] ?? 0, b.traces.time()[0] ?? 0);
    a = { ...a, traces: fromTime(a.traces, t0) };
    b = { ...b, traces: fromTime(b.traces, t0) };
  }
  const ea = a.engine;
  const eb = b.engine;
  const dur = parseTimeMs(o.duration, '--duration');
  let stepMs = o.stepAt ? parseTimeMs(o.stepAt, '--step-at') : NaN;
  if (!o.stepAt && (o.interp ?? 'step') === 'step' && o.input) {
    const times = readFileSync(o.input, 'utf8').split('\n').slice(1).map((l) => Number(l.split(',')[0])).filter((x) => Number.isFinite(x));
    stepMs = times.find((x) => x > 0.1 * dur && x < 0.8 * dur) ?? NaN;
  }
  const c = compareRuns(a, b, parseTimeMs(o.maxShift, '--max-shift'), stepMs);
  if (seeded.note) c.notes.unshift(seeded.note);
  const tolerance = compareTolerance(givenTolerance, Boolean(ref) && fa.name === 'digital');
  const worst = worstPoint(a.traces, b.traces, c.perProbe.map((m) => m.column));
  const verdict = { ...comparisonVerdict(worst, tolerance, { a: ea, b: eb }), maxAbs: worst?.absError ?? null, probe: worst?.column ?? null, timeMs: worst?.timeMs ?? null, tolerance: tolerance?.value ?? null };
  const files: string[] = [];
  if (o.report) {
    files.push(
      writeOutput(
        o.report,
        comparisonReport({
          title: `${a.graph.name}: ${ea} vs ${eb}`,
          intro: `nla compare ${spec} --a ${ea} --b ${eb}${[a, b].map((r) => (r.circuit ? ` (${r.engine}: profile ${r.circuit.profile.name}, seed ${r.circuit.seed})` : '')).join('')}; ${dur} ms with the same input${o.learn ? ', learning on' : ''}.`,
          a: { name: ea, traces: a.traces },
          b: { name: eb, traces: b.traces },
          metrics: c.perProbe,
          errorOverTime: c.errorOverTime,
          perPopulation: c.perPopulation,
          summary: c.summary,
          tolerance,
          header: { command: commandLine() },
          notes: c.notes,
        }),
      ),
    );
  }
  if (o.json) {
    process.stdout.write(JSON.stringify({ verdict, summary: c.summary, notes: c.notes, perPopulation: c.perPopulation, perProbe: c.perProbe, files, runs: { a: a.summary, b: b.summary } }, null, 2) + '\n');
    return;
  }
  const lines = [`${a.graph.name}: ${ea} (A) vs ${eb} (B)`];
  for (const [k, v] of Object.entries(c.summary)) lines.push(`  ${k}: ${typeof v === 'number' ? v.toPrecision(4) : v}`);
  for (const r of c.perPopulation) lines.push(`  ${Object.entries(r).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toPrecision(3) : v}`).join(', ')}`);
  for (const n of c.notes) lines.push(`note: ${n}`);
  for (const f of files) lines.push(`wrote ${f}`);
  process.stdout.write(lines.join('\n') + '\n');
}
