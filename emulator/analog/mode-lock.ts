import { activationKinks, evaluateActivation, evaluateActivationPiece, type Activation } from '../../core/activation.js';
import { neuronLabel, type NlaGraph } from '../../compiler/graph/graph.js';
import { leadOutput, leadOutputs, type LeadPopulation } from '../../hardware-models/components/lead-stage.js';
import { clampToRails, railCut } from '../../hardware-models/components/membrane.js';
import type { Workspace } from '../digital/workspace.js';
import { FilippovBlend, SlidingField } from './filippov.js';
import type { AnalogModel } from './model.js';
import type { IntegrationFailure, SwitchingSystem } from './ode/ode.js';

/** Limits (rails, output swings) at or beyond this many units are the compiler's "none" and are not watched. */
const UNBOUNDED = 1e5;

/** What the lock needs of the circuit's state equations (system.ts). */
export interface LockedCircuit {
  readonly model: AnalogModel;
  readonly workspace: Workspace;
  readonly size: number;
  /** Offsets of the rate and error lead-stage states in y. */
  readonly oZr: number;
  readonly oZe: number;
  /** f(t, y); afterwards the workspace holds u̇ before the rails (w.udot) and `errorSignal` ē. */
  rhs(t: number, y: Float64Array, dy: Float64Array): IntegrationFailure | null;
  readonly errorSignal: Float64Array;
}

type Kind = 'kink' | 'rail' | 'rate-swing' | 'error-swing';

/**
 * The circuit's switches (ode.ts `SwitchingSystem`) and f's pieces under locked modes:
 * - each kink κ of a neuron's ρ_i(u) = gain_i ρ(u − offset_i): side ±1 of u − offset_i − κ (the neuron's
 *   piece of ρ is the number of kinks it is above); margin side·(u − offset − κ); a kink that chatters
 *   (each side's f drives the node back across it) slides: the node is held on it and f is Filippov's
 *   blend of the two pieces' fields (filippov.ts), margin min(λ, 1 − λ) of the blend's weight;
 * - each membrane with rails inside ±10⁵ units: free (u = y, margin the distance to the nearer rail)
 *   or pinned at a rail (u = the rail, dy = 0, margin the outward rate u̇, so it leaves when u̇ turns);
 * - each lead stage with a finite output swing: free (output k x + (1 − k) z unclipped, margin
 *   maxOut − |output|) or clipped at ±maxOut (margin ±output − maxOut).
 * Before the first `lock` (the initial state, the equilibrium) and with `active` false, f is evaluated
 * as the components write it (clamps and clips as they are); `lock` switches the locked pieces on.
 */
/**
 * The most neurons sliding at once where the sliding field takes the vertex form (exact units): it costs
 * n + 1 evaluations of f for n sliding neurons, so past this bound a chattering kink is held in its mode
 * instead (counted as a hold). Circuits affine in the blend weights have no bound (three evaluations).
 */
export const MAX_SLIDING = 8;

type Evaluate = (t: number, y: Float64Array, dy: Float64Array) => IntegrationFailure | null;

export class ModeLock implements SwitchingSystem {
  readonly count: number;
  active = false;
  /** 0 … count − 1. */
  private readonly all: number[];
  private readonly kind: Kind[] = [];
  /** The neuron of each switch, its kink (kinks only), and its mode (kink side ±1; rails and swings 0 free, ±1 at the limit). */
  private readonly neuron: Int32Array;
  private readonly kink: Float64Array;
  private readonly mode: Int8Array;
  /** Per neuron: its activation, first kink switch and number of kinks, its rail switch and swing switches (−1: none). */
  private readonly act: Activation[];
  private readonly firstKink: Int32Array;
  private readonly nKinks: Int32Array;
  private readonly railOf: Int32Array;
  private readonly rateSwingOf: Int32Array;
  private readonly errSwingOf: Int32Array;
  private readonly u: Float64Array;
  private readonly x: Float64Array;
  private readonly r: Float64Array;
  private readonly dy: Float64Array;
  private readonly gain: Float64Array;
  private readonly offset: Float64Array;
  /** Sliding kinks: how many; per neuron the blend α of the pieces below and above, unclamped, and u̇ at α = 0. */
  private sliding = 0;
  private readonly alpha: Float64Array;
  private readonly alphaRaw: Float64Array;
  private readonly udot0: Float64Array;
  private readonly hi: Float64Array[];
  /** Filippov's sliding field: whether f is affine in the blend weights, its solvers, the sliding neurons, their unclamped weights and u̇ on the lower piece. */
  private readonly affine: boolean;
  private readonly field = new SlidingField();
  private readonly vertices: Float64Array[] = [];
  private blender = new FilippovBlend(1);
  private readonly slidingSet: number[] = [];
  private readonly lambda: Float64Array;
  private readonly udotLow: Float64Array;

