import { wholeSteps } from '../../core/units.js';
import { NumericalError, UsageError } from '../../core/errors.js';
import { maxAbs, maxOf } from '../../core/vector.js';
import type { Drive } from '../drive.js';
import { columnLabel, type Probe } from '../probes/probe.js';
import { TraceTable } from '../probes/recorder.js';
import { checkDriveFits } from '../stimulus/signal-drive.js';
import { DigitalObserver } from './observe.js';
import type { DigitalSimulator } from './simulator.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';

export interface DigitalRunRequest {
  durationMs: number;
  drive: Drive;
  probes?: Probe[];
  /** Interval between recorded rows, ms (rounded to whole steps; default every step). */
  sampleEveryMs?: number;
  /** Interval between weight snapshots, ms, from the run's start; the final weights are always the last one. None by default. */
  weightsEveryMs?: number;
  /** A numerical failure: thrown (default), or returned with what was recorded before it. */
  onFailure?: 'throw' | 'return';
  /** Called about twice a second of wall time with the fraction done. */
  onProgress?: (fraction: number, tMs: number, stepsPerSecond: number) => void;
  /** Called right after each progress report with the table as recorded so far (RunRequest.onTraces). */
  onTraces?: (traces: TraceTable) => void;
  /** Progress (and onTraces) every this many ms of model time, whole steps (RunRequest.progressEveryMs); default about twice a second of wall time. */
  progressEveryMs?: number;
}

export interface WeightSnapshot {
  tMs: number;
  weights: Record<string, number[]>;
}

/** Machine-readable outcome of a run (what `nla simulate --json` prints). */
export interface RunSummary {
  engine: 'digital';
  method: string;
  solver: string;
  lookahead: boolean;
  learn: boolean;
  batch: number;
  /** The digital engine's 'recompute' (the bit-for-bit reference), 'incremental' or 'lowrank' (DigitalOptions.inputProducts); absent for engines without it (the analog emulator reports its own, AnalogSummary.inputProducts). */
  inputProducts?: 'recompute' | 'incremental' | 'lowrank';
  dtMs: number;
  steps: number;
  simulatedMs: number;
  wallMs: number;
  stepsPerSecond: number;
  /** Cost C = ½‖P(u* − u)‖², averaged over the batch and over the last 10 % of the run (NaN without targets). */
  finalCost: number;
  /** Cost averaged over the first 10 % of the run, for comparison. */
  initialCost: number;
  /** max |f| after the initial transient (t ≥ 10 τ_max, or the second half of runs shorter than 20 τ_max). */
  maxAbsF: number;
  maxAbsU: number;
  seed: number;
}

export interface DigitalRunResult {
  traces: TraceTable;
  snapshots: WeightSnapshot[];
  summary: RunSummary;
  /** With `onFailure: 'return'`: the failure that ended the run early; null otherwise. */
  failure: NumericalError | null;
}

/**
 * Runs the simulator for `durationMs` (a whole number of steps, else a UsageError) from its current state,
 * recording probes and a summary. A NumericalError is thrown, or with `onFailure: 'return'` returned as
 * `failure` together with everything recorded before it (the summary then counts the steps done).
 */
export function runDigital(sim: DigitalSimulator, req: DigitalRunRequest): DigitalRunResult {
  checkDriveFits(req.drive, sim.graph.nStimulusInputs, sim.graph.outputs.length);
  const dt = sim.options.dtMs;
  const steps = wholeSteps(req.durationMs, dt);
  const rec = new RunRecorder(sim, req, steps);
  const report = req.onProgress || req.onTraces ? (f: number, t: number, sps: number) => (req.onProgress?.(f, t, sps), req.onTraces?.(rec.traces)) : undefined;
  if (req.progressEveryMs !== undefined && !(req.progressEveryMs > 0)) throw new UsageError(`progressEveryMs: expected a positive time in ms, got ${req.progressEveryMs}`);
  const everySteps = req.progressEveryMs !== undefined ? Math.max(1, Math.round(req.progressEveryMs / dt)) : undefined;
  const progress = new ProgressClock(report, steps, everySteps);
  let failure: NumericalError | null = null;
  let done = 0;
  try {
    for (; done < steps; done++) {
      sim.step(req.drive, (sm) => rec.observe(sm, done));
      progress.tick(done, sim.tMs);
    }
  } catch (e) {
    if (!(e instanceof NumericalError) || req.onFailure !== 'return') throw e;
    failure = e;
  }
  rec.finish();
  return { traces: rec.traces, snapshots: rec.snapshots, summary: rec.summary(done, progress.elapsedMs()), failure };
}

/** Reports progress about twice a second of wall time, or every `everySteps` steps when given. */
class ProgressClock {
  private readonly start = performance.now();
  private last = this.start;

  constructor(
    private readonly report: DigitalRunRequest['onProgress'],
    private readonly steps: number,
    private readonly everySteps: number | undefined,
  ) {}

