import { NumericalError } from '../../../core/errors.js';
/**
 * Contracts of the continuous-time integrators, shaped as diffrax shapes them: the system (the vector
 * field), the solver (one step over (t, y, h), its tableau as data, its caches in an explicit state), the
 * step-size controller (accept or reject, the next h) and one loop that drives any solver with any
 * controller (integrate.ts). Failures are values, never exceptions: the right-hand side returns one, a
 * step carries one, the loop returns one; the simulator turns it into a NumericalError.
 */

/** What went wrong, when, and where: a failed solve inside the right-hand side, a non-finite state, a collapsing step. */
export interface IntegrationFailure {
  what: string;
  timeMs: number;
  /** The state component (`u of h1[3]`), when one is to blame. */
  component?: string;
  /** What to try, when the layer that failed knows better than the generic hint. */
  hint?: string;
}

/** An integration that failed becomes the NumericalError a user sees (exit 3), with its time and component. */
export function throwIfFailed(fail: IntegrationFailure | null, what: string, hint?: string): void {
  if (fail) throw new NumericalError(`${what}: ${fail.what}`, fail.timeMs, fail.component, fail.hint ?? hint);
}

/** dy/dt = f(t, y) of `size` components. */
export interface OdeSystem {
  readonly size: number;
  /**
   * Writes f(t, y) into dy, or returns why it cannot (with the time t), in which case dy is undefined.
   * Must not keep references to y or dy. Systems that cannot fail return nothing.
   */
  rhs(t: number, y: Float64Array, dy: Float64Array): IntegrationFailure | null | void;
  /** Human name of component i (`u of h1[3]`), for error messages. */
  componentName(i: number): string;
  /** Standard deviation per √(time unit) of white noise on component i (0: deterministic). Stochastic solvers only. */
  noiseScale?(i: number): number;
  /** The points where f is not smooth, for event location with mode locking (absent: f is smooth). */
  readonly switching?: SwitchingSystem | null;
  /** ∂f/∂y analytically, where the system can give it (absent or null: solvers difference f). */
  readonly jacobian?: AnalyticJacobian | null;
}

/**
 * A piecewise system's switches (SUNDIALS' root functions, Modelica's zero-crossings), for integration
 * with mode locking: each switch k has a mode (which piece of f is in force: a neuron's segment of a
 * kinked ρ, a membrane free or pinned at a rail, a stage clipping or not) and a margin g_k(t, y), ≥ 0
 * while the state is where that mode belongs and < 0 once it has crossed out. Between mode changes f
 * is evaluated with every mode held (each piece extended beyond its switching point), so f is smooth
 * within a step. The integration loop (integrate.ts with events.ts) locks the modes at a segment's
 * start, evaluates the margins after each accepted step, locates the earliest crossing on the step's
 * dense output, ends the step there, flips the switch and restarts the solver.
 */
export interface SwitchingSystem {
  /** Number of switches (fixed for the system's life). */
  readonly count: number;
  /**
   * Puts switch k (every switch when k < 0) in the mode of the side (t, y) lies on (exactly on the
   * surface: a mode the system picks; a wrong pick costs one crossing at the start); may project y onto
   * the surface where the state cannot lie beyond it (a node beyond its rail is on the rail).
   */
  lock(t: number, y: Float64Array, k: number): IntegrationFailure | null;
  /**
   * The margins g_k(t, y) under the current modes into g; may evaluate f (a pinned node leaves its rail
   * when its rate turns). With `only`, just those switches' margins need be written (the others are left
   * as they are): the event location asks for the switches it is locating, so that a kink's crossing does
   * not pay for an evaluation of f that only another switch's margin needs.
   */
  margins(t: number, y: Float64Array, g: Float64Array, only?: readonly number[]): IntegrationFailure | null;
  /** Switch k crossed at (t, y): it takes the mode on the other side; may project y onto the switching surface (a node onto its rail). */
  flip(k: number, t: number, y: Float64Array): void;
  /**
   * Optional: switch k chatters at (t, y) (each side's f pushes the state back across): put it in a
   * sliding mode if it has one and the flow really slides there (Filippov: f a convex combination of
   * the two sides' that keeps the state on the switching surface; y may be projected onto it), and
   * return true; its margin then says when one side stops pushing back, and `flip` leaves the slide to
   * the side the flow goes to. False: no sliding mode here, nothing changed.
   */
  slide?(k: number, t: number, y: Float64Array): boolean;
  /** What switch k is (`kink at u = 1 of h1[3]`), for summaries and messages. */
  name(k: number): string;
}

