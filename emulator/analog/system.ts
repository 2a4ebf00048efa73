import { maxAbs } from '../../core/vector.js';
import { hasKink, isPiecewiseLinear } from '../../core/activation.js';
import { NumericalError } from '../../core/errors.js';
import { kernelBackend } from '../../core/kernels/backends.js';
import { Rng } from '../../core/rng.js';
import { neuronLabel } from '../../compiler/graph/graph.js';
import type { Drive } from '../drive.js';
import type { Quantity } from '../probes/probe.js';
import type { Dynamics } from '../digital/dynamics.js';
import { forwardSweeps, restoreEquilibrium, type EquilibriumContext } from '../digital/equilibrium.js';
import { buildLayout, gather, neuronOrder, type Layout } from '../digital/layout.js';
import { MicrocircuitDynamics } from '../digital/microcircuit.js';
import { forwardNet } from '../digital/operators.js';
import { DenseSolver } from '../digital/solvers/dense.js';
import { gmres } from '../digital/solvers/krylov.js';
import { LayeredSolver } from '../digital/solvers/layered.js';
import type { LinearSolver } from '../digital/solvers/linear-solver.js';
import { SomaticDynamics } from '../digital/somatic.js';
import { Workspace } from '../digital/workspace.js';
import { prospective, lookaheadTerm } from '../../hardware-models/components/current-sensing.js';
import { inputFilterRhs } from '../../hardware-models/components/input-filter.js';
import { leadOutputs, leadStateRhs, settleLeads } from '../../hardware-models/components/lead-stage.js';
import { clampToRails, membraneDrive, membraneRhs, railCut } from '../../hardware-models/components/membrane.js';
import { registerCode, registerStep, registerUpdateTimes, weightLeak } from '../../hardware-models/components/plastic-synapse.js';
import type { IntegrationFailure, OdeSystem } from './ode/ode.js';
import type { AnalogModel } from './model.js';
import { addMirroredFeedbackRate, mirroredFactors } from './mirrored-plasticity.js';
import { TopDownPools } from './pools.js';
import { settleWithPools, TopDownDynamics } from './top-down.js';
import { ModeLock } from './mode-lock.js';
import { CircuitJacobian } from './circuit-jacobian.js';
import { dpiDriveCoefficients, dpiPairRates, dpiSettledCommonMode } from '../../hardware-models/components/dpi-neuron.js';
import { UsageError } from '../../core/errors.js';
import { AffineInputProducts } from './affine-input-products.js';

/**
 * The state equations of a compiled circuit, dy/dt = F(t, y), over
 *   y = [u (N) | r̄_in (stimulus inputs) | lead-stage states of rates (N) | of errors (N) | depressing
 *        top-down pools (pools.ts) | DPI common modes (N, translinear circuits) | plastic weights],
 * assembled from the component models (hardware-models/components: membrane and rails, input filter,
 * lead stage, current-sensing/exact look-ahead, plastic synapse), whose equations are integrated here as
 * they are written there; the network part (W r̄, ē, ρ) is the digital engine's.
 *
 * Two forms:
 * - exact NLA (both unit kinds exact): u̇ solves J u̇ = −f/τ − ∂f/∂t, as the digital engine's explicit
 *   step, here with the circuit's realised weights, τ and transfer functions;
 * - circuit: the neuron equation τ_i u̇_i = −(u_i − θ_i) + Σ_j W_ij r_j + e_i with each unit as built:
 *   exact/current-sensing units r_j = ρ_j + τ_r,j ρ'_j u̇_j and e_i = ē_i + τ_e,i dē_i/dt make it
 *   implicit in u̇ (solved by GMRES, preconditioned by the NLA solve); lead stages
 *   r = k ρ + (1 − k) z, τ_p ż = ρ − z (k = τ_L/τ_p) make it explicit and stiff.
 * Rails hold u inside [low, high]; plasticity (Eq. 8) runs as part of the state, mirrored error arrays
 * included (mirrored-plasticity.ts). Top-down arrays that read a carried signal instead of u (a rate, or
 * depressing pools) go through TopDownDynamics (top-down.ts). Translinear circuits (model.dpi) replace the
 * membrane equation by each neuron's DPI pair (components/dpi-neuron.ts): u̇ = k_b b + k_0 with b = θ − u + I
 * the membrane's drive, so 1/k_b takes τ's place in the implicit solve, and the common modes s integrate
 * beside u; u itself stays the state, so probes read u = (I⁺ − I⁻)/I_unit as on every other circuit.
 */
