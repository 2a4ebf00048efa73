import type { Layout } from '../digital/layout.js';
import { backProject, forwardNet } from '../digital/operators.js';
import type { Workspace } from '../digital/workspace.js';
import type { AnalogModel } from './model.js';
import type { ModeLock } from './mode-lock.js';
import type { AnalyticJacobian, IntegrationFailure } from './ode/ode.js';

/** What the Jacobian reads of the circuit's state equations (system.ts). */
export interface JacobianCircuit {
  readonly model: AnalogModel;
  readonly layout: Layout;
  readonly workspace: Workspace;
  readonly size: number;
  readonly oIn: number;
  readonly oZr: number;
  readonly oZe: number;
  readonly switching: ModeLock | null;
  /** ē at the last evaluation. */
  readonly errorSignal: Float64Array;
  rhs(t: number, y: Float64Array, dy: Float64Array): IntegrationFailure | null;
}

/**
 * ∂f/∂y of the circuit form with lead-stage (or plain) rate and error units, in closed form, for ROS3.
 * With ρ_i = a_i ρ(u_i − o_i) on its locked piece, D = diag(ρ′), F the feedback (Wᵀ, a mirrored or a
 * random array), W the net weights and W_in the input weights:
 *   ē = D F (u − W ρ − W_in r̄_in) + βP(u* − u)          ∂ē/∂u = diag(ρ″ ⊙ F ē_raw) + D F (I − W D) − βP
 *   r_L = k_r ρ + (1 − k_r) z_r,  e_L = k_e ē + (1 − k_e) z_e   (each inside its swing: slope 0 when clipped)
 *   τ u̇ = θ − u + W r_L + W_in r̄_in + τ W_in (r_in − r̄_in)/τ_in + e_L
 *   τ_in r̄̇_in = r_in − r̄_in,  τ_p,r ż_r = ρ − z_r,  τ_p,e ż_e = ē − z_e,
 * with u = y inside the rails (slope 0 for a node pinned at a rail, and a zero row where the rails cut
 * u̇). Columns are assembled with the network's own operators (one forward and one backward pass per
 * neuron), so mismatch, masks and the error path are those the right-hand side uses. ∂f/∂t (the drive's
 * tables) is a forward difference in t. Sliding kinks: the field's dependence through the blend weights is
 * added (slidingRows); the vertex form of exact units is not covered.
 */
export class CircuitJacobian implements AnalyticJacobian {
  private readonly n: number;
  private readonly N: number;
  private readonly nS: number;
  private readonly scratch: Float64Array;
  private readonly fT: Float64Array;
  private readonly e: Float64Array;
  private readonly col: Float64Array;
  private readonly col2: Float64Array;
  /** ∂ē/∂u (N×N) and ∂ē/∂r̄_in (N×nS), column-major. */
  private readonly dEdu: Float64Array;
  private readonly dEdr: Float64Array;
  /** W_net (N×N) and W_in (N×nS) as dense column-major matrices. */
  private readonly wNet: Float64Array;
  private readonly wIn: Float64Array;
  private readonly su: Float64Array;
  private readonly cr: Float64Array;
  private readonly ce: Float64Array;
  private sliding = new Set<number>();
  /** The weights are constant (no learning states): W_net and W_in are read once. */
  private weightsRead = false;

  /** The Jacobian of a circuit, or null where its form is not covered (exact units, microcircuits, pools, learning, batches). */
  static of(c: JacobianCircuit, covered: boolean): CircuitJacobian | null {
    const m = c.model;
    if (!covered || m.exactNla || m.rate.any.exact || m.err.any.exact || c.layout.B !== 1) return null;
    return new CircuitJacobian(c);
  }

  private constructor(private readonly c: JacobianCircuit) {
    const L = c.layout;
    this.n = c.size;
    this.N = L.N;
    this.nS = L.graph.nStimulusInputs;
    const { N, nS } = this;
    this.scratch = new Float64Array(c.size);
    this.fT = new Float64Array(c.size);
    this.e = new Float64Array(Math.max(N, L.nIn));
    this.col = new Float64Array(N);
    this.col2 = new Float64Array(N);
    this.dEdu = new Float64Array(N * N);
    this.dEdr = new Float64Array(N * nS);
    this.wNet = new Float64Array(N * N);
    this.wIn = new Float64Array(N * nS);
    this.su = new Float64Array(N);
    this.cr = new Float64Array(N);
    this.ce = new Float64Array(N);
  }

