import { hasKink, isPiecewiseLinear } from '../../core/activation.js';
import { NumericalError, UsageError } from '../../core/errors.js';
import { kernelBackend } from '../../core/kernels/backends.js';
import { firstNonFinite, maxAbs } from '../../core/vector.js';
import { neuronLabel, type NlaGraph } from '../../compiler/graph/graph.js';
import type { Drive } from '../drive.js';
import { checkDriveFits } from '../stimulus/signal-drive.js';
import type { Dynamics } from './dynamics.js';
import { buildLayout, neuronOrder, type Layout } from './layout.js';
import { forwardSweeps, jumpContinuation, restoreEquilibrium, snapshotDrive, type DriveSnapshot, type EquilibriumContext } from './equilibrium.js';
import { MicrocircuitDynamics } from './microcircuit.js';
import { resolveDigitalOptions, type DigitalOptions, type ResolvedDigitalOptions } from './options.js';
import { InputProducts } from './input-products.js';
import { flushPending } from './plasticity.js';
import { DenseSolver } from './solvers/dense.js';
import { LayeredSolver } from './solvers/layered.js';
import type { LinearSolver, SolveFailure } from './solvers/linear-solver.js';
import { RelaxedIteration } from './solvers/relaxed.js';
import { SomaticDynamics } from './somatic.js';
import { Workspace } from './workspace.js';

/**
 * The digital reference engine: the paper's time-discrete NLA (Algorithms 1 and 2) with forward Euler.
 * Each `step` reads the drive at t, computes u̇ (explicit solve, implicit iteration, or the leaky
 * ablation), lets observers read the state at t, then advances u, r̄_in and W to t + dt.
 *
 * The state (time, u, u̇, r̄_in, weights) is held in explicit arrays, readable through `state` and
 * saved/restored with state-file.ts.
 */
export class DigitalSimulator {
  readonly options: ResolvedDigitalOptions;
  readonly layout: Layout;
  tMs = 0;
  /** Steps on the time grid t = stepOffset + stepCount·dt (counted from 0, also after a resume). */
  stepCount = 0;
  /** False until the first step or a resume: the first step reads the drive at t and sets up the initial state. */
  private started = false;
  /** Iterations (implicit) or refinements (layered, ρ'' ≠ 0) of the last solve, for reports. */
  lastIterations = 0;
  private readonly w: Workspace;
  private readonly dyn: Dynamics;
  private readonly solver: LinearSolver | null;
  private readonly direct: LinearSolver;
  private lastDriveT = 0;
  /** Set by resumeAt: the previous step's time, whose targets the next step re-reads. */
  private resumeFrom: number | null = null;
  private checkedDrive: Drive | null = null;
  /** Time of step 0 relative to 0 (nonzero only after resuming at a time off the dt grid). */
  private stepOffset = 0;

  constructor(
    readonly graph: NlaGraph,
    options: DigitalOptions,
  ) {
    const o = (this.options = resolveDigitalOptions(options, graph.plasticity));
    checkOptions(o);
    const micro = graph.feedback === 'microcircuit';
    if (o.solver === 'layered' && !graph.layered) throw new UsageError('solver: the layered solver needs a layered (acyclic) network; this one is recurrent, use --solver dense');
    if (o.solver === 'layered' && micro) throw new UsageError("solver: the layered solver covers feedback modes 'transpose' and 'random'; the microcircuit uses --solver dense");
    const useLayered = o.solver === 'layered' || (o.solver === 'auto' && graph.layered && !micro);
    const order = graph.layered ? neuronOrder(graph) : [];
    const pwl = graph.neurons.every((p) => isPiecewiseLinear(p.activation));
    this.layout = buildLayout(graph, o.batch, order, pwl, useLayered);
    const carry = o.inputProducts !== 'recompute';
    this.w = new Workspace(this.layout, kernelBackend(o.kernels), carry);
    if (carry) this.w.inputProducts = new InputProducts(this.layout, this.w, this.w.carriedBuffers, o.dtMs, INPUT_REFRESH_STEPS, o.inputProducts === 'lowrank');
    this.dyn = micro ? new MicrocircuitDynamics(this.layout, this.w) : new SomaticDynamics(this.layout, this.w);
    this.direct = useLayered ? new LayeredSolver(this.layout, this.w, this.dyn) : new DenseSolver(this.layout, this.w, this.dyn);
    this.solver = !o.lookahead
      ? null
      : o.method === 'implicit'
        ? new RelaxedIteration(this.layout, this.w, this.dyn, {
            relaxation: o.relaxation,
            iterations: o.iterations,
            tolerance: o.tolerance,
            maxIterations: 10_000,
          })
        : this.direct;
    this.eq = {
      L: this.layout,
      w: this.w,
      dyn: this.dyn,
      direct: this.direct,
      kinks: graph.neurons.some((p) => hasKink(p.activation)),
      fail: (f) => this.check(f) as never,
    };
    this.resetInputs();
  }