  /** The lock of a circuit, or null when nothing in it is piecewise. */
  static of(c: LockedCircuit): ModeLock | null {
    const lock = new ModeLock(c);
    return lock.count > 0 ? lock : null;
  }

  private constructor(private readonly c: LockedCircuit) {
    const m = c.model;
    const g: NlaGraph = m.graph;
    const N = g.nNeurons;
    this.act = g.neurons.flatMap((p) => Array.from({ length: p.size }, () => p.activation));
    this.firstKink = new Int32Array(N).fill(-1);
    this.nKinks = new Int32Array(N);
    this.railOf = new Int32Array(N).fill(-1);
    this.rateSwingOf = new Int32Array(N).fill(-1);
    this.errSwingOf = new Int32Array(N).fill(-1);
    const neuron: number[] = [];
    const kink: number[] = [];
    const add = (k: Kind, i: number, at = 0) => {
      this.kind.push(k);
      neuron.push(i);
      kink.push(at);
      return neuron.length - 1;
    };
    for (let i = 0; i < N; i++) {
      if (m.railLow[i]! > -UNBOUNDED || m.railHigh[i]! < UNBOUNDED) this.railOf[i] = add('rail', i);
      const ks = activationKinks(this.act[i]!);
      this.nKinks[i] = ks.length;
      ks.forEach((kv, j) => {
        const s = add('kink', i, kv);
        if (j === 0) this.firstKink[i] = s;
      });
      if (m.rate.lead[i] && m.rate.maxOut[i]! < UNBOUNDED) this.rateSwingOf[i] = add('rate-swing', i);
      if (m.err.lead[i] && m.err.maxOut[i]! < UNBOUNDED) this.errSwingOf[i] = add('error-swing', i);
    }
    this.count = neuron.length;
    this.all = Array.from({ length: this.count }, (_, k) => k);
    this.neuron = Int32Array.from(neuron);
    this.kink = Float64Array.from(kink);
    this.mode = new Int8Array(this.count);
    // a kink is never in its slide (mode 0) before `slide` puts it there
    for (let k = 0; k < this.count; k++) if (this.kind[k] === 'kink') this.mode[k] = -1;
    this.u = new Float64Array(N);
    this.x = new Float64Array(N);
    this.r = new Float64Array(N);
    this.dy = new Float64Array(c.size);
    this.gain = g.neuronParams?.gain ?? new Float64Array(N).fill(1);
    this.offset = g.neuronParams?.offset ?? new Float64Array(N);
    this.alpha = new Float64Array(N);
    this.alphaRaw = new Float64Array(N);
    this.udot0 = new Float64Array(N);
    this.hi = [new Float64Array(N), new Float64Array(N), new Float64Array(N)];
    this.lambda = new Float64Array(N);
    this.udotLow = new Float64Array(N);
    this.affine = !m.exactNla && !m.rate.any.exact && !m.err.any.exact;
    if (this.firstKink.some((s) => s >= 0)) c.workspace.transferOverride = (v, rho, drho, ddrho) => this.transfer(v, rho, drho, ddrho);
  }

