import { wholeSteps } from '../../core/units.js';
import { maxAbs } from '../../core/vector.js';
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
  /** Called about twice a second of wall time with the fraction done. */
  onProgress?: (fraction: number, tMs: number, stepsPerSecond: number) => void;
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
}

/**
 * Runs the simulator for `durationMs` (a whole number of steps, else a UsageError) from its current state,
 * recording probes and a summary.
 */
export function runDigital(sim: DigitalSimulator, req: DigitalRunRequest): DigitalRunResult {
  const g = sim.graph;
  const { B, N } = sim.layout;
  checkDriveFits(req.drive, g.nStimulusInputs, g.outputs.length);
  const dt = sim.options.dtMs;
  const steps = wholeSteps(req.durationMs, dt);
  const every = Math.max(1, Math.round((req.sampleEveryMs ?? dt) / dt));
  const wEvery = req.weightsEveryMs ? Math.max(1, Math.round(req.weightsEveryMs / dt)) : 0;
  const probes = req.probes ?? [];
  const hasTargets = req.drive.targetChannels > 0;
  // Two summary columns come first: the cost C (with targets) and max |f| over all neurons.
  const extra = hasTargets ? ['cost', 'fmax'] : ['fmax'];
  const names = [...extra, ...probes.flatMap((p) => p.indices.flatMap((i) => Array.from({ length: B }, (_, b) => columnLabel(p, i, b, B))))];
  const traces = new TraceTable(names);
  const row = new Float64Array(names.length);
  const observer = new DigitalObserver(sim);
  const snapshots: WeightSnapshot[] = [];
  const tauMax = Math.max(...g.neurons.map((p) => p.tauMs));
  const t0 = sim.tMs;
  const transientEnd = t0 + (req.durationMs >= 20 * tauMax ? 10 * tauMax : req.durationMs / 2);
  const costs = new Float64Array(steps);
  let maxF = 0;
  let maxU = 0;
  const start = performance.now();
  let lastReport = start;

  for (let s = 0; s < steps; s++) {
    sim.step(req.drive, (sm) => {
      const w = sm.workspace;
      let c = 0;
      for (let i = 0; i < B * N; i++) if (w.nudge[i]) c += 0.5 * (w.ustar[i]! - w.u[i]!) ** 2;
      costs[s] = req.drive.targetChannels ? c / B : NaN;
      if (sm.tMs >= transientEnd) maxF = Math.max(maxF, maxAbs(w.f));
      maxU = Math.max(maxU, maxAbs(w.u));
      if (s % every === 0) {
        if (hasTargets) row[0] = costs[s]!;
        row[extra.length - 1] = maxAbs(w.f);
        observer.sample(probes, row.subarray(extra.length));
        traces.push(sm.tMs, row);
      }
      if (wEvery && s % wEvery === 0) snapshots.push(snapshot(sm));
    });
    if (req.onProgress && (s & 255) === 0) {
      const now = performance.now();
      if (now - lastReport > 500) {
        lastReport = now;
        req.onProgress((s + 1) / steps, sim.tMs, (s + 1) / ((now - start) / 1000));
      }
    }
  }
  if (wEvery && snapshots[snapshots.length - 1]?.tMs !== sim.tMs) snapshots.push(snapshot(sim));
  const wallMs = performance.now() - start;
  const tenth = Math.max(1, Math.floor(steps / 10));
  const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / a.length;
  return {
    traces,
    snapshots,
    summary: {
      engine: 'digital',
      method: sim.options.lookahead ? sim.options.method : 'leaky (no lookahead)',
      solver: sim.solverName,
      lookahead: sim.options.lookahead,
      learn: sim.options.learn,
      batch: B,
      dtMs: dt,
      steps,
      simulatedMs: steps * dt,
      wallMs,
      stepsPerSecond: steps / (wallMs / 1000),
      finalCost: steps ? mean(costs.subarray(steps - tenth)) : NaN,
      initialCost: steps ? mean(costs.subarray(0, tenth)) : NaN,
      maxAbsF: maxF,
      maxAbsU: maxU,
      seed: g.seed,
    },
  };
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