export class AnalogSystem implements OdeSystem {
  readonly size: number;
  readonly layout: Layout;
  readonly workspace: Workspace;
  readonly dynamics: Dynamics;
  readonly graph;
  readonly options = { lookahead: true };
  readonly eq: EquilibriumContext;
  /** Offsets of the state blocks. */
  readonly oIn: number;
  readonly oZr: number;
  readonly oZe: number;
  /** Offset of the depressing pools' block (pools.size states). */
  readonly oX: number;
  /** Offset of the DPI common modes' block (N states on translinear circuits, else none). */
  readonly oS: number;
  readonly oW: number[];
  /** The top-down carriers (rate, depressing pools) of arrays that read a presynaptic voltage. */
  readonly pools: TopDownPools;
  drive: Drive | null = null;
  /** The switches (kinks of ρ, rails, output swings) and their locked modes (mode-lock.ts); null: none, or events off. */
  switching: ModeLock | null;
  /** ∂f/∂y in closed form for ROS3 (circuit-jacobian.ts); null where the form is not covered (finite differences). */
  readonly jacobian: CircuitJacobian | null;
  /** Drive values are read as left limits at this time (the end of the current segment). */
  segmentEnd = Infinity;
  private readonly direct: LinearSolver;
  /** Rate and error units' stage outputs (lead stages; others pass ρ and ē through). */
  private readonly rLead: Float64Array;
  private readonly eLead: Float64Array;
  private readonly ebar: Float64Array;
  private readonly rate0: Float64Array;
  /** The membranes' input I (units) and net drive τ u̇ = θ − u + I. */
  private readonly input: Float64Array;
  private readonly b: Float64Array;
  private readonly tmp: Float64Array;
  private readonly tmp2: Float64Array;
  private readonly tv: Float64Array;
  private readonly ts: Float64Array;
  private readonly zero: Float64Array;
  /** Translinear circuits: ṡ of the common modes, 1/k_b (the τ of the implicit solve) and k_0 per neuron. */
  private readonly sDot: Float64Array;
  private readonly tauEff: Float64Array | null;
  private readonly dpiK0: Float64Array;
  /** DPI pairs that clipped (neuron index → the last occasion, in words). */
  private readonly dpiClipped = new Map<number, string>();
  /** Digital plasticity: κ_ij (realised weight per code·lsb) and the codes. */
  private readonly codes: Array<Float64Array | null>;
  private readonly kappa: Array<Float64Array | null>;
  private readonly rng: Rng;
  private readonly uniform = () => this.rng.uniform();
  /** Per projection: the uniform draws of its stochastic rounding. */
  private readonly roundings: Array<() => number>;

  /** The input projections' affine family (null with `recompute`): its counters go into the run's summary. */
  readonly affineInputs: AffineInputProducts | null = null;