  name(k: number): string {
    const i = this.neuron[k]!;
    const who = neuronLabel(this.c.model.graph, i);
    switch (this.kind[k]!) {
      case 'kink':
        return `kink of ρ at u = ${this.kink[k]} (+ offset) of ${who}`;
      case 'rail':
        return `rails of ${who}`;
      case 'rate-swing':
        return `output swing of the rate lead stage of ${who}`;
      case 'error-swing':
        return `output swing of the error lead stage of ${who}`;
    }
  }

  /** Locked ρ pieces (forward pass hook, on the shifted voltages v = u − offset, before the gain). */
  private transfer(v: Float64Array, rho: Float64Array, drho: Float64Array, ddrho: Float64Array): void {
    if (!this.active) return;
    for (let i = 0; i < this.firstKink.length; i++) {
      const k0 = this.firstKink[i]!;
      if (k0 < 0) continue;
      const p = this.piece(i);
      evaluateActivationPiece(this.act[i]!, p, v, rho, drho, ddrho, i);
      if (this.sliding === 0 || this.slidingKink(i) < 0) continue;
      // sliding: the blend (1 − α)·(piece below) + α·(piece above)
      const [r1, d1, dd1] = this.hi as [Float64Array, Float64Array, Float64Array];
      evaluateActivationPiece(this.act[i]!, p + 1, v, r1, d1, dd1, i);
      const a = this.alpha[i]!;
      rho[i] = rho[i]! + a * (r1[i]! - rho[i]!);
      drho[i] = drho[i]! + a * (d1[i]! - drho[i]!);
      ddrho[i] = ddrho[i]! + a * (dd1[i]! - ddrho[i]!);
    }
  }

  /** Neuron i's sliding kink switch, or −1. */
  private slidingKink(i: number): number {
    const k0 = this.firstKink[i]!;
    if (k0 < 0) return -1;
    for (let j = 0; j < this.nKinks[i]!; j++) if (this.mode[k0 + j] === 0) return k0 + j;
    return -1;
  }

  /** Whether any kink is sliding (f is then evaluated by `slidingRhs`). */
  get anySliding(): boolean {
    return this.sliding > 0 && this.active;
  }

  /**
   * f with sliding kinks: Filippov's sliding field (filippov.ts); each sliding node is held on its kink
   * (dy = 0). A field affine in the blend weights (no exact units) costs three evaluations of f whatever
   * the number of sliding neurons; otherwise the vertex form costs n + 1. The workspace is left as at the
   * last evaluation.
   */
  slidingRhs(t: number, y: Float64Array, dy: Float64Array, evaluate: Evaluate): IntegrationFailure | null {
    const S = this.slidingSet;
    S.length = 0;
    for (let i = 0; i < this.u.length; i++) if (this.slidingKink(i) >= 0) S.push(i);
    if (!this.affine) return this.vertexRhs(S, t, y, dy, evaluate);
    const w = this.c.workspace;
    const atBlend = (alpha: Float64Array, out: Float64Array): Float64Array | IntegrationFailure => {
      for (let j = 0; j < S.length; j++) this.alpha[S[j]!] = alpha[j]!;
      return evaluate(t, y, out) ?? w.udot;
    };
    const fail = this.field.solve(S, atBlend, dy, this.lambda, this.udotLow, t, (i) => neuronLabel(this.c.model.graph, i));
    if (fail) return fail;
    S.forEach((i, j) => {
      this.alphaRaw[i] = this.lambda[j]!;
      this.udot0[i] = this.udotLow[j]!;
    });
    return null;
  }

  /** The vertex form: f with every sliding neuron on its lower piece and with one of them on its upper piece. */
  private vertexRhs(S: readonly number[], t: number, y: Float64Array, dy: Float64Array, evaluate: Evaluate): IntegrationFailure | null {
    const w = this.c.workspace;
    while (this.vertices.length < S.length + 1) this.vertices.push(new Float64Array(this.c.size));
    if (this.blender.maxSurfaces < S.length) this.blender = new FilippovBlend(S.length);
    for (let v = 0; v <= S.length; v++) {
      for (let j = 0; j < S.length; j++) this.alpha[S[j]!] = j + 1 === v ? 1 : 0;
      const fail = evaluate(t, y, this.vertices[v]!);
      if (fail) return fail;
      if (v === 0) for (const i of S) this.udot0[i] = w.udot[i]!;
    }
    this.blender.blend(S, this.vertices[0]!, this.vertices.slice(1, S.length + 1), dy, this.lambda);
    S.forEach((i, j) => (this.alphaRaw[i] = this.lambda[j]!));
    return null;
  }

