import { NumericalError, UsageError } from '../../core/errors.js';
import { minOf } from '../../core/vector.js';
import { neuronLabel } from '../../compiler/graph/graph.js';
import { jumpContinuation, snapshotDrive } from '../digital/equilibrium.js';
import { snapshotOf, type RunSummary, type WeightSnapshot } from '../digital/run.js';
import { SnapshotSchedule } from './snapshot-schedule.js';
import type { Drive } from '../drive.js';
import type { Probe } from '../probes/probe.js';
import type { TraceTable } from '../probes/recorder.js';
import { checkDriveFits } from '../stimulus/signal-drive.js';
import type { AnalogModel } from './model.js';
import { DEFAULT_EVENT_OPTIONS, type EventOptions } from './ode/events.js';
import type { Integrator } from './ode/integrate.js';
import type { IntegrationFailure, Interpolant, StepStats } from './ode/ode.js';
import { createIntegrator, failureHint, ODE_SOLVER_FLAG, SOLVER_CHOICES, solverEntry, solverOfKind, type SolverEntry, type SolverName, type SolverSettings } from './ode/registry.js';
import { AnalogRecorder } from './recorder.js';
import { AnalogSystem } from './system.js';

/** `auto` or a registered solver (ode/registry.ts). */
export type AnalogSolverName = 'auto' | SolverName;

export interface AnalogOptions {
  /** `auto`: the stochastic solver with noise, else the stiff or the explicit one, whichever costs fewer evaluations (stiffEnough). */
  solver?: AnalogSolverName;
  /** Adaptive solvers: tolerances (default 10⁻⁶, 10⁻⁹) and the largest step, ms. */
  rtol?: number;
  atol?: number;
  hMaxMs?: number;
  /** The fixed-step (stochastic) solver: its step, ms (default: a fifth of the fastest pole, at most τ/100), and the seed of its noise (default: the circuit's). */
  dtMs?: number;
  noiseSeed?: number;
  learn?: boolean;
  init?: 'rest' | 'equilibrium';
  divergenceLimit?: number;
  /**
   * Mode locking at the circuit's switches (kinks of ρ, rails, output swings; mode-lock.ts) with event
   * location, for the adaptive solvers. False: f is evaluated with its kinks as they are and the step
   * control alone copes with them (the behaviour before issue 15; a reference for tests). `auto` (the
   * default): locked up to LOCK_AUTO_NEURONS neurons. Every crossing restarts the solver, so on wide layers
   * (784-500-10: its 500 hidden neurons start on the kink at u = 0 and cross often) locking costs several
   * times the step control's rejections (benchmarks.md: 49 s against 8.6 s for 2 ms on opamp-board).
   */
  events?: boolean | 'auto';
  /**
   * How the input projections' products W r̄_in, W dr̄_in/dt are made: `affine` (the default) from two
   * products per stretch of held input (affine-input-products.ts), the same right-hand side to rounding;
   * `recompute`: a pass over W at every evaluation (a reference for tests and benchmarks).
   */
  inputProducts?: 'affine' | 'recompute';
}

/** `events: 'auto'` locks the circuit's switches in circuits of at most this many neurons. */
export const LOCK_AUTO_NEURONS = 256;

function locksKinks(events: boolean | 'auto', neurons: number): boolean {
  return events === 'auto' ? neurons <= LOCK_AUTO_NEURONS : events;
}

export interface AnalogRunRequest {
  durationMs: number;
  drive: Drive;
  probes?: Probe[];
  /** Interval of recorded rows, ms (dense output, not the solver's steps). Default 0.1 ms. */
  sampleEveryMs?: number;
  /** Interval of weight snapshots, ms, from the run's start; the final weights are always the last one. None by default. */
  weightsEveryMs?: number;
  /** A numerical failure: thrown (default), or returned with everything recorded before it. */
  onFailure?: 'throw' | 'return';
  onProgress?: (fraction: number, tMs: number, stepsPerSecond: number) => void;
  /** Called right after each progress report with the table as recorded so far (RunRequest.onTraces). */
  onTraces?: (traces: TraceTable) => void;
  /** Progress (and onTraces) each time the run has advanced this many ms (RunRequest.progressEveryMs); default about twice a second of wall time. */
  progressEveryMs?: number;
}

