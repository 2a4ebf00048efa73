import { maxAbs } from '../../../core/vector.js';
import type { Dynamics } from '../dynamics.js';
import type { Layout } from '../layout.js';
import type { Workspace } from '../workspace.js';
import type { LinearSolver, SolveFailure } from './linear-solver.js';

export interface RelaxedOptions {
  /**
   * Relaxation α; the iteration contracts when every eigenvalue of J lies in (0, 2/α). 'auto' starts at
   * α = 1 and, when converging, halves α each time the residual grows (a substrate would need its gain
   * set below 2/λ_max in the same way); with fixed iterations 'auto' is α = 1.
   */
  relaxation: number | 'auto';
  /** Fixed number of iterations per step (1 = what a substrate does), or 'converge'. */
  iterations: number | 'converge';
  /** Convergence test for 'converge': ‖b − Jx‖∞ ≤ tolerance·‖b‖∞. */
  tolerance: number;
  maxIterations: number;
}

/**
 * The implicit form (theory §4): the neuron equation τu̇ = −u + W r + e with r and e evaluated at the
 * current guess of u̇, iterated. Written as u̇ ← u̇ + α(K(u̇) − u̇) with K(u̇) − u̇ = b − J u̇, it needs only
 * the matrix-free product J v. Started from the previous step's u̇ (passed in x).
 */
export class RelaxedIteration implements LinearSolver {
  readonly name = 'implicit';
  /** Iterations used by the last solve (for reports). */
  lastIterations = 0;

  constructor(
    private readonly L: Layout,
    private readonly w: Workspace,
    private readonly dyn: Dynamics,
    private readonly opt: RelaxedOptions,
  ) {}

  /** α used by the last solve. */
  lastRelaxation = 1;
  /** α carried over between steps in 'auto' mode (it only ever decreases). */
  private autoAlpha = 1;

  solve(rhs: Float64Array, x: Float64Array): SolveFailure | null {
    const auto = this.opt.relaxation === 'auto';
    const converge = this.opt.iterations === 'converge';
    if (!converge) return this.iterate(rhs, x, auto ? 1 : (this.opt.relaxation as number), false);
    if (!auto) return this.iterate(rhs, x, this.opt.relaxation as number, true);
    const start = Float64Array.from(x);
    for (;;) {
      const fail = this.iterate(rhs, x, this.autoAlpha, true);
      if (!fail || !fail.diverged || this.autoAlpha < 1e-6) return fail;
      this.autoAlpha /= 2;
      x.set(start);
    }
  }

  private iterate(rhs: Float64Array, x: Float64Array, a: number, converge: boolean): (SolveFailure & { diverged?: boolean }) | null {
    const [jx, res] = [this.w.tmp[4]!, this.w.tmp[5]!];
    const n = this.L.B * this.L.N;
    const limit = converge ? this.opt.maxIterations : (this.opt.iterations as number);
    const scale = Math.max(maxAbs(rhs), 1e-300);
    this.lastRelaxation = a;
    let prev = Infinity;
    let growing = 0;
    for (let it = 0; it < limit; it++) {
      this.dyn.jvp(x, jx);
      for (let i = 0; i < n; i++) res[i] = rhs[i]! - jx[i]!;
      if (converge) {
        const r = maxAbs(res);
        if (!(r === r)) return { what: 'the implicit iteration produced NaN', diverged: true };
        if (r <= this.opt.tolerance * scale) {
          this.lastIterations = it;
          return null;
        }
        growing = r > prev ? growing + 1 : 0;
        if (growing >= 5 || r > 1e8 * scale) {
          return {
            what: `the implicit iteration diverges (an eigenvalue of J exceeds 2/α = ${2 / a})`,
            hint: `use a smaller --relaxation than ${a}, --relaxation auto, or --method explicit`,
            diverged: true,
          };
        }
        prev = r;
      }
      for (let i = 0; i < n; i++) x[i] = x[i]! + a * res[i]!;
    }
    this.lastIterations = limit;
    if (converge) return { what: `the implicit iteration did not converge in ${limit} iterations (α = ${a})`, hint: 'use --method explicit or a smaller --relaxation' };
    return null;
  }
}
