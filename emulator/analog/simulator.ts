import { NumericalError, UsageError } from '../../core/errors.js';
import { maxOf, minOf } from '../../core/vector.js';
import { neuronLabel } from '../../compiler/graph/graph.js';
import { jumpContinuation, snapshotDrive } from '../digital/equilibrium.js';
import { DigitalObserver } from '../digital/observe.js';
import { snapshotOf, type RunSummary, type WeightSnapshot } from '../digital/run.js';
import { SnapshotSchedule } from './snapshot-schedule.js';
import type { Drive } from '../drive.js';
import { columnLabel, type Probe } from '../probes/probe.js';
import { TraceTable } from '../probes/recorder.js';
import { checkDriveFits } from '../stimulus/signal-drive.js';
import type { AnalogModel } from './model.js';
import { Dopri5 } from './ode/dopri5.js';
import { EulerMaruyama } from './ode/euler-maruyama.js';
import type { OdeSolver, StepStats, Tolerances } from './ode/ode.js';
import { Rosenbrock } from './ode/rosenbrock.js';
import { AnalogSystem } from './system.js';

export type AnalogSolverName = 'auto' | 'dopri5' | 'rosenbrock' | 'euler-maruyama';

export interface AnalogOptions {
  /** `auto`: Euler–Maruyama with noise, else Rosenbrock or DOPRI5, whichever costs fewer evaluations (stiffEnough). */
  solver?: AnalogSolverName;
  rtol?: number;
  atol?: number;
  /** Largest step, ms. */
  hMaxMs?: number;
  /** Fixed step of the stochastic solver, ms. */
  dtMs?: number;
  learn?: boolean;
  init?: 'rest' | 'equilibrium';
  divergenceLimit?: number;
  /** Seed of the noise (default: the circuit's seed). */
  noiseSeed?: number;
}

export interface AnalogRunRequest {
  durationMs: number;
  drive: Drive;
  probes?: Probe[];
  /** Interval of recorded rows, ms (dense output, not the solver's steps). Default 0.1 ms. */
  sampleEveryMs?: number;
  /** Interval of weight snapshots, ms, from the run's start; the final weights are always the last one. None by default. */
  weightsEveryMs?: number;
  onProgress?: (fraction: number, tMs: number, stepsPerSecond: number) => void;
}

export interface AnalogSummary extends Omit<RunSummary, 'engine' | 'method' | 'batch' | 'dtMs'> {
  engine: 'analog';
  profile: string;
  exactNla: boolean;
  rtol: number;
  atol: number;
  sampleEveryMs: number;
  stats: StepStats;
}

/**
 * The continuous-time emulator: integrates a compiled circuit's state equations (AnalogSystem) with an
 * error-controlled solver, stopping exactly at every discontinuity of the drive (table rows, steps,
 * impulses) and at digital plasticity updates, and restarting there. Exact prospective units follow a
 * target step or an impulse at once (f conserved across the jump), lead stages smoothly. Probes are
 * sampled at the requested times by dense output.
 */
export class AnalogSimulator {
  readonly system: AnalogSystem;
  readonly solver: OdeSolver;
  readonly tol: Tolerances;
  tMs = 0;
  private y: Float64Array | null = null;
  private readonly init: 'rest' | 'equilibrium';
  private readonly limit: number;

  constructor(
    readonly model: AnalogModel,
    options: AnalogOptions = {},
  ) {
    this.system = new AnalogSystem(model, options.learn ?? false);
    const noisy = model.noiseSigma.some((s) => s > 0);
    let name = options.solver ?? 'auto';
    if (name === 'auto') name = noisy ? 'euler-maruyama' : this.stiffEnough() ? 'rosenbrock' : 'dopri5';
    if (noisy && name !== 'euler-maruyama') throw new UsageError(`solver: the circuit has noise; use the stochastic solver (euler-maruyama), not ${name}`);
    this.solver = name === 'dopri5' ? new Dopri5() : name === 'rosenbrock' ? new Rosenbrock() : new EulerMaruyama(options.noiseSeed ?? model.ir.seed);
    const poles = [...model.rate.poleMs, ...model.err.poleMs].filter((x) => x > 0);
    const hNoise = Math.min(minOf(model.tauMs) / 100, minOf(poles) / 5);
    this.tol = { rtol: options.rtol ?? 1e-6, atol: options.atol ?? 1e-9, hMax: options.hMaxMs ?? Infinity, hFixed: options.dtMs ?? hNoise };
    if (!(this.tol.rtol > 0) || !(this.tol.atol > 0)) throw new UsageError('--rtol and --atol must be positive');
    this.init = options.init ?? 'rest';
    this.limit = options.divergenceLimit ?? 1e6;
  }