export interface AnalogSummary extends Omit<RunSummary, 'engine' | 'method' | 'batch' | 'dtMs' | 'solver' | 'inputProducts'> {
  engine: 'analog';
  profile: string;
  exactNla: boolean;
  /** The registered name (what `--ode-solver` takes), the method in full, and its step control in words. */
  solver: SolverName;
  solverMethod: string;
  stepControl: string;
  /** Tolerances of an adaptive solver (null at fixed steps). */
  rtol: number | null;
  atol: number | null;
  sampleEveryMs: number;
  /**
   * Whether modes were locked at the switches; in this run, the crossings located, the chattering
   * switches that slid along their switching surface, and those held in a mode instead (events.ts).
   */
  modeLocking: boolean;
  events: number;
  slides: number;
  chatterHolds: number;
  /**
   * How the input projections' products were made (AnalogOptions.inputProducts) and, in this run, summed
   * over the projections the affine family covers: the stretches started (one pass over that projection's
   * W each) and the projection-evaluations served from a stretch. Both are 0 with `recompute`, and
   * projections the family does not cover (plastic while learning, masked, mismatched τ_in) are counted in
   * neither: they are recomputed at every evaluation.
   */
  inputProducts: 'affine' | 'recompute';
  inputProductPasses: number;
  derivedInputEvaluations: number;
  stats: StepStats;
}

/** Where each solver setting comes from: the option, and the command-line flag that sets it (null: the API only). */
const SETTING_SOURCES: Array<[keyof AnalogOptions, keyof SolverSettings, string | null]> = [
  ['rtol', 'rtol', '--rtol'],
  ['atol', 'atol', '--atol'],
  ['hMaxMs', 'hMax', null],
  ['dtMs', 'dt', '--sde-step'],
  ['noiseSeed', 'seed', null],
];

/**
 * The continuous-time emulator: integrates a compiled circuit's state equations (AnalogSystem) with a
 * registered solver and its step-size controller (ode/registry.ts), segment by segment between the
 * discontinuities of the drive (table rows, steps, impulses) and digital plasticity updates, restarting
 * at each. Exact prospective units follow a target step or an impulse at once (f conserved across the
 * jump), lead stages smoothly. Probes and weight snapshots are read by dense output. Every failure (of
 * the right-hand side, of the solver, a divergence) becomes a NumericalError with its time.
 */
export class AnalogSimulator {
  readonly system: AnalogSystem;
  /** The solver with its controller and step counts; `reset()` forgets the step-size suggestion. */
  readonly solver: Integrator;
  readonly solverName: SolverName;
  readonly settings: Readonly<SolverSettings>;
  tMs = 0;
  private y: Float64Array | null = null;
  /** The break at the end of the last run, not applied there (its rows end at the left limit): the next run applies it. */
  private pendingBreak: { tPrev: number; tb: number } | null = null;
  private readonly entry: SolverEntry;
  private readonly init: 'rest' | 'equilibrium';
  private readonly limit: number;

  constructor(
    readonly model: AnalogModel,
    options: AnalogOptions = {},
  ) {
    this.system = new AnalogSystem(model, options.learn ?? false, options.inputProducts ?? 'affine');
    this.solverName = this.chooseSolver(options);
    this.entry = solverEntry(this.solverName);
    const poles = [...model.rate.poleMs, ...model.err.poleMs].filter((x) => x > 0);
    this.settings = {
      rtol: options.rtol ?? 1e-6,
      atol: options.atol ?? 1e-9,
      hMax: options.hMaxMs ?? Infinity,
      dt: options.dtMs ?? Math.min(minOf(model.tauMs) / 100, minOf(poles) / 5),
      seed: options.noiseSeed ?? model.ir.seed,
    };
    if (!(this.settings.rtol > 0) || !(this.settings.atol > 0)) throw new UsageError('--rtol and --atol must be positive');
    if (!(this.settings.dt > 0) || !Number.isFinite(this.settings.dt)) throw new UsageError(`--sde-step: expected a positive step, got ${this.settings.dt} ms`);
    if (!locksKinks(options.events ?? 'auto', model.graph.nNeurons)) this.system.switching = null;
    this.solver = createIntegrator(this.solverName, this.settings, eventOptionsFor(model));
    this.init = options.init ?? 'rest';
    this.limit = options.divergenceLimit ?? 1e6;
  }