  slide(k: number, t: number, y: Float64Array): boolean {
    // the vertex form costs one more evaluation of f per sliding neuron: past MAX_SLIDING, chattering is held instead
    if (this.kind[k] !== 'kink' || this.mode[k] === 0 || (!this.affine && this.sliding >= MAX_SLIDING)) return false;
    const i = this.neuron[k]!;
    const m = this.c.model;
    if (this.railOf[i]! >= 0 && this.mode[this.railOf[i]!] !== 0) return false;
    const was = { mode: this.mode[k]!, y: y[i]! };
    // the node onto its kink, in the slide
    y[i] = this.offset[i]! + this.kink[k]!;
    if (!(y[i]! > m.railLow[i]! && y[i]! < m.railHigh[i]!)) {
      y[i] = was.y;
      return false;
    }
    this.mode[k] = 0;
    this.sliding++;
    const fail = this.c.rhs(t, y, this.dy);
    const a = this.alphaRaw[i]!;
    if (!fail && a >= 0 && a <= 1) return true;
    this.mode[k] = was.mode;
    this.sliding--;
    y[i] = was.y;
    return false;
  }

  /** Neuron i's piece of ρ: the number of its kinks it is locked above. */
  private piece(i: number): number {
    const k0 = this.firstKink[i]!;
    let p = 0;
    for (let j = 0; j < this.nKinks[i]!; j++) if (this.mode[k0 + j]! > 0) p++;
    return p;
  }

  /** The node voltages u the circuit sees: clamped to the rails, or under locked rail modes y or the rail. */
  membraneVoltages(y: Float64Array, u: Float64Array): void {
    const m = this.c.model;
    clampToRails(m, y, u);
    if (!this.active) return;
    for (let i = 0; i < u.length; i++) {
      const s = this.railOf[i]!;
      if (s < 0) continue;
      const md = this.mode[s]!;
      u[i] = md === 0 ? y[i]! : md > 0 ? m.railHigh[i]! : m.railLow[i]!;
    }
  }

  /** The neurons sliding on a kink at the last evaluation of f (empty when none). */
  slidingNeurons(): readonly number[] {
    return this.anySliding ? this.slidingSet : [];
  }

  /** Whether the sliding field is the equivalent-control form (affine in the blend weights) rather than the vertex form. */
  get affineSlide(): boolean {
    return this.affine;
  }

  /** ∂u_i/∂y_i under the locked modes: 1 for a free node, 0 for one pinned at a rail. */
  membraneSlope(i: number): number {
    const s = this.railOf[i]!;
    return s < 0 || this.mode[s] === 0 ? 1 : 0;
  }

  /** The slope of neuron i's rate (or error) lead-stage output under its locked mode: 1 unclipped, 0 clipped at its swing. */
  swingSlope(i: number, error: boolean): number {
    const s = (error ? this.errSwingOf : this.rateSwingOf)[i]!;
    return s < 0 || this.mode[s] === 0 ? 1 : 0;
  }

  /** dy of the membranes: the rails' cut, or under locked modes u̇ (free) or 0 (pinned). */
  railCut(y: Float64Array, udot: Float64Array, dy: Float64Array): void {
    railCut(this.c.model, y, udot, dy);
    if (!this.active) return;
    for (let i = 0; i < udot.length; i++) {
      const s = this.railOf[i]!;
      if (s >= 0) dy[i] = this.mode[s] === 0 ? udot[i]! : 0;
    }
  }

