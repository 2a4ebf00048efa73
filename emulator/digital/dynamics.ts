import type { WeightRate } from './plasticity.js';

/**
 * The NLA dynamics of one feedback mode, written as f(u, t) = 0 kept by (1 + τ d/dt) f = 0
 * (theory §2–§5). A Dynamics object works on the engine's Workspace; it never steps time itself.
 *
 * Contract: `evaluate` must run before `jvp`, `assemble`, `errorSignal` and `errorSignalRate`, which all
 * refer to the state and drive of the last evaluation. `evaluate` applies any deferred weight update
 * first, so weights are always those of the current time.
 */
export interface Dynamics {
  /**
   * Computes, for every sample, f = ∂L/∂u (w.f), ∂f/∂t at fixed u (w.dfdt) and the intermediates the
   * solvers need. With `learn`, also fills `rates` with this step's Ẇ and includes the Ẇ terms in ∂f/∂t.
   */
  evaluate(learn: boolean): void;
  /** out = J v with J = ∂f/∂u (B×N in, B×N out), by the chain rule, matrix-free. */
  jvp(v: Float64Array, out: Float64Array): void;
  /** Writes J for sample b as a dense N×N row-major matrix, assembled from its closed form. */
  assemble(b: number, out: Float64Array): void;
  /** ē, the error each neuron carries (7b; ρ'⊙v in the microcircuit), into out (B×N). */
  errorSignal(out: Float64Array): void;
  /**
   * The error of leaky neurons without lookahead (the ablation τu̇ = −u + W r̄ + ē): ē of Eq. 7b driven by
   * the output error alone, ē = ρ' ⊙ F ē + βP(u* − u), into out (B×N).
   */
  leakyError(out: Float64Array): void;
  /** dē/dt along a given u̇, into out (B×N). */
  errorSignalRate(udot: Float64Array, out: Float64Array): void;
  /** Weight rates of the last evaluation with learn = true (empty otherwise). */
  readonly rates: WeightRate[];
  /** Applies or defers W += dt·Ẇ for the rates of the last evaluation. */
  commit(dtMs: number): void;
  /** Whether J is symmetric (an energy Hessian), which permits a Cholesky factorisation. */
  readonly symmetric: boolean;
}