/** ∂f/∂(y, t) of a system, written row-major into an (n + 1)² matrix's first n rows (the last column is ∂f/∂t). */
export interface AnalyticJacobian {
  /**
   * Fills rows 0 … n − 1 of J (stride n + 1, every entry: J arrives zeroed) at (t, y) under the current
   * modes, given f0 = f(t, y), and returns true; false declines at this state (the solver then differences
   * f numerically), with J left for the solver to overwrite; or returns a failure. It may evaluate f.
   */
  evaluate(t: number, y: Float64Array, f0: Float64Array, J: Float64Array): IntegrationFailure | boolean;
}

/** Dense output on an accepted step [t0, t1]: writes y(t) for t in that interval. Valid until the next step. */
export type Interpolant = (t: number, out: Float64Array) => void;

export interface StepStats {
  accepted: number;
  rejected: number;
  rhsEvaluations: number;
  jacobians: number;
  /** Of those, Jacobians the system gave in closed form (`OdeSystem.jacobian`); the rest were differenced. */
  analyticJacobians: number;
  factorisations: number;
  /** Mode switches located and crossed (systems with switches). */
  events: number;
  /** Chattering switches put in their sliding mode (events.ts). */
  slides: number;
  /** Times a chattering switch without a sliding mode was held in its mode (events.ts: the last fallback). */
  chatterHolds: number;
}

export function newStats(): StepStats {
  return { accepted: 0, rejected: 0, rhsEvaluations: 0, jacobians: 0, analyticJacobians: 0, factorisations: 0, events: 0, slides: 0, chatterHolds: 0 };
}

/** One attempted step from (t, y) of size h. The buffers belong to the solver's state. */
export interface StepResult {
  /** The solution at t + h (valid until the next attempt). */
  y1: Float64Array;
  /** The local error estimate (embedded pair), or null for a solver without one (fixed steps only). */
  error: Float64Array | null;
  /** A failure of the right-hand side or of the step's own algebra (a singular matrix); y1 is then undefined. */
  failure: IntegrationFailure | null;
}

/** What a solver declares about itself; controllers and the order tests read it. */
export interface SolverTraits {
  /** Order of the solution without noise (the order tests measure it at fixed steps). */
  readonly order: number;
  /** Order of the embedded solution behind the error estimate, or null without one. */
  readonly errorOrder: number | null;
}

/**
 * A one-step method, stateless over (t, y, h): everything that outlives a call lives in the state S the
 * solver allocates (`init`) and the driver hands back on every call. A step never changes y or the
 * committed part of the state: the driver commits an accepted step with `accept`, so a rejected step
 * is simply dropped.
 */
export interface OdeSolver<S = unknown> extends SolverTraits {
  /** The tableau's name (`dopri5`, `ros3`, `euler-maruyama`). */
  readonly name: string;
  /** Allocates the workspace for `sys` (once per run); stats are counted into `stats`. */
  init(sys: OdeSystem, stats: StepStats): S;
  /** At a segment's start or after a discontinuity: caches of (t0, y0), e.g. f(t0, y0) for first-same-as-last. */
  restart(sys: OdeSystem, t0: number, y0: Float64Array, state: S): IntegrationFailure | null;
  /** f(t0, y0) after `restart` or `accept`, when the solver keeps it (the initial step guess uses it). */
  derivative(state: S): Float64Array | null;
  /** Attempts one step of size h from (t, y). */
  step(sys: OdeSystem, t: number, y: Float64Array, h: number, state: S): StepResult;
  /**
   * Commits an accepted step from (t, y) of size h ending at t1 (t + h, or the segment's end exactly),
   * before y is overwritten by y1, and returns its dense output on [t, t1] or a failure.
   */
  accept(sys: OdeSystem, t: number, y: Float64Array, h: number, t1: number, result: StepResult, state: S): Interpolant | IntegrationFailure;
}

/** Index of the first non-finite entry of a, or −1. */
export function firstNonFinite(a: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i;
  return -1;
}
