import { maxAbs } from '../../../core/vector.js';
import type { Dynamics } from '../dynamics.js';
import type { Layout } from '../layout.js';
import { solveLower, solveUpper } from '../operators.js';
import type { Workspace } from '../workspace.js';
import { gmres, pcg } from './krylov.js';
import { SmallLu } from './small-lu.js';
import { stackedUpper } from './stacked.js';
import type { LinearSolver, SolveFailure } from './linear-solver.js';

/**
 * Structured solve for layered networks (theory §4), O(synapses) per step instead of O(N³).
 *
 * J = Ã A − C + βP with A = I − W_net D (unit lower block-triangular in topological order),
 * Ã = I − D F (unit upper block-triangular), C = diag(ρ'' ⊙ F ē_raw), P the nudged outputs (diagonal,
 * usually 0/1, fractional while a target is ramped on).
 * M = Ã A + βP is solved exactly: two layer-by-layer substitutions give K = (Ã A)⁻¹, and βP is a
 * rank-|outputs| correction (Woodbury) applied between them, M⁻¹r = A⁻¹(Ã⁻¹r − Y d) with S d = Vᵀ Ã⁻¹r,
 * through columns Y = Ã⁻¹E, V = A⁻ᵀE (V = Y for exact NLA) that one stacked back substitution per
 * evaluation computes for all outputs at once; S = (βN)⁻¹ + VᵀY is factorised per sample
 * (docs/digital-engine.md). Per evaluation the outputs cost one pass over the neuron-to-neuron weights
 * (two with random feedback), not 2|O|.
 * When ρ'' ≠ 0, J = M − C is solved by a Krylov method preconditioned with M (conjugate gradients when J
 * is the symmetric Hessian, GMRES otherwise); C is of the order of the errors, so a few iterations reach
 * rounding.
 */
export class LayeredSolver implements LinearSolver {
  readonly name = 'layered';
  private epoch = -1;
  /** Per sample: indices k (into graph.outputs) of nudged outputs and the LU of the capacitance matrix S. */
  private woodbury: Array<{ ks: number[]; lu: SmallLu; d: Float64Array } | null> = [];
  /** The last factorisation made for each sample (reused by the next evaluation when its size fits). */
  private readonly kept: Array<{ ks: number[]; lu: SmallLu; d: Float64Array } | null> = [];
  private readonly outputs: Int32Array;
  /** F ≠ W_netᵀ (random feedback): the rows Eᵀ A⁻¹ need their own columns V. */
  private readonly asymmetric: boolean;
  lastRefinements = 0;

  constructor(
    private readonly L: Layout,
    private readonly w: Workspace,
    private readonly dyn: Dynamics,
  ) {
    this.outputs = L.graph.outputs;
    this.asymmetric = L.feedbackOf.some((f) => f !== null);
  }

  /** The nudged outputs (indices k into graph.outputs) of each sample; none when β = 0. */
  private nudgedOutputs(): number[][] {
    const { L, w } = this;
    const { B, N } = L;
    const O = this.outputs.length;
    const nudged = (b: number) => Array.from({ length: O }, (_, k) => k).filter((k) => w.nudge[b * N + this.outputs[k]!]! !== 0);
    return Array.from({ length: B }, (_, b) => (L.graph.beta > 0 ? nudged(b) : []));
  }

