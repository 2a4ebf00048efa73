import { mismatchKnobs } from '../../compiler/circuit/passes/mismatch-classes.js';
import { Rng } from '../../core/rng.js';
import { distribution, histogram, yieldOf, type Distribution, type Histogram, type Yield } from '../../core/statistics.js';
import { compiledModuleUrl, runPool } from '../../core/worker-pool.js';
import type { Corner } from '../../hardware-models/profiles/corner.js';
import { compareTraces } from '../../emulator/compare/metrics.js';
import { TraceTable } from '../../emulator/probes/recorder.js';
import { chipRunner, type ChipResult, type ChipTask, type MonteCarloSetup } from './chip.js';

/**
 * A Monte Carlo run: N chips per corner, each its own mismatch draw (seed derived from the run's seed and
 * the chip number, the same chip numbers in every corner: paired corners), plus the nominal chips (no
 * mismatch: what quantisation, noise and the profile's systematic flaws cost alone; as many as the
 * sensitivity ranking uses, with the same seeds, so their noise is the same draw) and, for the ranking,
 * M chips per mismatch knob with that knob's σ alone.
 */
export interface MonteCarloOptions {
  setup: MonteCarloSetup;
  runs: number;
  seed: number;
  /** Corners to run (null: the profile as it is, no corner pass). */
  corners: Array<Corner | null>;
  /** Chips per knob for the sensitivity ranking (0: none). */
  sensitivityRuns: number;
  workers: number;
  /** Yield: trace error at most this (units), and task error at most `maxTaskError`, when given. */
  tolerance: number | null;
  maxTaskError: number | null;
  /** The reference the trace error is measured against: the digital engine's run, or the ideal network's outputs. */
  reference: Reference;
  onProgress?: (done: number, total: number) => void;
}

export type Reference =
  | { kind: 'transient'; traces: TraceTable }
  /** Output voltages per image (images × outputs) of the ideal network, and the labels. */
  | { kind: 'classifier'; outputs: number[]; labels: Uint8Array; outputsPerImage: number };

/** One chip as the report shows it. */
export interface ChipSummary {
  chip: number;
  seed: number;
  corner: string;
  mismatch: string;
  /** RMS over the output probes (and over time, or over test images) of chip − reference, units. */
  traceError: number;
  /** transient with targets: RMS of u − u* over the last quarter of the run; classifier: test error rate; else NaN. */
  taskError: number;
  failed: string | null;
  railImages: number;
}

export interface CornerResult {
  corner: string;
  nominal: ChipSummary;
  chips: ChipSummary[];
  traceError: Distribution;
  taskError: Distribution;
  traceHistogram: Histogram;
  taskHistogram: Histogram;
  failed: number;
  yield: Yield | null;
}

export interface SensitivityEntry {
  /** The profile's σ field, e.g. `synapses.gainSigma`. */
  knob: string;
  classes: string[];
  sigma: number;
  /** RMS trace error over the M chips with this knob alone. */
  traceErrorRms: number;
  /** Its mean-square trace error above the nominal chip's, and that as a share of the knobs' sum. */
  excessMs: number;
  share: number;
}

export interface MonteCarloResult {
  corners: CornerResult[];
  sensitivity: { runs: number; entries: SensitivityEntry[]; allKnobsExcessMs: number; sumOfKnobsExcessMs: number } | null;
  referenceTaskError: number;
  chipSeeds: number[];
}

/** Chip i's seed: a named sub-stream of the run's seed (core/rng.ts), so chip i is the same chip in every corner and run size. */
export function chipSeed(seed: number, chip: number): number {
  return new Rng(seed).fork(`chip:${chip}`).nextUint32();
}

export async function runMonteCarlo(o: MonteCarloOptions): Promise<MonteCarloResult> {
  const tasks = planTasks(o);
  const results = await runPool<MonteCarloSetup, ChipTask, ChipResult>({
    workers: o.workers,
    // one worker runs the chips in this thread (`local`): no compiled worker module needed then
    moduleUrl: o.workers > 1 ? compiledModuleUrl('chip-worker.js', import.meta.url) : new URL(import.meta.url),
    local: chipRunner,
    setup: o.setup,
    tasks,
    onResult: (_, done) => o.onProgress?.(done, tasks.length),
  });
  const summaries = results.map((r) => summarise(r, o));
  const corners = o.corners.map((c) => cornerResult(c?.name ?? 'as profiled', summaries, o));
  return { corners, sensitivity: sensitivity(summaries, o), referenceTaskError: referenceTaskError(o), chipSeeds: Array.from({ length: o.runs }, (_, i) => chipSeed(o.seed, i)) };
}

function planTasks(o: MonteCarloOptions): ChipTask[] {
  const tasks: ChipTask[] = [];
  const add = (chip: number, corner: Corner | null, mismatch: string) => tasks.push({ id: tasks.length, chip, seed: chipSeed(o.seed, chip), corner, mismatch });
  // nominal chips (no mismatch) with the seeds of the first chips: their noise is the same draw, so the
  // sensitivity ranking compares like with like
  const nominals = Math.max(1, o.sensitivityRuns);
  for (const c of o.corners) {
    for (let i = 0; i < nominals; i++) add(i, c, 'none');
    for (let i = 0; i < o.runs; i++) add(i, c, 'all');
  }
  if (o.sensitivityRuns > 0) for (const k of mismatchKnobs(o.setup.profile)) for (let i = 0; i < o.sensitivityRuns; i++) add(i, o.corners[0] ?? null, k.field);
  return tasks;
}