  /**
   * Whether the stiff solver is cheaper. DOPRI5 is held to steps of about 3.3 τ_p by stability (6
   * evaluations each); the Rosenbrock solver takes steps of roughly τ/20 but pays a Jacobian of n + 1
   * evaluations per step. So Rosenbrock wins when τ_p/τ < 0.09/(n + 5).
   */
  private stiffEnough(): boolean {
    const m = this.model;
    let ratio = Infinity;
    for (let i = 0; i < m.tauMs.length; i++) {
      if (m.rate.lead[i]) ratio = Math.min(ratio, m.rate.poleMs[i]! / m.tauMs[i]!);
      if (m.err.lead[i]) ratio = Math.min(ratio, m.err.poleMs[i]! / m.tauMs[i]!);
    }
    return ratio < 0.09 / (this.system.size + 5);
  }

  get state(): Float64Array | null {
    return this.y;
  }

  run(req: AnalogRunRequest): { traces: TraceTable; summary: AnalogSummary; snapshots: WeightSnapshot[] } {
    const sys = this.system;
    const g = sys.graph;
    checkDriveFits(req.drive, g.nStimulusInputs, g.outputs.length);
    sys.drive = req.drive;
    const t0 = this.tMs;
    const tEnd = t0 + req.durationMs;
    const every = req.sampleEveryMs ?? 0.1;
    const probes = req.probes ?? [];
    const hasTargets = req.drive.targetChannels > 0;
    const extra = hasTargets ? ['cost', 'fmax'] : ['fmax'];
    const names = [...extra, ...probes.flatMap((p) => p.indices.map((i) => columnLabel(p, i, 0, 1)))];
    const traces = new TraceTable(names);
    const row = new Float64Array(names.length);
    const observer = new DigitalObserver(sys);
    const nSamples = Math.max(1, Math.ceil(req.durationMs / every - 1e-9));
    let k = 0;
    const sampleTime = (j: number) => t0 + j * every;
    const N = g.nNeurons;
    const w = sys.workspace;
    const dq = new Float64Array(sys.size);
    const yq = new Float64Array(sys.size);
    const costs: number[] = [];
    const tauMax = maxOf(sys.model.tauMs);
    const transientEnd = t0 + (req.durationMs >= 20 * tauMax ? 10 * tauMax : req.durationMs / 2);
    let maxF = 0;
    let maxU = 0;
    const sample = (t: number, y: Float64Array) => {
      sys.rhs(t, y, dq);
      let c = 0;
      for (const o of g.outputs) if (w.nudge[o]) c += 0.5 * (w.ustar[o]! - w.u[o]!) ** 2;
      costs.push(hasTargets ? c : NaN);
      let f = 0;
      for (let i = 0; i < N; i++) f = Math.max(f, Math.abs(w.f[i]!));
      if (t >= transientEnd) maxF = Math.max(maxF, f);
      if (hasTargets) row[0] = c;
      row[extra.length - 1] = f;
      observer.sample(probes, row.subarray(extra.length));
      traces.push(t, row);
    };
    const snapshots = new SnapshotSchedule(t0, tEnd, req.weightsEveryMs, (tq, yq) => snapshotOf(g, tq, sys.weightsAt(yq)));
    const start = performance.now();
    let lastReport = start;
    const stepsBefore = this.solver.stats.accepted;

    let y = this.y;
    if (!y) {
      sys.segmentEnd = Infinity;
      y = sys.initialState(t0, this.init);
      this.y = y;
      this.applyBreak(y, -Infinity, t0);
    }
    const breaks = [...new Set([...req.drive.breakpoints(t0, tEnd), ...sys.updateTimes(t0, tEnd), tEnd])].filter((b) => b > t0).sort((a, b) => a - b);
    let t = t0;
    if (Math.abs(sampleTime(0) - t) < 1e-9) {
      sys.segmentEnd = breaks[0] ?? Infinity;
      sample(t, y);
      k = 1;
    }
    snapshots.at(t, y);
    for (let bi = 0; bi < breaks.length; bi++) {
      const tb = breaks[bi]!;
      sys.segmentEnd = tb;
      const fail = this.solver.integrate(sys, t, y, tb, this.tol, (a, b, interp) => {
        while (k < nSamples && sampleTime(k) < b - 1e-12 && sampleTime(k) >= a - 1e-12) {
          interp(sampleTime(k), yq);
          sample(sampleTime(k), yq);
          k++;
        }
        snapshots.within(a, b, interp, yq);
        for (let i = 0; i < N; i++) {
          const v = Math.abs(y![i]!);
          if (v > maxU) maxU = v;
          if (!(v <= this.limit)) throw new NumericalError(`divergence: |u| = ${v.toExponential(3)} exceeds ${this.limit}`, b, neuronLabel(g, i), 'check the profile (rails, gains) or the weights');
        }
        if (req.onProgress) {
          const now = performance.now();
          if (now - lastReport > 500) {
            lastReport = now;
            req.onProgress((b - t0) / (tEnd - t0), b, (this.solver.stats.accepted - stepsBefore) / ((now - start) / 1000));
          }
        }
      });
      if (fail) throw new NumericalError(fail.what, fail.timeMs, fail.component, 'tighten --rtol/--atol, use --solver rosenbrock for stiff circuits, or check the circuit');
      t = tb;
      if (tb < tEnd || bi === breaks.length - 1) {
        sys.segmentEnd = breaks[bi + 1] ?? Infinity;
        if (tb < tEnd) this.applyBreak(y, breaks[bi - 1] ?? t0, tb);
      }
      while (k < nSamples && Math.abs(sampleTime(k) - tb) < 1e-9) {
        sample(tb, y);
        k++;
      }
      snapshots.at(tb, y);
    }
    snapshots.final(tEnd, y);
    this.tMs = tEnd;
    const wallMs = performance.now() - start;
    const tenth = Math.max(1, Math.floor(costs.length / 10));
    const mean = (a: number[]) => a.reduce((x, z) => x + z, 0) / a.length;
    const steps = this.solver.stats.accepted - stepsBefore;
    return {
      traces,
      snapshots: snapshots.taken,
      summary: {
        engine: 'analog',
        profile: sys.model.ir.profile.name,
        exactNla: sys.model.exactNla,
        solver: this.solver.name,
        lookahead: true,
        learn: sys.learn,
        rtol: this.tol.rtol,
        atol: this.tol.atol,
        sampleEveryMs: every,
        steps,
        simulatedMs: req.durationMs,
        wallMs,
        stepsPerSecond: steps / (wallMs / 1000),
        finalCost: costs.length ? mean(costs.slice(costs.length - tenth)) : NaN,
        initialCost: costs.length ? mean(costs.slice(0, tenth)) : NaN,
        maxAbsF: maxF,
        maxAbsU: maxU,
        seed: sys.model.ir.seed,
        stats: { ...this.solver.stats },
      },
    };
  }