  evaluate(t: number, y: Float64Array, f0: Float64Array, J: Float64Array): IntegrationFailure | boolean {
    const lock = this.c.switching;
    if (lock?.anySliding && !lock.affineSlide) return false;
    // the workspace at (t, y): ρ′, ρ″, F ē_raw, ē as f0 saw them
    const fail = this.c.rhs(t, y, this.scratch);
    if (fail) return fail;
    this.sliding = new Set(lock?.slidingNeurons() ?? []);
    if (!this.weightsRead) this.weights();
    this.slopes(y);
    this.errorColumns();
    this.membraneRows(f0, J);
    this.stateRows(J);
    this.slidingRows(J);
    return this.timeColumn(t, y, f0, J);
  }

  /** Dense W_net and W_in from the network's operators (the weights as the right-hand side applies them). */
  private weights(): void {
    const { N, nS, e, col } = this;
    const L = this.c.layout;
    const w = this.c.workspace;
    for (let j = 0; j < N; j++) {
      e.fill(0, 0, N);
      e[j] = 1;
      col.fill(0);
      forwardNet(L, w, e, col, 1);
      this.wNet.set(col, j * N);
    }
    this.wIn.fill(0);
    for (const ref of L.forward) {
      if (ref.p.pre.type !== 'input') continue;
      const { rows, cols, mask } = ref.p;
      const W = w.proj[ref.index]!.W;
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < cols; k++) {
          const j = ref.preOff + k;
          if (j >= nS || (mask && !mask[r * cols + k])) continue;
          this.wIn[j * N + ref.postOff + r] = this.wIn[j * N + ref.postOff + r]! + W[r * cols + k]!;
        }
      }
    }
    this.weightsRead = true;
  }

  /** ∂u/∂y (rails), and the lead stages' output slopes (0 where the output is clipped at its swing). */
  private slopes(y: Float64Array): void {
    const m = this.c.model;
    const lock = this.c.switching;
    const w = this.c.workspace;
    const ebar = this.c.errorSignal;
    for (let i = 0; i < this.N; i++) {
      this.su[i] = lock?.active ? lock.membraneSlope(i) : y[i]! > m.railLow[i]! && y[i]! < m.railHigh[i]! ? 1 : 0;
      this.cr[i] = slope(m.rate, i, w.rho[i]!, y[this.c.oZr + i] ?? 0, lock?.active ? lock.swingSlope(i, false) : null);
      this.ce[i] = slope(m.err, i, ebar[i]!, y[this.c.oZe + i] ?? 0, lock?.active ? lock.swingSlope(i, true) : null);
    }
  }

  /** ∂ē/∂u column by column: ρ″_j (F ē_raw)_j e_j + D (F e_j − ρ′_j F W e_j) − βP_j e_j; ∂ē/∂r̄_in: −D F W_in e_j. */
  private errorColumns(): void {
    const { N, nS, col, col2 } = this;
    const L = this.c.layout;
    const w = this.c.workspace;
    const beta = L.graph.beta;
    for (let j = 0; j < N; j++) {
      this.e.fill(0, 0, N);
      this.e[j] = 1;
      backProject(L, w, this.e, col);
      backProject(L, w, this.wNet.subarray(j * N, (j + 1) * N), col2);
      const o = j * N;
      for (let i = 0; i < N; i++) this.dEdu[o + i] = w.drho[i]! * (col[i]! - w.drho[j]! * col2[i]!);
      this.dEdu[o + j] = this.dEdu[o + j]! + w.ddrho[j]! * w.fb[j]! - beta * w.nudge[j]!;
    }
    for (let j = 0; j < nS; j++) {
      backProject(L, w, this.wIn.subarray(j * N, (j + 1) * N), col);
      for (let i = 0; i < N; i++) this.dEdr[j * N + i] = -w.drho[i]! * col[i]!;
    }
  }

  /** Rows of u: ((−δ + ∂I/∂·)/τ), u columns times ∂u/∂y; zero where the rails cut u̇ (pinned, or pushing out). */
  private membraneRows(f0: Float64Array, J: Float64Array): void {
    const { N, nS, n } = this;
    const c = this.c;
    const m = c.model;
    const w = c.workspace;
    const s = n + 1;
    const kr = (i: number) => (m.rate.lead[i] ? m.rate.leadMs[i]! / m.rate.poleMs[i]! : 1);
    const ke = (i: number) => (m.err.lead[i] ? m.err.leadMs[i]! / m.err.poleMs[i]! : 1);
    for (let i = 0; i < N; i++) {
      if (f0[i] === 0 && w.udot[i] !== 0 && !this.sliding.has(i)) continue; // the rails cut u̇ here: a zero row
      const tau = m.tauMs[i]!;
      const row = i * s;
      const eSlope = this.ce[i]! * ke(i);
      for (let j = 0; j < N; j++) {
        const rSlope = this.cr[j]! * kr(j) * w.drho[j]!;
        const dI = this.wNet[j * N + i]! * rSlope + eSlope * this.dEdu[j * N + i]!;
        J[row + j] = ((dI - (i === j ? 1 : 0)) / tau) * this.su[j]!;
      }
      for (let j = 0; j < nS; j++) {
        const wij = this.wIn[j * N + i]!;
        J[row + c.oIn + j] = (wij * (1 - tau / m.inputTauMs[j]!) + eSlope * this.dEdr[j * N + i]!) / tau;
      }
      if (m.rate.any.lead) for (let j = 0; j < N; j++) if (m.rate.lead[j]) J[row + c.oZr + j] = (this.wNet[j * N + i]! * this.cr[j]! * (1 - kr(j))) / tau;
      if (m.err.lead[i]) J[row + c.oZe + i] = (this.ce[i]! * (1 - ke(i))) / tau;
    }
  }

  /** Rows of r̄_in and of the lead stages' poles. */
  private stateRows(J: Float64Array): void {
    const { N, nS, n } = this;
    const c = this.c;
    const m = c.model;
    const w = c.workspace;
    const s = n + 1;
    for (let j = 0; j < nS; j++) J[(c.oIn + j) * s + c.oIn + j] = -1 / m.inputTauMs[j]!;
    for (let i = 0; i < N; i++) {
      if (m.rate.any.lead && m.rate.lead[i]) {
        const row = (c.oZr + i) * s;
        const p = m.rate.poleMs[i]!;
        J[row + i] = (w.drho[i]! * this.su[i]!) / p;
        J[row + c.oZr + i] = -1 / p;
      }
      if (m.err.any.lead && m.err.lead[i]) {
        const row = (c.oZe + i) * s;
        const p = m.err.poleMs[i]!;
        for (let j = 0; j < N; j++) J[row + j] = (this.dEdu[j * N + i]! * this.su[j]!) / p;
        for (let j = 0; j < nS; j++) J[row + c.oIn + j] = this.dEdr[j * N + i]! / p;
        J[row + c.oZe + i] = -1 / p;
      }
    }
  }

  /**
   * Sliding neurons s (the field at their blend weights λ, ∂f/∂y above at fixed λ): λ_s(y) keeps u̇_s = 0,
   * so ∂λ_s/∂y = −(row u̇_s)/(∂u̇_s/∂λ_s); λ_s reaches f only through ē_s (ρ is continuous at the kink),
   * i.e. u̇_s through c_e k_e ē_s/τ_s and ż_e,s through ē_s/τ_p,e: row z_e,s −= τ_s/(c_e k_e τ_p,e)·(row u̇_s).
   * Then the held node's row is zero.
   */
  private slidingRows(J: Float64Array): void {
    const m = this.c.model;
    const s = this.n + 1;
    for (const i of this.sliding) {
      const row = i * s;
      if (m.err.lead[i]) {
        const k = m.err.leadMs[i]! / m.err.poleMs[i]!;
        const g = this.ce[i]! * k;
        if (g !== 0) {
          const c = m.tauMs[i]! / (g * m.err.poleMs[i]!);
          const rz = (this.c.oZe + i) * s;
          for (let j = 0; j < this.n; j++) J[rz + j] = J[rz + j]! - c * J[row + j]!;
        }
      }
      J.fill(0, row, row + s);
    }
  }

  /** ∂f/∂t: a forward difference of f in t (the drive's tables), the last column. */
  private timeColumn(t: number, y: Float64Array, f0: Float64Array, J: Float64Array): IntegrationFailure | true {
    const d = Math.sqrt(2.2e-16) * Math.max(Math.abs(t), 1e-3);
    const fail = this.c.rhs(t + d, y, this.fT);
    if (fail) return fail;
    const s = this.n + 1;
    for (let i = 0; i < this.n; i++) J[i * s + this.n] = (this.fT[i]! - f0[i]!) / d;
    return true;
  }
}

/** A unit's output slope: 1 for a plain unit or an unclipped lead stage, 0 clipped (the locked mode's, or as evaluated). */
function slope(p: AnalogModel['rate'], i: number, x: number, z: number, locked: number | null): number {
  if (!p.lead[i]) return 1;
  if (locked !== null) return locked;
  const k = p.leadMs[i]! / p.poleMs[i]!;
  return Math.abs(k * x + (1 - k) * z) < p.maxOut[i]! ? 1 : 0;
}