function summarise(r: ChipResult, o: MonteCarloOptions): ChipSummary {
  const base = { chip: r.task.chip, seed: r.task.seed, corner: r.task.corner?.name ?? 'as profiled', mismatch: r.task.mismatch, railImages: r.railImages };
  if (r.failure) return { ...base, traceError: NaN, taskError: NaN, failed: `${r.failure.what} at t = ${r.failure.timeMs} ms in ${r.failure.where}` };
  const ref = o.reference;
  if (ref.kind === 'classifier') return { ...base, ...classifierErrors(r.outputs!, ref), failed: null };
  return { ...base, ...transientErrors(r.traces!, ref.traces), failed: null };
}

function transientErrors(t: NonNullable<ChipResult['traces']>, ref: TraceTable): { traceError: number; taskError: number } {
  const chip = new TraceTable(t.names, Math.max(1, t.time.length));
  const row = new Float64Array(t.names.length);
  t.time.forEach((tm, r) => {
    t.columns.forEach((c, i) => (row[i] = c[r]!));
    chip.push(tm, row);
  });
  const m = compareTraces(ref, chip, 0).filter((x) => x.column.startsWith('u:'));
  const traceError = Math.sqrt(m.reduce((s, x) => s + x.rmse ** 2, 0) / Math.max(1, m.length));
  let se = 0;
  let n = 0;
  const tEnd = t.time[t.time.length - 1] ?? 0;
  for (const name of t.names.filter((x) => x.startsWith('ustar:'))) {
    const u = t.columns[t.names.indexOf(`u:${name.slice(6)}`)];
    const us = t.columns[t.names.indexOf(name)]!;
    if (!u) continue;
    t.time.forEach((tm, r) => {
      if (tm < 0.75 * tEnd || !Number.isFinite(us[r]!)) return;
      se += (u[r]! - us[r]!) ** 2;
      n++;
    });
  }
  return { traceError, taskError: n ? Math.sqrt(se / n) : NaN };
}

function classifierErrors(outputs: number[], ref: Extract<Reference, { kind: 'classifier' }>): { traceError: number; taskError: number } {
  const O = ref.outputsPerImage;
  let se = 0;
  let wrong = 0;
  const images = ref.labels.length;
  for (let k = 0; k < images; k++) {
    let best = 0;
    for (let j = 0; j < O; j++) {
      se += (outputs[k * O + j]! - ref.outputs[k * O + j]!) ** 2;
      if (outputs[k * O + j]! > outputs[k * O + best]!) best = j;
    }
    if (best !== ref.labels[k]) wrong++;
  }
  return { traceError: Math.sqrt(se / (images * O)), taskError: wrong / images };
}

function referenceTaskError(o: MonteCarloOptions): number {
  const ref = o.reference;
  if (ref.kind !== 'classifier') return NaN;
  return classifierErrors(ref.outputs, ref).taskError;
}

function cornerResult(name: string, all: ChipSummary[], o: MonteCarloOptions): CornerResult {
  const mine = all.filter((s) => s.corner === name);
  const chips = mine.filter((s) => s.mismatch === 'all');
  const ok = chips.filter((s) => !s.failed);
  const tr = ok.map((s) => s.traceError);
  const ta = ok.map((s) => s.taskError).filter(Number.isFinite);
  const pass = (s: ChipSummary) => !s.failed && (o.tolerance === null || s.traceError <= o.tolerance) && (o.maxTaskError === null || s.taskError <= o.maxTaskError);
  const bins = Math.max(5, Math.min(30, Math.ceil(Math.sqrt(chips.length) * 2)));
  return {
    corner: name,
    nominal: mine.find((s) => s.mismatch === 'none' && s.chip === 0)!,
    chips,
    traceError: distribution(tr),
    taskError: distribution(ta),
    traceHistogram: histogram(tr, bins),
    taskHistogram: histogram(ta, bins),
    failed: chips.length - ok.length,
    yield: o.tolerance === null && o.maxTaskError === null ? null : yieldOf(chips.filter(pass).length, chips.length),
  };
}

function sensitivity(all: ChipSummary[], o: MonteCarloOptions): MonteCarloResult['sensitivity'] {
  if (o.sensitivityRuns === 0) return null;
  const corner = o.corners[0]?.name ?? 'as profiled';
  const at = all.filter((s) => s.corner === corner);
  const ms = (xs: ChipSummary[]) => xs.reduce((s, x) => s + x.traceError ** 2, 0) / Math.max(1, xs.length);
  const base = ms(at.filter((s) => s.mismatch === 'none' && s.chip < o.sensitivityRuns));
  const entries: SensitivityEntry[] = mismatchKnobs(o.setup.profile).map((k) => {
    const chips = at.filter((s) => s.mismatch === k.field);
    const m = chips.some((s) => s.failed) ? Infinity : ms(chips);
    return { knob: k.field, classes: k.classes, sigma: k.sigma(o.setup.profile), traceErrorRms: Math.sqrt(m), excessMs: m - base, share: 0 };
  });
  const sum = entries.reduce((s, e) => s + Math.max(0, e.excessMs), 0);
  for (const e of entries) e.share = sum > 0 ? Math.max(0, e.excessMs) / sum : 0;
  entries.sort((a, b) => b.excessMs - a.excessMs);
  const allChips = at.filter((s) => s.mismatch === 'all' && s.chip < o.sensitivityRuns);
  return { runs: o.sensitivityRuns, entries, allKnobsExcessMs: ms(allChips) - base, sumOfKnobsExcessMs: sum };
}
