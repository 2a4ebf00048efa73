import { CholeskyDecomposition, LuDecomposition, Matrix } from 'ml-matrix';
import { requireMemory } from '../../../core/memory-budget.js';
import type { Dynamics } from '../dynamics.js';
import type { Layout } from '../layout.js';
import type { Workspace } from '../workspace.js';
import type { LinearSolver, SolveFailure } from './linear-solver.js';

/**
 * Dense direct solve, one factorisation per sample per evaluation: Cholesky when J is the energy's
 * Hessian (exact NLA, with a positive-definiteness check), LU otherwise. O(N³) per step: the fallback for
 * recurrent graphs and the reference that the structured solver is tested against.
 */
export class DenseSolver implements LinearSolver {
  readonly name = 'dense';
  private epoch = -1;
  private factors: Array<CholeskyDecomposition | LuDecomposition> = [];
  private readonly jb: Float64Array;

  constructor(
    private readonly L: Layout,
    private readonly w: Workspace,
    private readonly dyn: Dynamics,
  ) {
    // J assembled in jb, copied into a matrix, factorised once per sample of the batch
    requireMemory(8 * L.N * L.N * (2 + 2 * L.B), `the dense solver's ${L.N}×${L.N} matrices (recurrent networks; a layered network solves in O(synapses))`);
    this.jb = new Float64Array(L.N * L.N);
  }

  private factorise(): SolveFailure | null {
    const { L, dyn } = this;
    const N = L.N;
    this.factors = [];
    for (let b = 0; b < L.B; b++) {
      dyn.assemble(b, this.jb);
      const m = Matrix.from1DArray(N, N, this.jb);
      if (dyn.symmetric) {
        const ch = new CholeskyDecomposition(m);
        if (!ch.isPositiveDefinite()) {
          return {
            what: 'the Hessian H = ∂f/∂u is not positive definite',
            sample: b,
            hint: 'the energy is not convex here: reduce the recurrent weights, the learning rate or β, or use a smaller dt',
          };
        }
        this.factors.push(ch);
      } else {
        const lu = new LuDecomposition(m);
        if (lu.isSingular()) return { what: 'the Jacobian J = ∂f/∂u is singular', sample: b, hint: 'the feedback and forward weights make the dynamics degenerate' };
        this.factors.push(lu);
      }
    }
    this.epoch = this.w.epoch;
    return null;
  }

  solve(rhs: Float64Array, x: Float64Array): SolveFailure | null {
    if (this.epoch !== this.w.epoch) {
      const fail = this.factorise();
      if (fail) return fail;
    }
    const N = this.L.N;
    for (let b = 0; b < this.L.B; b++) {
      const col = Matrix.columnVector(Array.from(rhs.subarray(b * N, b * N + N)));
      const sol = this.factors[b]!.solve(col);
      for (let i = 0; i < N; i++) x[b * N + i] = sol.get(i, 0);
    }
    return null;
  }
}
