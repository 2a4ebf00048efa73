/**
 * Contracts of the continuous-time integrators (diffrax style: the system, the solver and the step
 * controller are separate; state goes in and comes back out; failures are values).
 */

/** dy/dt = f(t, y) of `size` components. */
export interface OdeSystem {
  readonly size: number;
  /** Writes f(t, y) into dy. Must not keep references to y or dy. */
  rhs(t: number, y: Float64Array, dy: Float64Array): void;
  /** Human name of component i (`u of h1[3]`), for error messages. */
  componentName(i: number): string;
  /** Standard deviation per √(time unit) of white noise on component i (0: deterministic). Stochastic solvers only. */
  noiseScale?(i: number): number;
}

export interface Tolerances {
  rtol: number;
  atol: number;
  /** Largest step (time units); Infinity for none. */
  hMax: number;
  /** Fixed step of the stochastic solver. */
  hFixed?: number;
}

/** Dense output on the last accepted step [t0, t1]: writes y(t) for t in that interval. */
export type Interpolant = (t: number, out: Float64Array) => void;

export interface StepStats {
  accepted: number;
  rejected: number;
  rhsEvaluations: number;
  jacobians: number;
  factorisations: number;
}

export interface IntegrationFailure {
  what: string;
  timeMs: number;
  component?: string;
}

/**
 * An integrator. `integrate` advances y (in place) from t0 to exactly t1, calling `onStep` after every
 * accepted step with the step's interval and its dense output; it returns a failure (non-finite state,
 * step size collapsing) as a value. It keeps no state between calls except its step-size suggestion,
 * which `reset` clears (after a discontinuity).
 */
export interface OdeSolver {
  readonly name: string;
  /** Order of the solution (tests check the measured convergence order against it). */
  readonly order: number;
  readonly stats: StepStats;
  reset(): void;
  integrate(sys: OdeSystem, t0: number, y: Float64Array, t1: number, tol: Tolerances, onStep: (t0: number, t1: number, interp: Interpolant) => void): IntegrationFailure | null;
}

export function newStats(): StepStats {
  return { accepted: 0, rejected: 0, rhsEvaluations: 0, jacobians: 0, factorisations: 0 };
}

/** RMS norm of the error scaled by atol + rtol·max(|y0|, |y1|). */
export function errorNorm(err: Float64Array, y0: Float64Array, y1: Float64Array, tol: Tolerances): { norm: number; worst: number } {
  let s = 0;
  let worst = 0;
  let wv = -1;
  for (let i = 0; i < err.length; i++) {
    const sc = tol.atol + tol.rtol * Math.max(Math.abs(y0[i]!), Math.abs(y1[i]!));
    const e = err[i]! / sc;
    const e2 = e * e;
    s += e2;
    if (!(e2 <= wv)) {
      wv = e2;
      worst = i;
    }
  }
  return { norm: Math.sqrt(s / Math.max(1, err.length)), worst };
}

/** First step size guess (Hairer's heuristic, simplified). */
export function initialStep(sys: OdeSystem, t0: number, y: Float64Array, f0: Float64Array, tol: Tolerances, order: number, span: number): number {
  let d0 = 0;
  let d1 = 0;
  for (let i = 0; i < y.length; i++) {
    const sc = tol.atol + tol.rtol * Math.abs(y[i]!);
    d0 += (y[i]! / sc) ** 2;
    d1 += (f0[i]! / sc) ** 2;
  }
  d0 = Math.sqrt(d0 / y.length);
  d1 = Math.sqrt(d1 / y.length);
  let h = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * (d0 / d1);
  h = Math.min(h, span, tol.hMax);
  void sys;
  void t0;
  void order;
  return Math.max(h, 1e-12 * Math.max(1, Math.abs(t0)));
}