  private readonly eq: EquilibriumContext;

  /** Name of the linear solver in use (`layered`, `dense`, `implicit`, or `none` without lookahead). */
  get solverName(): string {
    return this.solver?.name ?? 'none';
  }

  /** The explicit state. Weights are returned after applying any deferred update. */
  get state() {
    const w = this.w;
    return {
      tMs: this.tMs,
      batch: this.layout.B,
      u: w.u,
      udot: w.udot,
      rbarIn: w.rbarIn,
      weights: () => this.weights(),
    };
  }

  /** The current weights of every projection (views into the engine's memory), deferred updates applied. */
  weights(): Float64Array[] {
    for (const ref of this.layout.forward) flushPending(this.w, this.layout, ref);
    return this.w.proj.map((p) => p.W);
  }

  /**
   * With inputProducts 'incremental' or 'lowrank': the next step recomputes the carried input products by a full pass
   * (as after a restore); a no-op for the reference. A run that may be checkpointed at any of a set of
   * points (presentation boundaries) calls it at each of them, so that a resumed run, which starts with a
   * full pass, repeats the uninterrupted run bit for bit.
   */
  recomputeInputProducts(): void {
    for (const ref of this.layout.forward) this.w.inputProducts?.release(ref);
  }

  /** Read access to the evaluation of the current step (valid inside an observer). */
  get workspace(): Workspace {
    return this.w;
  }

  get dynamics(): Dynamics {
    return this.dyn;
  }

  /**
   * Continues from a restored state at time t: the next step starts at t and treats the drive there as
   * already applied (no event is triggered by the restore itself).
   */
  resumeAt(tMs: number): void {
    const dt = this.options.dtMs;
    // a time on the grid continues the grid an uninterrupted run uses (t = k·dt, the same floats);
    // one off it (saved under another dt) starts a grid of its own at t
    const k = Math.round(tMs / dt);
    const onGrid = k * dt === tMs;
    this.tMs = tMs;
    this.stepCount = onGrid ? k : 0;
    this.stepOffset = onGrid ? 0 : tMs;
    this.started = true;
    this.resumeFrom = tMs - dt;
    this.recomputeInputProducts();
  }

  /** Bias units sit at r̄ = 1 permanently; stimulus inputs start at rest. */
  private resetInputs(): void {
    const { B, nIn } = this.layout;
    for (const inp of this.graph.inputs) {
      if (inp.constantRate === null) continue;
      for (let b = 0; b < B; b++) this.w.rbarIn.fill(inp.constantRate, b * nIn + inp.offset, b * nIn + inp.offset + inp.size);
    }
  }