  /** `learn`: plasticity on; only then are the plastic weights part of the state. `inputProducts`: AnalogOptions.inputProducts. */
  constructor(
    readonly model: AnalogModel,
    readonly learn = false,
    inputProducts: 'affine' | 'recompute' = 'affine',
  ) {
    const g = model.graph;
    this.graph = g;
    const order = g.layered ? neuronOrder(g) : [];
    const micro = g.feedback === 'microcircuit';
    const useLayered = g.layered && !micro;
    this.layout = buildLayout(g, 1, order, g.neurons.every((p) => isPiecewiseLinear(p.activation)), useLayered);
    this.workspace = new Workspace(this.layout, kernelBackend('wasm'), inputProducts === 'affine');
    // weights that hold still during a run: every projection but the plastic ones when learning
    if (inputProducts === 'affine') {
      this.affineInputs = new AffineInputProducts(this.layout, this.workspace, this.workspace.carriedBuffers, model.inputTauMs, (k) => !(learn && model.plastic[k]));
      this.workspace.inputProducts = this.affineInputs;
    }
    const N = g.nNeurons;
    this.oIn = N;
    this.oZr = N + g.nStimulusInputs;
    this.oZe = this.oZr + (model.rate.any.lead ? N : 0);
    this.oX = this.oZe + (model.err.any.lead ? N : 0);
    this.pools = new TopDownPools(model, this.layout, this.oX);
    this.dynamics = !micro ? new SomaticDynamics(this.layout, this.workspace) : this.pools.any ? new TopDownDynamics(this.layout, this.workspace, this.pools) : new MicrocircuitDynamics(this.layout, this.workspace);
    this.direct = useLayered ? new LayeredSolver(this.layout, this.workspace, this.dynamics) : new DenseSolver(this.layout, this.workspace, this.dynamics);
    this.oS = this.oX + this.pools.size;
    let off = this.oS + (model.dpi ? N : 0);
    this.oW = g.projections.map((p, k) => {
      const o = off;
      if (learn && model.plastic[k]) off += p.rows * p.cols;
      return o;
    });
    this.size = off;
    this.rLead = new Float64Array(N);
    this.eLead = new Float64Array(N);
    this.ebar = new Float64Array(N);
    this.rate0 = new Float64Array(N);
    this.input = new Float64Array(N);
    this.b = new Float64Array(N);
    this.tmp = new Float64Array(N);
    this.tmp2 = new Float64Array(N);
    this.zero = new Float64Array(N);
    this.sDot = new Float64Array(model.dpi ? N : 0);
    this.tauEff = model.dpi ? new Float64Array(N) : null;
    this.dpiK0 = new Float64Array(model.dpi ? N : 0);
    this.tv = new Float64Array(g.outputs.length);
    this.ts = new Float64Array(g.outputs.length);
    const ir = model.ir;
    this.codes = g.projections.map((_, k) => (model.plastic[k]?.kind === 'digital' && ir.arrays[k]!.codes ? Float64Array.from(ir.arrays[k]!.codes!.flat()) : null));
    this.kappa = g.projections.map((p, k) => {
      const c = this.codes[k];
      const pl = model.plastic[k];
      if (!c || pl?.kind !== 'digital' || pl.lsb === 0) return null;
      return Float64Array.from(c, (code, i) => (code !== 0 ? p.weights[i]! / (code * pl.lsb) : 1));
    });
    this.rng = new Rng(ir.seed).fork('plasticity-rounding');
    // a mirrored error array rounds with its own generator: turning mirroring on leaves the forward arrays' draws as they were
    this.roundings = g.projections.map((p, k) => {
      if (model.mirrorOf[k]! < 0) return this.uniform;
      const own = new Rng(ir.seed).fork(`plasticity-rounding:${p.name}`);
      return () => own.uniform();
    });
    this.eq = {
      L: this.layout,
      w: this.workspace,
      dyn: this.dynamics,
      direct: this.direct,
      kinks: g.neurons.some((p) => hasKink(p.activation)),
      fail: (f, tMs) => {
        throw new NumericalError(f.what, tMs, undefined, f.hint);
      },
    };
    for (const inp of g.inputs) if (inp.constantRate !== null) this.workspace.rbarIn.fill(inp.constantRate, inp.offset, inp.offset + inp.size);
    this.switching = ModeLock.of(this);
    this.jacobian = CircuitJacobian.of(this, this.dynamics instanceof SomaticDynamics && this.pools.size === 0 && !learn && !model.dpi);
  }

  /** ē at the last evaluation (the error lead stages' input). */
  get errorSignal(): Float64Array {
    return this.ebar;
  }