  /**
   * Once per evaluation: Y = (I − D F)⁻¹E and V = (I − W_net D)⁻ᵀE (V = Y when F = W_netᵀ), each one
   * stacked back substitution for all |O|·B unit vectors, and per sample the LU of the capacitance
   * matrix S = diag(1/(β n_k)) + Vᵀ Y = diag(1/(β n_k)) + Eᵀ K E over the nudged outputs.
   */
  private prepare(): SolveFailure | null {
    const { L, w } = this;
    const { B, N } = L;
    this.epoch = w.epoch;
    const perSample = this.nudgedOutputs();
    this.woodbury = perSample.map(() => null);
    if (perSample.every((ks) => ks.length === 0)) return null;
    const O = this.outputs.length;
    const unit = (z: Float64Array) => {
      z.fill(0);
      for (let b = 0; b < B; b++) for (let k = 0; k < O; k++) z[(b * O + k) * N + this.outputs[k]!] = 1;
    };
    unit(w.zcols);
    stackedUpper(L, w, O * B, w.zcols, w.stackT);
    if (this.asymmetric) {
      unit(w.vcols);
      stackedUpper(L, w, O * B, w.vcols, w.stackT, true);
    }
    const g = w.woodburySmall.subarray(0, O);
    for (let b = 0; b < B; b++) {
      const ks = perSample[b]!;
      if (!ks.length) continue;
      const n = ks.length;
      // the factorisation's arrays are kept per sample and reused while the number of nudged outputs stays
      const kept = this.kept[b];
      const lu = kept && kept.lu.n === n ? kept.lu : new SmallLu(n);
      const Yb = this.block(w.zcols, b);
      ks.forEach((k1, i) => {
        // g[k2] = Y_k2 · V_k1 for every output: one kernel call over the sample's |O|×N block of Y
        w.kernels.gemv(Yb, O, N, 1, this.block(this.asymmetric ? w.vcols : w.zcols, b).subarray(k1 * N, k1 * N + N), g);
        // nudging weight β·n_k per output (n_k = 1, or a fraction while a target is switched on or off)
        ks.forEach((k2, j) => (lu.a[i * n + j] = g[k2]! + (i === j ? 1 / (L.graph.beta * w.nudge[b * N + this.outputs[k1]!]!) : 0)));
      });
      lu.factor();
      if (lu.singular) return { what: 'the nudging correction I/β + E·M⁻¹·E is singular', sample: b };
      this.woodbury[b] = { ks, lu, d: kept && kept.lu === lu ? kept.d : new Float64Array(n) };
      this.kept[b] = this.woodbury[b]!;
    }
    return null;
  }

  /** Sample b's |O|×N block of a column set (zcols or vcols). */
  private block(cols: Float64Array, b: number): Float64Array {
    const n = this.outputs.length * this.L.N;
    return cols.subarray(b * n, b * n + n);
  }

  /**
   * dst = (Ã A + βP)⁻¹ src = A⁻¹ (y − Y d) with y = Ã⁻¹ src, S d = Vᵀ y (Woodbury: K src − K E S⁻¹ Eᵀ K src,
   * using Eᵀ A⁻¹ = Vᵀ and K E = A⁻¹ Y). One back and one forward substitution, as for K alone.
   */
  private applyM(src: Float64Array, dst: Float64Array): void {
    const { L, w } = this;
    const { B, N } = L;
    const [y, t, s] = [w.tmp[4]!, w.tmp[5]!, w.tmp[6]!];
    solveUpper(L, w, src, y, t);
    const O = this.outputs.length;
    const c = w.woodburySmall.subarray(O, 2 * O);
    for (let b = 0; b < B; b++) {
      const wb = this.woodbury[b];
      if (!wb) continue;
      w.kernels.gemv(this.block(this.asymmetric ? w.vcols : w.zcols, b), O, N, 1, y.subarray(b * N, b * N + N), c);
      const { ks, d } = wb;
      for (let j = 0; j < ks.length; j++) d[j] = c[ks[j]!]!;
      wb.lu.solve(d);
      for (let j = 0; j < ks.length; j++) {
        const coef = d[j]!;
        const z = (b * O + ks[j]!) * N;
        for (let i = 0; i < N; i++) y[b * N + i] = y[b * N + i]! - coef * w.zcols[z + i]!;
      }
    }
    solveLower(L, w, y, dst, s);
  }

  solve(rhs: Float64Array, x: Float64Array): SolveFailure | null {
    if (this.epoch !== this.w.epoch) {
      const fail = this.prepare();
      if (fail) return fail;
    }
    this.applyM(rhs, x);
    this.lastRefinements = 0;
    if (this.L.piecewiseLinear) return null;
    const tol = 1e-13 * Math.max(maxAbs(rhs), 1e-300);
    const apply = (v: Float64Array, out: Float64Array) => this.dyn.jvp(v, out);
    const precond = (r: Float64Array, out: Float64Array) => this.applyM(r, out);
    const res = this.dyn.symmetric ? pcg(apply, precond, rhs, x, tol, 200) : gmres(apply, precond, rhs, x, tol, 200);
    this.lastRefinements = res.iterations;
    if (!res.fail) return null;
    return {
      what: `the layered solve failed: ${res.fail}`,
      hint: this.dyn.symmetric ? 'the energy is not convex here: reduce the weights, the learning rate or β, or use a smaller dt' : 'use --solver dense',
    };
  }
}