  /**
   * Advances one step. `observe`, if given, is called after u̇ is known and before the state moves on,
   * so it sees u, u̇, f, … at the step's start time t. Throws NumericalError on a numerical failure.
   */
  step(drive: Drive, observe?: (sim: DigitalSimulator) => void): void {
    const o = this.options;
    const w = this.w;
    const t = this.tMs;
    if (drive !== this.checkedDrive) {
      checkDriveFits(drive, this.graph.nStimulusInputs, this.graph.outputs.length);
      this.checkedDrive = drive;
    }
    if (this.resumeFrom !== null) {
      // after a restore: the targets of the previous step, so that a jump at t is seen as one
      this.readTargets(drive, this.resumeFrom);
      this.lastDriveT = this.resumeFrom;
      this.resumeFrom = null;
    }
    const first = !this.started;
    this.started = true;
    w.stepIndex = this.stepCount;
    // impulses in (t_prev, t]; on the first step every impulse at or before t
    const tPrev = first ? -Infinity : this.lastDriveT;
    const impulses = this.hasImpulses(drive, tPrev, t);
    const fOld = w.tmp[10]!;
    let before: DriveSnapshot | null = null;
    if (first) {
      this.readInputs(drive, t);
      this.readTargets(drive, t);
      if (o.init === 'equilibrium') {
        this.settleInputs();
        forwardSweeps(this.eq);
        restoreEquilibrium(this.eq, fOld.fill(0), 'initial equilibrium', this.tMs);
      }
      if (impulses && o.lookahead) before = this.captureBeforeJump(fOld);
      this.applyImpulses(drive, tPrev, t);
    } else {
      if (o.lookahead && (impulses || drive.targetJumps(tPrev, t))) before = this.captureBeforeJump(fOld);
      this.readInputs(drive, t);
      this.readTargets(drive, t);
      this.applyImpulses(drive, tPrev, t);
    }
    this.updateInputRates();
    if (before) jumpContinuation(this.eq, fOld, before, this.tMs);
    this.lastDriveT = t;

    this.dyn.evaluate(o.learn);
    const { B, N, tauMs } = this.layout;
    if (this.solver) {
      for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) w.rhs[b * N + i] = -w.f[b * N + i]! / tauMs[i]! - w.dfdt[b * N + i]!;
      this.check(this.solver.solve(w.rhs, w.udot));
      this.lastIterations = this.solver instanceof RelaxedIteration ? this.solver.lastIterations : this.solver instanceof LayeredSolver ? this.solver.lastRefinements : 0;
    } else {
      // leaky neurons: τu̇ = −u + W r̄ + ē = −ē_raw + ē, with ē driven by the output error (Eq. 7b)
      const e = w.tmp[10]!;
      this.dyn.leakyError(e);
      for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) w.udot[b * N + i] = (e[b * N + i]! - w.eraw[b * N + i]!) / tauMs[i]!;
    }
    const bad = firstNonFinite(w.udot);
    if (bad >= 0) this.fail(`u̇ became ${w.udot[bad]}`, bad);
    observe?.(this);

    const dt = o.dtMs;
    for (let i = 0; i < w.u.length; i++) w.u[i] = w.u[i]! + dt * w.udot[i]!;
    for (let i = 0; i < w.rbarIn.length; i++) w.rbarIn[i] = w.rbarIn[i]! + dt * w.rdotIn[i]!;
    this.dyn.commit(dt);
    this.stepCount++;
    this.tMs = this.stepOffset + this.stepCount * dt;
    const big = maxAbs(w.u);
    if (!(big <= o.divergenceLimit)) {
      let k = 0;
      while (k < w.u.length && Math.abs(w.u[k]!) <= o.divergenceLimit) k++;
      this.fail(`divergence: |u| = ${Math.abs(w.u[k]!).toExponential(3)} exceeds ${o.divergenceLimit}`, k);
    }
  }

  private captureBeforeJump(fOld: Float64Array): DriveSnapshot {
    this.dyn.evaluate(false);
    fOld.set(this.w.f);
    return snapshotDrive(this.w);
  }

  private hasImpulses(drive: Drive, t0: number, t1: number): boolean {
    for (let b = 0; b < this.layout.B; b++) if (drive.impulses(t0, t1, b).length) return true;
    return false;
  }

  /** Raw input rates r_in(t); bias units at their constant rate. */
  private readInputs(drive: Drive, t: number): void {
    const { B, nIn } = this.layout;
    for (let b = 0; b < B; b++) {
      drive.inputs(t, b, this.w.rIn, b * nIn);
      for (const p of this.graph.inputs) if (p.constantRate !== null) this.w.rIn.fill(p.constantRate, b * nIn + p.offset, b * nIn + p.offset + p.size);
    }
  }

  /** Impulses in (t0, t1] raise r̄_in by area/τ_in. */
  private applyImpulses(drive: Drive, t0: number, t1: number): void {
    const { B, nIn } = this.layout;
    for (let b = 0; b < B; b++) {
      for (const imp of drive.impulses(t0, t1, b)) {
        const pop = this.graph.inputs.find((p) => imp.channel >= p.offset && imp.channel < p.offset + p.size)!;
        this.w.rbarIn[b * nIn + imp.channel] = this.w.rbarIn[b * nIn + imp.channel]! + imp.area / pop.tauInMs;
      }
    }
  }

  /** dr̄_in/dt = (r_in − r̄_in)/τ_in (0 for bias units). */
  private updateInputRates(): void {
    const { B, nIn } = this.layout;
    const w = this.w;
    for (let b = 0; b < B; b++) {
      for (const p of this.graph.inputs) {
        for (let i = b * nIn + p.offset, e = i + p.size; i < e; i++) w.rdotIn[i] = p.constantRate !== null ? 0 : (w.rIn[i]! - w.rbarIn[i]!) / p.tauInMs;
      }
    }
  }

  /** Targets u*(t), their slopes and the nudging mask (outputs without a target value are not nudged). */
  private readTargets(drive: Drive, t: number): void {
    const { B, N } = this.layout;
    const g = this.graph;
    const w = this.w;
    const tv = w.tmp[11]!;
    const ts = w.tmp[12]!;
    for (let b = 0; b < B; b++) {
      if (drive.targetChannels > 0) drive.targets(t, b, tv, ts, 0);
      for (let k = 0; k < g.outputs.length; k++) {
        const i = b * N + g.outputs[k]!;
        const v = drive.targetChannels > 0 ? tv[k]! : NaN;
        const has = v === v;
        w.nudge[i] = has ? 1 : 0;
        w.ustar[i] = has ? v : 0;
        w.ustarDot[i] = has ? ts[k]! : 0;
      }
    }
  }

  /** r̄_in = r_in (the input filters settled, as if started at −∞). */
  private settleInputs(): void {
    const w = this.w;
    w.rbarIn.set(w.rIn);
    w.rdotIn.fill(0);
  }

  private check(fail: SolveFailure | null): void {
    if (!fail) return;
    const sample = fail.sample !== undefined && this.layout.B > 1 ? `sample ${fail.sample}` : undefined;
    throw new NumericalError(fail.what, this.tMs, sample, fail.hint);
  }

  private fail(what: string, flatIndex: number): never {
    const { N, B } = this.layout;
    const b = Math.floor(flatIndex / N);
    const label = neuronLabel(this.graph, flatIndex % N) + (B > 1 ? ` (sample ${b})` : '');
    throw new NumericalError(what, this.tMs, label, 'reduce dt, the learning rate or the weights');
  }
}