  componentName(i: number): string {
    const g = this.graph;
    if (i < this.oIn) return `u of ${neuronLabel(g, i)}`;
    if (i < this.oZr) return `r̄_in of input ${i - this.oIn}`;
    if (i < this.oZe) return `rate lead stage of ${neuronLabel(g, i - this.oZr)}`;
    if (i < this.oX) return `error lead stage of ${neuronLabel(g, i - this.oZe)}`;
    if (i < this.oX + this.pools.size) return this.pools.componentName(i - this.oX);
    if (this.model.dpi && i < this.oS + g.nNeurons) return `DPI common mode of ${neuronLabel(g, i - this.oS)}`;
    for (let k = g.projections.length - 1; k >= 0; k--) {
      const p = g.projections[k]!;
      if (this.learn && this.model.plastic[k] && i >= this.oW[k]!) {
        const j = i - this.oW[k]!;
        return `weight ${p.name}[${Math.floor(j / p.cols)}][${j % p.cols}]`;
      }
    }
    return `component ${i}`;
  }

  noiseScale(i: number): number {
    return i < this.oIn ? this.model.noiseSigma[i]! : 0;
  }

  /**
   * Initial state: u = 0, r̄_in = 0 (or settled at the drive when `equilibrium`, the depressing pools and the
   * voltages settled together), depressing pools at their steady state for the initial rates, lead stages settled.
   */
  initialState(t0: number, init: 'rest' | 'equilibrium'): Float64Array {
    const y = new Float64Array(this.size);
    const w = this.workspace;
    this.loadWeights(y, true);
    this.setDrive(t0);
    if (init === 'equilibrium') {
      w.rbarIn.set(w.rIn);
      w.rdotIn.fill(0);
      this.settlePools(y);
      forwardSweeps(this.eq);
      // the steady state of the circuit: f = θ (the rest offsets), f = 0 without offsets
      restoreEquilibrium(this.eq, Float64Array.from(this.model.theta), 'initial equilibrium', t0);
      settleWithPools(this, y, () => restoreEquilibrium(this.eq, Float64Array.from(this.model.theta), 'initial equilibrium', t0), t0);
    }
    y.set(w.u.subarray(0, this.graph.nNeurons), 0);
    y.set(w.rbarIn.subarray(0, this.graph.nStimulusInputs), this.oIn);
    this.settlePools(y);
    this.settleLeads(y);
    this.settleCommonModes(y);
    return y;
  }

  /** DPI common modes at the halves' steady states for the initial u (translinear circuits). */
  private settleCommonModes(y: Float64Array): void {
    const d = this.model.dpi;
    if (!d) return;
    for (let i = 0; i < this.graph.nNeurons; i++) {
      const s = dpiSettledCommonMode(d, i, y[i]!);
      if (!(s > Math.abs(y[i]!))) throw new UsageError(`the DPI pair of ${neuronLabel(this.graph, i)} cannot hold its initial u = ${y[i]} units (common mode ${s} units): raise circuit.commonModeUnits`);
      y[this.oS + i] = s;
    }
  }

  /** Depressing pools at their steady state x* = 1/(1 + d ρ) for the workspace's u (into the pools and y). */
  settlePools(y: Float64Array): void {
    if (!this.pools.size) return;
    this.dynamics.evaluate(false);
    this.pools.settle(this.workspace, y);
  }

  /** Lead stages at their steady state for the current u (z = ρ, z_e = ē). */
  settleLeads(y: Float64Array): void {
    this.unpack(y);
    this.dynamics.evaluate(false);
    this.dynamics.errorSignal(this.ebar);
    const m = this.model;
    if (m.rate.any.lead) settleLeads(m.rate, this.workspace.rho, y, this.oZr);
    if (m.err.any.lead) settleLeads(m.err, this.ebar, y, this.oZe);
  }

