import { LuDecomposition, Matrix } from 'ml-matrix';
import { maxAbs } from '../../../core/vector.js';
import type { Dynamics } from '../dynamics.js';
import type { Layout } from '../layout.js';
import { solveLower, solveUpper } from '../operators.js';
import type { Workspace } from '../workspace.js';
import { gmres, pcg } from './krylov.js';
import type { LinearSolver, SolveFailure } from './linear-solver.js';

/**
 * Structured solve for layered networks (theory §4), O(synapses) per step instead of O(N³).
 *
 * J = Ã A − C + βP with A = I − W_net D (unit lower block-triangular in topological order),
 * Ã = I − D F (unit upper block-triangular), C = diag(ρ'' ⊙ F ē_raw), P the nudged outputs (diagonal,
 * usually 0/1, fractional while a target is ramped on).
 * M = Ã A + βP is solved exactly: two layer-by-layer substitutions give K = (Ã A)⁻¹, and βP is a
 * rank-|outputs| correction (Woodbury) whose small |O|×|O| system is factorised per sample.
 * When ρ'' ≠ 0, J = M − C is solved by a Krylov method preconditioned with M (conjugate gradients when J
 * is the symmetric Hessian, GMRES otherwise); C is of the order of the errors, so a few iterations reach
 * rounding.
 */
export class LayeredSolver implements LinearSolver {
  readonly name = 'layered';
  private epoch = -1;
  /** Per sample: indices k (into graph.outputs) of nudged outputs and the LU of I/β + Z[O,O]. */
  private woodbury: Array<{ ks: number[]; lu: LuDecomposition } | null> = [];
  private readonly outputs: Int32Array;
  lastRefinements = 0;

  constructor(
    private readonly L: Layout,
    private readonly w: Workspace,
    private readonly dyn: Dynamics,
  ) {
    this.outputs = L.graph.outputs;
  }

  /** dst = (Ã A)⁻¹ src: back substitution through Ã (reverse topological order), then forward through A. */
  private applyK(src: Float64Array, dst: Float64Array): void {
    const [y, t, s] = [this.w.tmp[4]!, this.w.tmp[5]!, this.w.tmp[6]!];
    solveUpper(this.L, this.w, src, y, t);
    solveLower(this.L, this.w, y, dst, s);
  }

  private prepare(): SolveFailure | null {
    const { L, w } = this;
    const { B, N } = L;
    const beta = L.graph.beta;
    this.woodbury = [];
    this.epoch = w.epoch;
    const O = this.outputs.length;
    const nudged = (b: number) => Array.from({ length: O }, (_, k) => k).filter((k) => w.nudge[b * N + this.outputs[k]!]! !== 0);
    const perSample = Array.from({ length: B }, (_, b) => (beta > 0 ? nudged(b) : []));
    if (perSample.every((ks) => ks.length === 0)) {
      this.woodbury = perSample.map(() => null);
      return null;
    }
    const e = w.tmp[7]!;
    for (let k = 0; k < O; k++) {
      e.fill(0);
      for (let b = 0; b < B; b++) e[b * N + this.outputs[k]!] = 1;
      this.applyK(e, w.zcols.subarray(k * B * N, (k + 1) * B * N));
    }
    for (let b = 0; b < B; b++) {
      const ks = perSample[b]!;
      if (!ks.length) {
        this.woodbury.push(null);
        continue;
      }
      const S = new Matrix(ks.length, ks.length);
      ks.forEach((k1, i) => {
        // nudging weight β·n_k per output (n_k = 1, or a fraction while a target is switched on or off)
        ks.forEach((k2, j) => S.set(i, j, w.zcols[k2 * B * N + b * N + this.outputs[k1]!]! + (i === j ? 1 / (beta * w.nudge[b * N + this.outputs[k1]!]!) : 0)));
      });
      const lu = new LuDecomposition(S);
      if (lu.isSingular()) return { what: 'the nudging correction I/β + E·M⁻¹·E is singular', sample: b };
      this.woodbury.push({ ks, lu });
    }
    return null;
  }

  /** dst = (Ã A + βP)⁻¹ src. */
  private applyM(src: Float64Array, dst: Float64Array): void {
    const { L, w } = this;
    const { B, N } = L;
    this.applyK(src, dst);
    for (let b = 0; b < B; b++) {
      const wb = this.woodbury[b];
      if (!wb) continue;
      const c = Matrix.columnVector(wb.ks.map((k) => dst[b * N + this.outputs[k]!]!));
      const d = wb.lu.solve(c);
      wb.ks.forEach((k, j) => {
        const coef = d.get(j, 0);
        const z = k * B * N + b * N;
        for (let i = 0; i < N; i++) dst[b * N + i] = dst[b * N + i]! - (coef * w.zcols[z + i]!);
      });
    }
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