  /**
   * The registered solver to use: `auto` picks by the circuit; a named one must suit it (noise needs the
   * stochastic solver), and options that the named solver does not read are refused, not ignored. Under
   * `auto` the options are offered to whichever solver it picks (a solver takes only the settings it reads).
   */
  private chooseSolver(options: AnalogOptions): SolverName {
    const requested = options.solver ?? 'auto';
    if (!SOLVER_CHOICES.includes(requested)) throw new UsageError(`${ODE_SOLVER_FLAG}: expected one of ${SOLVER_CHOICES.join(', ')}, got '${String(requested)}'`);
    const noisy = this.model.noiseSigma.some((s) => s > 0);
    const name = requested !== 'auto' ? requested : solverOfKind(noisy ? 'stochastic' : this.stiffEnough() ? 'stiff' : 'explicit');
    const entry = solverEntry(name);
    if (noisy && entry.kind !== 'stochastic') throw new UsageError(`solver: the circuit has noise; use the stochastic solver (${ODE_SOLVER_FLAG} ${solverOfKind('stochastic')}), not ${name}`);
    if (requested === 'auto') return name;
    const reads = (setting: keyof SolverSettings) => (entry.settings as readonly string[]).includes(setting);
    const takes = SETTING_SOURCES.filter(([, s, flag]) => flag && reads(s)).map(([, , flag]) => flag);
    for (const [option, setting, flag] of SETTING_SOURCES) {
      if (options[option] !== undefined && !reads(setting)) {
        throw new UsageError(`${flag ?? `the option ${option}`} does not apply to ${ODE_SOLVER_FLAG} ${name} (${entry.stepControl} steps; it takes ${takes.join(', ')})`);
      }
    }
    return name;
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

  run(req: AnalogRunRequest): { traces: TraceTable; summary: AnalogSummary; snapshots: WeightSnapshot[]; failure: NumericalError | null } {
    const sys = this.system;
    const g = sys.graph;
    checkDriveFits(req.drive, g.nStimulusInputs, g.outputs.length);
    sys.drive = req.drive;
    const t0 = this.tMs;
    const tEnd = t0 + req.durationMs;
    const recorder = new AnalogRecorder(sys, req.probes ?? [], t0, req.durationMs, req.sampleEveryMs ?? 0.1);
    const snapshots = new SnapshotSchedule(t0, tEnd, req.weightsEveryMs, (tq, yq) => snapshotOf(g, tq, sys.weightsAt(yq)));
    const start = performance.now();
    const stepsBefore = this.solver.stats.accepted;
    const eventsBefore = { events: this.solver.stats.events, slides: this.solver.stats.slides, holds: this.solver.stats.chatterHolds };
    const family = this.system.affineInputs;
    const familyBefore = { passes: family?.stretches ?? 0, derived: family?.derived ?? 0 };
    let maxU = 0;
    let failure: NumericalError | null = null;
    try {
      const breaks = this.breakpoints(t0, tEnd);
      const y = this.startState(t0);
      sys.segmentEnd = breaks[0] ?? Infinity;
      this.check(recorder.at(t0, y));
      snapshots.at(t0, y);
      maxU = this.integrateSegments(y, t0, breaks, recorder, snapshots, this.progress(req, recorder, t0, tEnd, start, stepsBefore));
      snapshots.final(tEnd, y);
      this.tMs = tEnd;
    } catch (e) {
      if (!(e instanceof NumericalError) || req.onFailure !== 'return') throw e;
      failure = e;
    }
    const summary = this.summary(req, recorder, maxU, performance.now() - start, this.solver.stats.accepted - stepsBefore);
    summary.events = this.solver.stats.events - eventsBefore.events;
    summary.slides = this.solver.stats.slides - eventsBefore.slides;
    summary.chatterHolds = this.solver.stats.chatterHolds - eventsBefore.holds;
    summary.inputProductPasses = (family?.stretches ?? 0) - familyBefore.passes;
    summary.derivedInputEvaluations = (family?.derived ?? 0) - familyBefore.derived;
    if (failure) summary.simulatedMs = Number.isFinite(failure.timeMs) ? failure.timeMs - t0 : 0;
    return { traces: recorder.traces, snapshots: snapshots.taken, summary, failure };
  }

  private startState(t0: number): Float64Array {
    if (this.y) {
      // the previous run ended at t0 without applying what happens there (impulses, target jumps,
      // digital weight updates at its end): a continuing run applies it first, as the digital engine does
      const pending = this.pendingBreak;
      this.pendingBreak = null;
      if (pending && Math.abs(pending.tb - t0) < 1e-12) this.applyBreak(this.y, pending.tPrev, t0);
      return this.y;
    }
    const sys = this.system;
    sys.segmentEnd = Infinity;
    const y = sys.initialState(t0, this.init);
    this.y = y;
    this.applyBreak(y, -Infinity, t0);
    return y;
  }

  /** The ends of the segments: discontinuities of the drive and digital updates in (t0, tEnd], and tEnd. */
  private breakpoints(t0: number, tEnd: number): number[] {
    const sys = this.system;
    const all = new Set([...sys.drive!.breakpoints(t0, tEnd), ...sys.updateTimes(t0, tEnd), tEnd]);
    return [...all].filter((b) => b > t0 && b <= tEnd).sort((a, b) => a - b);
  }

  /**
   * Integrates segment by segment: rows and snapshots inside steps from the dense output, a divergence
   * check after every step, the break handling (impulses, jumps, digital updates) and the rows and
   * snapshots due at each segment's end. Returns max |u| over the accepted steps.
   */
  private integrateSegments(y: Float64Array, t0: number, breaks: number[], recorder: AnalogRecorder, snapshots: SnapshotSchedule, progress: (t: number) => void): number {
    const sys = this.system;
    const yq = new Float64Array(sys.size);
    let maxU = 0;
    const onStep = (a: number, b: number, interp: Interpolant): IntegrationFailure | null => {
      const fail = recorder.within(a, b, interp);
      if (fail) return fail;
      snapshots.within(a, b, interp, yq);
      const { v, i } = this.largestVoltage(y);
      maxU = Math.max(maxU, v);
      if (!(v <= this.limit)) return { what: `divergence: |u| = ${v.toExponential(3)} exceeds ${this.limit}`, timeMs: b, component: neuronLabel(sys.graph, i), hint: 'check the profile (rails, gains) or the weights' };
      progress(b);
      return null;
    };
    let t = t0;
    for (let bi = 0; bi < breaks.length; bi++) {
      const tb = breaks[bi]!;
      sys.segmentEnd = tb;
      this.check(this.solver.integrate(sys, t, y, tb, onStep));
      t = tb;
      sys.segmentEnd = breaks[bi + 1] ?? Infinity;
      if (bi < breaks.length - 1) {
        this.applyBreak(y, breaks[bi - 1] ?? t0, tb);
        // a jump may have moved a node across a switch (off a rail): the row at tb sees the new modes
        if (sys.switching?.active) this.check(sys.switching.lock(tb, y, -1));
      } else this.pendingBreak = { tPrev: breaks[bi - 1] ?? t0, tb };
      this.check(recorder.at(tb, y));
      snapshots.at(tb, y);
    }
    return maxU;
  }

  /** The largest |u| (NaN first) and its neuron. */
  private largestVoltage(y: Float64Array): { v: number; i: number } {
    let v = 0;
    let at = 0;
    for (let i = 0; i < this.system.graph.nNeurons; i++) {
      const a = Math.abs(y[i]!);
      if (!(a <= v)) {
        v = a;
        at = i;
        if (a !== a) break;
      }
    }
    return { v, i: at };
  }

  /** A failure becomes a NumericalError with its time, component and a hint from the solver registry. */
  private check(fail: IntegrationFailure | null): void {
    if (fail) throw new NumericalError(fail.what, fail.timeMs, fail.component, fail.hint ?? failureHint(this.solverName));
  }

  private progress(req: AnalogRunRequest, recorder: AnalogRecorder, t0: number, tEnd: number, start: number, stepsBefore: number): (t: number) => void {
    let lastReport = start;
    const every = req.progressEveryMs;
    if (every !== undefined && !(every > 0)) throw new UsageError(`progressEveryMs: expected a positive time in ms, got ${every}`);
    let k = 1;
    return (t) => {
      if (!req.onProgress && !req.onTraces) return;
      const now = performance.now();
      if (every !== undefined) {
        if (t < t0 + k * every) return;
        while (t0 + k * every <= t) k++;
      } else if (now - lastReport <= 500) return;
      lastReport = now;
      req.onProgress?.((t - t0) / (tEnd - t0), t, (this.solver.stats.accepted - stepsBefore) / ((now - start) / 1000));
      req.onTraces?.(recorder.traces);
    };
  }

  private summary(req: AnalogRunRequest, recorder: AnalogRecorder, maxU: number, wallMs: number, steps: number): AnalogSummary {
    const sys = this.system;
    const adaptive = this.entry.stepControl === 'adaptive';
    const s = this.settings;
    return {
      engine: 'analog',
      profile: sys.model.ir.profile.name,
      exactNla: sys.model.exactNla,
      solver: this.solverName,
      solverMethod: this.entry.description,
      stepControl: adaptive ? `rtol ${s.rtol}, atol ${s.atol}${s.hMax < Infinity ? `, steps ≤ ${s.hMax} ms` : ''}` : `fixed step ${s.dt} ms, noise seed ${s.seed}`,
      lookahead: true,
      learn: sys.learn,
      rtol: adaptive ? s.rtol : null,
      atol: adaptive ? s.atol : null,
      sampleEveryMs: recorder.everyMs,
      modeLocking: sys.switching !== null && adaptive,
      events: 0,
      slides: 0,
      chatterHolds: 0,
      inputProducts: sys.affineInputs ? 'affine' : 'recompute',
      inputProductPasses: 0,
      derivedInputEvaluations: 0,
      steps,
      simulatedMs: req.durationMs,
      wallMs,
      stepsPerSecond: steps / (wallMs / 1000),
      ...recorder.costFigures(),
      maxAbsF: recorder.maxF,
      maxAbsU: maxU,
      seed: sys.model.ir.seed,
      stats: { ...this.solver.stats },
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
      const fail = sys.rhs(tb, y, new Float64Array(sys.size));
      sys.segmentEnd = end;
      this.check(fail ?? null);
      fOld = Float64Array.from(w.f);
      before = snapshotDrive(w);
    }
    for (const imp of impulses) y[sys.oIn + imp.channel] = y[sys.oIn + imp.channel]! + imp.area / sys.model.inputTauMs[imp.channel]!;
    if (jump && before && fOld) {
      this.check(sys.rhs(tb, y, new Float64Array(sys.size)) ?? null); // the drive after the jump, in the workspace
      w.rbarIn.set(y.subarray(sys.oIn, sys.oIn + g.nStimulusInputs));
      jumpContinuation(sys.eq, fOld, before, tb); // a failed solve throws a NumericalError at tb
      y.set(w.u.subarray(0, g.nNeurons), 0);
    }
    if (Number.isFinite(tPrev) && sys.updateTimes(tPrev, tb).includes(tb)) sys.applyDigitalUpdates(y);
    this.solver.reset();
  }
}

/**
 * The chattering guard in model ms, from the circuit's shortest membrane τ: repeats within 10⁻³ τ,
 * holds of 10⁻⁵ τ (events.ts).
 */
function eventOptionsFor(model: AnalogModel): EventOptions {
  const tau = minOf(model.tauMs);
  return { ...DEFAULT_EVENT_OPTIONS, repeatWindow: 1e-3 * tau, holdSpan: 1e-5 * tau };
}