  /** Plastic weights into the state (first call) or from it. */
  loadWeights(y: Float64Array, intoState: boolean): void {
    if (!this.learn) return;
    this.graph.projections.forEach((p, k) => {
      const pl = this.model.plastic[k];
      if (!pl || pl.kind === 'digital') return;
      const W = this.workspace.proj[k]!.W;
      if (intoState) y.set(W, this.oW[k]!);
      else W.set(y.subarray(this.oW[k]!, this.oW[k]! + p.rows * p.cols));
    });
  }

  /**
   * The weights at state y, per projection: plastic analog weights from y, every other projection (fixed,
   * or digital plasticity's registers) from the workspace.
   */
  weightsAt(y: Float64Array): Float64Array[] {
    return this.graph.projections.map((p, k) => {
      const pl = this.learn ? this.model.plastic[k] : null;
      if (pl && pl.kind !== 'digital') return y.slice(this.oW[k]!, this.oW[k]! + p.rows * p.cols);
      return Float64Array.from(this.workspace.proj[k]!.W);
    });
  }

  /** Reads inputs and targets at t (as a left limit at segmentEnd) into the workspace. */
  setDrive(t: number): void {
    const d = this.drive!;
    const g = this.graph;
    const w = this.workspace;
    const tq = t >= this.segmentEnd - 1e-9 * Math.max(1, Math.abs(t)) ? this.segmentEnd - 1e-9 * Math.max(1, Math.abs(t)) : t;
    d.inputs(tq, 0, w.rIn, 0);
    for (const inp of g.inputs) if (inp.constantRate !== null) w.rIn.fill(inp.constantRate, inp.offset, inp.offset + inp.size);
    inputFilterRhs(this.model.inputTauMs, w.rIn, w.rbarIn, w.rdotIn);
    if (d.targetChannels > 0) d.targets(tq, 0, this.tv, this.ts, 0);
    g.outputs.forEach((o, k) => {
      const v = d.targetChannels > 0 ? this.tv[k]! : NaN;
      const has = v === v;
      w.nudge[o] = has ? this.model.betaScale[o]! : 0;
      w.ustar[o] = has ? v : 0;
      w.ustarDot[o] = has ? this.ts[k]! : 0;
    });
  }

  private unpack(y: Float64Array): void {
    const w = this.workspace;
    if (this.switching) this.switching.membraneVoltages(y, w.u);
    else clampToRails(this.model, y, w.u);
    w.rbarIn.set(y.subarray(this.oIn, this.oIn + this.graph.nStimulusInputs), 0);
    if (this.pools.size) this.pools.load(y);
    this.loadWeights(y, false);
  }

  /** F(t, y) into dy, or a failed solve as a value (what, t); with sliding kinks, Filippov's blend (mode-lock.ts). */
  rhs(t: number, y: Float64Array, dy: Float64Array): IntegrationFailure | null {
    return this.switching?.anySliding ? this.switching.slidingRhs(t, y, dy, this.lockedRhs) : this.lockedRhs(t, y, dy);
  }

  /** F(t, y) with every switch in its locked mode (or, before locking, as the components write it). */
  private readonly lockedRhs = (t: number, y: Float64Array, dy: Float64Array): IntegrationFailure | null => {
    const w = this.workspace;
    const m = this.model;
    const g = this.graph;
    const N = g.nNeurons;
    this.unpack(y);
    this.setDrive(t);
    const udot = w.udot;
    if (m.exactNla) {
      this.dynamics.evaluate(this.learn);
      if (this.learn) addMirroredFeedbackRate(this.layout, w, m);
      // rest offsets θ: the membrane settles at u = θ + W r̄ + ē, so (1 + τ d/dt)(f − θ) = 0
      for (let i = 0; i < N; i++) w.rhs[i] = -(w.f[i]! - m.theta[i]!) / m.tauMs[i]! - w.dfdt[i]!;
      const fail = this.direct.solve(w.rhs, udot);
      if (fail) return { what: fail.what, timeMs: t, ...(fail.hint ? { hint: fail.hint } : {}) };
      this.dynamics.errorSignal(this.ebar);
    } else {
      this.dynamics.evaluate(false);
      const fail = this.circuitRate(y, udot, t);
      if (fail) return fail;
    }
    if (this.switching) this.switching.railCut(y, udot, dy);
    else railCut(m, y, udot, dy);
    for (let j = 0; j < g.nStimulusInputs; j++) dy[this.oIn + j] = w.rdotIn[j]!;
    if (m.rate.any.lead) leadStateRhs(m.rate, w.rho, y, dy, this.oZr);
    if (m.err.any.lead) leadStateRhs(m.err, this.ebar, y, dy, this.oZe);
    if (this.pools.size) this.pools.rhs(dy);
    if (m.dpi) dy.set(this.sDot, this.oS);
    this.plasticity(y, dy);
    return null;
  };