  /** A population's lead-stage outputs: clipped, or under locked modes unclipped (free) or at ±maxOut. */
  leadOutputs(p: LeadPopulation, x: ArrayLike<number>, y: Float64Array, out: Float64Array, at: number, error: boolean): void {
    leadOutputs(p, x, y, out, at);
    if (!this.active) return;
    const of = error ? this.errSwingOf : this.rateSwingOf;
    for (let i = 0; i < out.length; i++) {
      const s = of[i]!;
      if (s < 0) continue;
      const md = this.mode[s]!;
      out[i] = md === 0 ? this.unclipped(p, i, x[i]!, y[at + i]!) : md * p.maxOut[i]!;
    }
  }

  private unclipped(p: LeadPopulation, i: number, x: number, z: number): number {
    return leadOutput({ leadS: p.leadMs[i]!, poleS: p.poleMs[i]!, maxOut: p.maxOut[i]! }, x, z, false);
  }

  /** ρ_i of every neuron at y under the current modes (the rate lead stages' input), into this.r. */
  private rates(): void {
    const N = this.u.length;
    for (let i = 0; i < N; i++) this.x[i] = this.u[i]! - this.offset[i]!;
    for (let i = 0; i < N; i++) {
      if (this.firstKink[i]! >= 0 && this.active) evaluateActivationPiece(this.act[i]!, this.piece(i), this.x, this.r, null, null, i);
      else evaluateActivation(this.act[i]!, this.x, this.r, null, null, i, i + 1);
      this.r[i] = this.r[i]! * this.gain[i]!;
    }
  }

  margins(t: number, y: Float64Array, g: Float64Array, only?: readonly number[]): IntegrationFailure | null {
    const which = only ?? this.all;
    if (which.some((k) => this.needsRhs(k))) {
      const fail = this.c.rhs(t, y, this.dy);
      if (fail) return fail;
    }
    this.membraneVoltages(y, this.u);
    if (which.some((k) => this.kind[k] === 'rate-swing')) this.rates();
    for (const k of which) g[k] = this.margin(k, y);
    return null;
  }

  /** Whether switch k's margin needs f at y: a slide's weight, ē of an error swing, u̇ of a pinned node. */
  private needsRhs(k: number): boolean {
    const kind = this.kind[k]!;
    return (kind === 'kink' && this.mode[k] === 0) || kind === 'error-swing' || (kind === 'rail' && this.mode[k] !== 0);
  }

  /** Switch k's margin at y (this.u, this.r and, where needed, the workspace's u̇ and ē current). */
  private margin(k: number, y: Float64Array): number {
    const m = this.c.model;
    const i = this.neuron[k]!;
    const md = this.mode[k]!;
    switch (this.kind[k]!) {
      case 'kink':
        // sliding: while the blend that holds the node on its kink is a convex one
        return md === 0 ? Math.min(this.alphaRaw[i]!, 1 - this.alphaRaw[i]!) : md * (this.u[i]! - this.offset[i]! - this.kink[k]!);
      case 'rail':
        if (md === 0) return Math.min(m.railHigh[i]! - y[i]!, y[i]! - m.railLow[i]!);
        return md * this.c.workspace.udot[i]!;
      case 'rate-swing':
        return this.swingMargin(md, m.rate, i, this.r[i]!, y[this.c.oZr + i]!);
      case 'error-swing':
        return this.swingMargin(md, m.err, i, this.c.errorSignal[i]!, y[this.c.oZe + i]!);
    }
  }

  private swingMargin(md: number, p: LeadPopulation, i: number, x: number, z: number): number {
    const out = this.unclipped(p, i, x, z);
    return md === 0 ? p.maxOut[i]! - Math.abs(out) : md * out - p.maxOut[i]!;
  }