/** Carried input products are recomputed by a full pass at least this often (bounds their rounding drift). */
const INPUT_REFRESH_STEPS = 128;

function checkOptions(o: ResolvedDigitalOptions): void {
  if (!(o.dtMs > 0) || !Number.isFinite(o.dtMs)) throw new UsageError(`dt: expected a positive time, got ${o.dtMs} ms`);
  if (!Number.isInteger(o.batch) || o.batch < 1) throw new UsageError(`batch: expected a positive integer, got ${o.batch}`);
  if (o.relaxation !== 'auto' && !(o.relaxation > 0)) throw new UsageError(`relaxation: expected a number > 0 or 'auto', got ${o.relaxation}`);
  if (o.iterations !== 'converge' && (!Number.isInteger(o.iterations) || o.iterations < 1)) {
    throw new UsageError(`iterations: expected a positive integer or 'converge', got ${o.iterations}`);
  }
  if (!['recompute', 'incremental', 'lowrank'].includes(o.inputProducts)) throw new UsageError(`inputProducts: expected 'recompute', 'incremental' or 'lowrank', got ${String(o.inputProducts)}`);
  if (o.inputProducts !== 'recompute' && o.batch !== 1) throw new UsageError(`inputProducts: '${o.inputProducts}' carries the products of one sample; batch ${o.batch} needs 'recompute'`);
}