  /**
   * The circuit form: the membranes' input I = W r + e + τ_m W_in dr̄_in/dt from the units as built, then
   * the membrane equation τ u̇ = θ − u + I, explicit with lead stages only, else implicit in u̇.
   */
  private circuitRate(y: Float64Array, udot: Float64Array, t: number): IntegrationFailure | null {
    const w = this.workspace;
    const m = this.model;
    const N = this.graph.nNeurons;
    const input = this.input;
    this.dynamics.errorSignal(this.ebar);
    // rate units: a lead stage sends its output instead of ρ; exact units' look-ahead is the implicit part
    if (m.rate.any.lead && this.switching) this.switching.leadOutputs(m.rate, w.rho, y, this.rLead, this.oZr, false);
    else if (m.rate.any.lead) leadOutputs(m.rate, w.rho, y, this.rLead, this.oZr);
    else for (let i = 0; i < N; i++) this.rLead[i] = w.rho[i]!;
    // error units: a lead stage on ē, or ē + τ_e dē/dt (here its part at u̇ = 0)
    if (m.err.any.lead && this.switching) this.switching.leadOutputs(m.err, this.ebar, y, this.eLead, this.oZe, true);
    else if (m.err.any.lead) leadOutputs(m.err, this.ebar, y, this.eLead, this.oZe);
    else this.eLead.set(this.ebar);
    let e = this.eLead;
    if (m.err.any.exact) {
      this.dynamics.errorSignalRate(this.zero, this.rate0);
      prospective(m.err, this.eLead, null, this.rate0, this.tmp);
      e = this.tmp;
    }
    // W r̄ (= u − ē_raw), the inputs' look-ahead and the error, then the lead stages' W (r − ρ)
    for (let i = 0; i < N; i++) input[i] = w.u[i]! - w.eraw[i]! + m.tauMs[i]! * w.sDrive[i]! + e[i]!;
    if (m.rate.any.lead) {
      const d = this.tmp2;
      for (let i = 0; i < N; i++) d[i] = this.rLead[i]! - w.rho[i]!;
      forwardNet(this.layout, w, d, input, 1);
    }
    if (m.dpi) return this.translinearRate(y, udot, t);
    if (!m.rate.any.exact && !m.err.any.exact) {
      membraneRhs(m, w.u, input, udot);
      return null;
    }
    membraneDrive(m, w.u, input, this.b);
    return this.solveImplicit(udot, t);
  }