  lock(t: number, y: Float64Array, k: number): IntegrationFailure | null {
    this.active = true;
    const m = this.c.model;
    const order: Kind[] = ['rail', 'kink', 'rate-swing', 'error-swing'];
    for (const kind of order) {
      const which = k >= 0 ? (this.kind[k] === kind ? [k] : []) : this.kind.flatMap((x, j) => (x === kind ? [j] : []));
      if (which.length === 0) continue;
      if (kind === 'error-swing') {
        const fail = this.c.rhs(t, y, this.dy);
        if (fail) return fail;
      }
      this.membraneVoltages(y, this.u);
      if (kind === 'rate-swing') this.rates();
      for (const s of which) {
        this.mode[s] = this.sideOf(s, y, m);
        // a node found beyond its rail (a jump continuation put it there) is on its rail
        if (kind === 'rail' && this.mode[s] !== 0) y[this.neuron[s]!] = this.mode[s]! > 0 ? m.railHigh[this.neuron[s]!]! : m.railLow[this.neuron[s]!]!;
      }
    }
    this.sliding = 0;
    for (let s = 0; s < this.count; s++) if (this.kind[s] === 'kink' && this.mode[s] === 0) this.sliding++;
    return null;
  }

  /** The mode of the side y lies on (a kink exactly met: the piece an unlocked evaluation uses there). */
  private sideOf(k: number, y: Float64Array, m: AnalogModel): number {
    const i = this.neuron[k]!;
    switch (this.kind[k]!) {
      case 'kink': {
        // a node sliding exactly on its kink stays in the slide (its margin tells at the next step)
        const d = this.u[i]! - this.offset[i]! - this.kink[k]!;
        return d > 0 ? 1 : d < 0 ? -1 : this.mode[k] === 0 ? 0 : k === this.firstKink[i] ? 1 : -1;
      }
      case 'rail':
        return y[i]! >= m.railHigh[i]! ? 1 : y[i]! <= m.railLow[i]! ? -1 : 0;
      case 'rate-swing':
      case 'error-swing': {
        const p = this.kind[k] === 'rate-swing' ? m.rate : m.err;
        const x = this.kind[k] === 'rate-swing' ? this.r[i]! : this.c.errorSignal[i]!;
        const out = this.unclipped(p, i, x, y[(this.kind[k] === 'rate-swing' ? this.c.oZr : this.c.oZe) + i]!);
        return out >= p.maxOut[i]! ? 1 : out <= -p.maxOut[i]! ? -1 : 0;
      }
    }
  }

  flip(k: number, _t: number, y: Float64Array): void {
    const md = this.mode[k]!;
    if (this.kind[k] === 'kink' && md !== 0) {
      this.mode[k] = -md;
      return;
    }
    if (this.kind[k] === 'kink') {
      // the slide ends: into the piece the flow goes to (u̇ at α = 0 and 1 agree in sign now)
      this.c.rhs(_t, y, this.dy); // u̇ at y (a failure here recurs at the restart, which reports it)
      this.mode[k] = this.udot0[this.neuron[k]!]! > 0 ? 1 : -1;
      this.sliding--;
      return;
    }
    if (md !== 0) {
      this.mode[k] = 0;
      return;
    }
    const i = this.neuron[k]!;
    const m = this.c.model;
    if (this.kind[k] === 'rail') {
      // pinned at the rail it crossed: the node is put on it
      const high = y[i]! >= 0.5 * (m.railHigh[i]! + m.railLow[i]!);
      this.mode[k] = high ? 1 : -1;
      y[i] = high ? m.railHigh[i]! : m.railLow[i]!;
      return;
    }
    // a swing: clipped on the side its output left through
    const p = this.kind[k] === 'rate-swing' ? m.rate : m.err;
    if (this.kind[k] === 'error-swing') this.c.rhs(_t, y, this.dy); // ē at y (a failure here recurs at the restart, which reports it)
    this.membraneVoltages(y, this.u);
    if (this.kind[k] === 'rate-swing') this.rates();
    const x = this.kind[k] === 'rate-swing' ? this.r[i]! : this.c.errorSignal[i]!;
    const out = this.unclipped(p, i, x, y[(this.kind[k] === 'rate-swing' ? this.c.oZr : this.c.oZe) + i]!);
    this.mode[k] = out >= 0 ? 1 : -1;
  }
}