  /**
   * At a breakpoint tb: input impulses raise r̄_in; if the units are exact and the drive jumped, the
   * voltages follow at once (f conserved); digital plasticity updates its registers; the solver restarts.
   */
  private applyBreak(y: Float64Array, tPrev: number, tb: number): void {
    const sys = this.system;
    const d = sys.drive!;
    const w = sys.workspace;
    const g = sys.graph;
    const exact = sys.model.exactNla || sys.model.rate.any.exact || sys.model.err.any.exact;
    const impulses = d.impulses(tPrev, tb, 0);
    const jump = exact && (impulses.length > 0 || d.targetJumps(tPrev, tb));
    let before = null;
    let fOld: Float64Array | null = null;
    if (jump) {
      const end = sys.segmentEnd;
      sys.segmentEnd = tb; // left limit
      sys.rhs(tb, y, new Float64Array(sys.size));
      sys.segmentEnd = end;
      fOld = Float64Array.from(w.f);
      before = snapshotDrive(w);
    }
    for (const imp of impulses) y[sys.oIn + imp.channel] = y[sys.oIn + imp.channel]! + imp.area / sys.model.inputTauMs[imp.channel]!;
    if (jump && before && fOld) {
      sys.rhs(tb, y, new Float64Array(sys.size)); // the drive after the jump, in the workspace
      w.rbarIn.set(y.subarray(sys.oIn, sys.oIn + g.nStimulusInputs));
      try {
        jumpContinuation(sys.eq, fOld, before, tb);
      } catch (e) {
        if (e instanceof NumericalError && Number.isNaN(e.timeMs)) throw new NumericalError(e.what, tb, e.neuron, e.hint);
        throw e;
      }
      y.set(w.u.subarray(0, g.nNeurons), 0);
    }
    if (Number.isFinite(tPrev) && sys.updateTimes(tPrev, tb).includes(tb)) sys.applyDigitalUpdates(y);
    this.solver.reset();
  }
}