  /**
   * Translinear circuits: u̇ = k_b b + k_0 per DPI pair (b = θ − u + I, the membrane's drive), explicit with
   * lead stages only, else the implicit solve with τ_eff = 1/k_b and b + k_0/k_b; then ṡ at the drive that
   * u̇ implies. Beyond the class-A range an input current clips at 0, as in the circuit; such pairs are
   * recorded (dpiClippedPairs).
   */
  private translinearRate(y: Float64Array, udot: Float64Array, t: number): IntegrationFailure | null {
    const m = this.model;
    const d = m.dpi!;
    const N = this.graph.nNeurons;
    const u = this.workspace.u;
    const b = this.b;
    membraneDrive(m, u, this.input, b);
    const implicit = m.rate.any.exact || m.err.any.exact;
    if (implicit) {
      for (let i = 0; i < N; i++) {
        const { kb, k0 } = dpiDriveCoefficients(d, i, u[i]!, y[this.oS + i]!, b[i]!);
        this.tauEff![i] = 1 / kb;
        this.dpiK0[i] = k0;
        b[i] = b[i]! + k0 / kb;
      }
      const fail = this.solveImplicit(udot, t);
      if (fail) return fail;
      for (let i = 0; i < N; i++) b[i] = (udot[i]! - this.dpiK0[i]!) * this.tauEff![i]!;
    }
    const r = { uDot: 0, sDot: 0 };
    for (let i = 0; i < N; i++) {
      const note = dpiPairRates(d, i, u[i]!, y[this.oS + i]!, b[i]!, r);
      if (note) this.dpiClipped.set(i, `${note} at t = ${t} ms`);
      if (!implicit) udot[i] = r.uDot;
      this.sDot[i] = r.sDot;
    }
    return null;
  }

  /**
   * The DPI pairs that left the class-A domain in some evaluation (neuron label → the last occasion), trial
   * stages of rejected steps included: an upper bound on where the accepted run clipped.
   */
  get dpiClippedPairs(): Array<{ neuron: string; what: string }> {
    return [...this.dpiClipped].map(([i, what]) => ({ neuron: neuronLabel(this.graph, i), what }));
  }

  /**
   * Exact and current-sensing units: M u̇ = b with M v = τ v − W (τ_r ρ' v) − τ_e dē/dt(v) (the
   * look-ahead's part linear in u̇), by GMRES preconditioned with the NLA solve.
   */
  private solveImplicit(udot: Float64Array, t: number): IntegrationFailure | null {
    const w = this.workspace;
    const m = this.model;
    const L = this.layout;
    const N = this.graph.nNeurons;
    const b = this.b;
    const tmp = this.tmp2;
    const tau = this.tauEff ?? m.tauMs;
    const apply = (v: Float64Array, out: Float64Array) => {
      for (let i = 0; i < N; i++) out[i] = tau[i]! * v[i]!;
      if (m.rate.any.exact) {
        lookaheadTerm(m.rate, w.drho, v, tmp);
        forwardNet(L, w, tmp, out, -1);
      }
      if (m.err.any.exact) {
        this.dynamics.errorSignalRate(v, tmp);
        for (let i = 0; i < N; i++) tmp[i] = tmp[i]! - this.rate0[i]!;
        lookaheadTerm(m.err, null, tmp, tmp);
        for (let i = 0; i < N; i++) out[i] = out[i]! - tmp[i]!;
      }
    };
    let failed: IntegrationFailure | null = null;
    const precond = (r: Float64Array, out: Float64Array) => {
      for (let i = 0; i < N; i++) out[i] = r[i]! / tau[i]!;
      if (m.rate.any.exact && !failed) {
        const x = new Float64Array(N);
        const fail = this.direct.solve(out, x);
        if (fail) failed = { what: fail.what, timeMs: t, ...(fail.hint ? { hint: fail.hint } : {}) };
        out.set(x);
      }
    };
    precond(b, udot);
    if (failed) return failed;
    const tol = 1e-12 * Math.max(1e-300, maxAbs(b));
    const res = gmres(apply, precond, b, udot, tol, 200);
    if (failed) return failed;
    if (res.fail) return { what: `the circuit's voltage rate could not be solved: ${res.fail}`, timeMs: t, hint: 'the look-ahead loop of exact units is ill-conditioned here' };
    return null;
  }