  tick(s: number, tMs: number): void {
    if (!this.report) return;
    if (this.everySteps !== undefined) {
      if ((s + 1) % this.everySteps === 0) this.report((s + 1) / this.steps, tMs, (s + 1) / ((performance.now() - this.start) / 1000));
      return;
    }
    if ((s & 255) !== 0) return;
    const now = performance.now();
    if (now - this.last <= 500) return;
    this.last = now;
    this.report((s + 1) / this.steps, tMs, (s + 1) / ((now - this.start) / 1000));
  }

  elapsedMs(): number {
    return performance.now() - this.start;
  }
}

/** What a run records step by step: the trace rows, the cost, max |f| and |u|, weight snapshots. */
class RunRecorder {
  readonly traces: TraceTable;
  readonly snapshots: WeightSnapshot[] = [];
  private readonly row: Float64Array;
  private readonly extra: string[];
  private readonly observer: DigitalObserver;
  private readonly probes: Probe[];
  private readonly costs: Float64Array;
  private readonly every: number;
  private readonly wEvery: number;
  private readonly transientEnd: number;
  private maxF = 0;
  private maxU = 0;

  constructor(
    private readonly sim: DigitalSimulator,
    private readonly req: DigitalRunRequest,
    steps: number,
  ) {
    const { B } = sim.layout;
    const dt = sim.options.dtMs;
    this.every = Math.max(1, Math.round((req.sampleEveryMs ?? dt) / dt));
    this.wEvery = req.weightsEveryMs ? Math.max(1, Math.round(req.weightsEveryMs / dt)) : 0;
    this.probes = req.probes ?? [];
    // two summary columns come first: the cost C (with targets) and max |f| over all neurons
    this.extra = req.drive.targetChannels > 0 ? ['cost', 'fmax'] : ['fmax'];
    const names = [...this.extra, ...this.probes.flatMap((p) => p.indices.flatMap((i) => Array.from({ length: B }, (_, b) => columnLabel(p, i, b, B))))];
    this.traces = new TraceTable(names);
    this.row = new Float64Array(names.length);
    this.observer = new DigitalObserver(sim);
    this.costs = new Float64Array(steps);
    const tauMax = maxOf(sim.graph.neurons.map((p) => p.tauMs));
    this.transientEnd = sim.tMs + (req.durationMs >= 20 * tauMax ? 10 * tauMax : req.durationMs / 2);
  }

  /** Inside step s, after u̇ is known: the step's cost, extremes, and its row and snapshot when due. */
  observe(sm: DigitalSimulator, s: number): void {
    const w = sm.workspace;
    const { B, N } = sm.layout;
    let c = 0;
    for (let i = 0; i < B * N; i++) {
      if (!w.nudge[i]) continue;
      const d = w.ustar[i]! - w.u[i]!;
      c += 0.5 * d * d; // d * d, not d ** 2: ** is implementation-approximated (ECMAScript Math.pow)
    }
    this.costs[s] = this.req.drive.targetChannels ? c / B : NaN;
    if (sm.tMs >= this.transientEnd) this.maxF = Math.max(this.maxF, maxAbs(w.f));
    this.maxU = Math.max(this.maxU, maxAbs(w.u));
    if (s % this.every === 0) {
      if (this.extra.length === 2) this.row[0] = this.costs[s]!;
      this.row[this.extra.length - 1] = maxAbs(w.f);
      this.observer.sample(this.probes, this.row.subarray(this.extra.length));
      this.traces.push(sm.tMs, this.row);
    }
    if (this.wEvery && s % this.wEvery === 0) this.snapshots.push(snapshot(sm));
  }

  /** The final weights as the last snapshot (when snapshots were asked for). */
  finish(): void {
    if (this.wEvery && this.snapshots[this.snapshots.length - 1]?.tMs !== this.sim.tMs) this.snapshots.push(snapshot(this.sim));
  }

  summary(steps: number, wallMs: number): RunSummary {
    const sim = this.sim;
    const dt = sim.options.dtMs;
    const costs = this.costs.subarray(0, steps);
    const tenth = Math.max(1, Math.floor(steps / 10));
    const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / a.length;
    return {
      engine: 'digital',
      method: sim.options.lookahead ? sim.options.method : 'leaky (no lookahead)',
      solver: sim.solverName,
      lookahead: sim.options.lookahead,
      learn: sim.options.learn,
      batch: sim.layout.B,
      inputProducts: sim.options.inputProducts,
      dtMs: dt,
      steps,
      simulatedMs: steps * dt,
      wallMs,
      stepsPerSecond: steps / (wallMs / 1000),
      finalCost: steps ? mean(costs.subarray(steps - tenth)) : NaN,
      initialCost: steps ? mean(costs.subarray(0, tenth)) : NaN,
      maxAbsF: this.maxF,
      maxAbsU: this.maxU,
      seed: sim.graph.seed,
    };
  }
}

function snapshot(sim: DigitalSimulator): WeightSnapshot {
  return snapshotOf(sim.graph, sim.tMs, sim.weights());
}

/** A weight snapshot at tMs from one weight array per projection of g (in the graph's order). */
export function snapshotOf(g: NlaGraph, tMs: number, perProjection: ArrayLike<number>[]): WeightSnapshot {
  const weights: Record<string, number[]> = {};
  perProjection.forEach((W, k) => (weights[g.projections[k]!.name] = Array.from(W)));
  return { tMs, weights };
}
