/**
 * Solves J x = b for the step's voltage rate, J = ∂f/∂u at the last evaluation of the Dynamics.
 *
 * Contract: `solve` is called after `Dynamics.evaluate`; `x` holds an initial guess on entry (iterative
 * solvers start from it; direct solvers ignore it) and the solution on return. Factorisations may be
 * cached until the next evaluation (Workspace.epoch). A failure is returned as a value, never thrown:
 * the engine adds the time and turns it into a NumericalError.
 */
export interface LinearSolver {
  readonly name: string;
  solve(rhs: Float64Array, x: Float64Array): SolveFailure | null;
}

export interface SolveFailure {
  what: string;
  /** Batch sample, when the failure concerns one. */
  sample?: number;
  hint?: string;
}