  /** Weight derivatives (Eq. 8 as built: ideal, leaky capacitor, or a digital accumulator). */
  private plasticity(y: Float64Array, dy: Float64Array): void {
    const g = this.graph;
    g.projections.forEach((p, k) => {
      const pl = this.model.plastic[k];
      if (!pl || !this.learn) return;
      const o = this.oW[k]!;
      const n = p.rows * p.cols;
      const { post, pre } = this.factors(k);
      const eta = p.etaPerMs;
      for (let r = 0; r < p.rows; r++) {
        const a = eta * post[r]!;
        for (let c = 0; c < p.cols; c++) dy[o + r * p.cols + c] = p.mask && !p.mask[r * p.cols + c] ? 0 : a * pre[c]!;
      }
      if (pl.kind === 'analog') weightLeak(pl.leakTauMs, y, dy, o, n);
    });
  }

  /** Post- and presynaptic factors of projection k's learning rule at the last evaluation. */
  private factors(k: number): { post: Float64Array; pre: Float64Array } {
    const g = this.graph;
    const w = this.workspace;
    const p = g.projections[k]!;
    if (this.model.mirrorOf[k]! >= 0) return mirroredFactors(this.layout, w, this.model.mirrorOf[k]!);
    const ref = this.layout.forward.find((r) => r.index === k);
    if (ref) {
      const post = w.eraw.subarray(ref.postOff, ref.postOff + p.rows);
      return { post, pre: w.proj[k]!.pre.subarray(0, p.cols) };
    }
    const m = this.layout.micro.find((x) => x.wip.index === k || x.wpi.index === k)!;
    const I = g.interneurons[m.pop]!;
    if (m.wip.index === k) {
      const post = new Float64Array(I.size);
      for (let i = 0; i < I.size; i++) post[i] = w.uI[I.offset + i]! - w.ip[I.offset + i]!;
      const pre = new Float64Array(p.cols);
      gather(w.rho, g.nNeurons, m.wip.preOff, p.cols, 1, pre);
      return { post, pre };
    }
    return { post: w.fb.subarray(m.wpi.postOff, m.wpi.postOff + p.rows), pre: w.uI.subarray(I.offset, I.offset + I.size) };
  }

  /** Times (ms) of digital weight updates in (t0, t1]. */
  updateTimes(t0: number, t1: number): number[] {
    const out = new Set<number>();
    this.model.plastic.forEach((pl) => {
      if (!this.learn || pl?.kind !== 'digital' || pl.lsb === 0) return;
      for (const t of registerUpdateTimes(pl.periodMs, t0, t1)) out.add(t);
    });
    return [...out].sort((a, b) => a - b);
  }

  /**
   * A digital plasticity update: each register takes the accumulated change in whole lsb (nearest, or
   * stochastic rounding), clipped at the DAC range; the accumulator keeps the rest.
   */
  applyDigitalUpdates(y: Float64Array): void {
    for (const ref of this.layout.forward) this.workspace.inputProducts?.release(ref);
    this.graph.projections.forEach((p, k) => {
      const pl = this.model.plastic[k];
      const codes = this.codes[k];
      const kappa = this.kappa[k];
      if (pl?.kind !== 'digital' || !codes || !kappa) return;
      const W = this.workspace.proj[k]!.W;
      const o = this.oW[k]!;
      for (let i = 0; i < p.rows * p.cols; i++) {
        const d = registerStep(y[o + i]! / pl.lsb, pl.stochastic, this.roundings[k]!);
        if (d === 0) continue;
        const code = registerCode(codes[i]!, d, pl.maxCode);
        y[o + i] = y[o + i]! - (d * pl.lsb);
        codes[i] = code;
        W[i] = code * pl.lsb * kappa[i]!;
      }
    });
  }

  /** The prospective rate and error each unit actually sends (for probes). */
  custom(q: Quantity): Float64Array | null {
    if (this.model.exactNla || (q !== 'r' && q !== 'e')) return null;
    const w = this.workspace;
    const m = this.model;
    const N = this.graph.nNeurons;
    const out = new Float64Array(N);
    if (q === 'r') {
      prospective(m.rate, this.rLead, w.drho, w.udot, out);
    } else {
      const rate = new Float64Array(N);
      this.dynamics.errorSignalRate(w.udot, rate);
      prospective(m.err, this.eLead, null, rate, out);
    }
    return out;
  }
}

