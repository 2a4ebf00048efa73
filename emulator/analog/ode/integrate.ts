import type { StepSizeController } from './controller.js';
import { DEFAULT_EVENT_OPTIONS, SwitchWatch, type EventOptions } from './events.js';
import { firstNonFinite, newStats, type IntegrationFailure, type Interpolant, type OdeSolver, type OdeSystem, type StepResult, type StepStats } from './ode.js';

/** Called after every accepted step [t0, t1] with its dense output; a returned failure ends the integration. */
export type OnStep = (t0: number, t1: number, interp: Interpolant) => IntegrationFailure | null | void;

/**
 * The one integration loop: drives any solver with any step-size controller from t0 to exactly t1,
 * advancing y in place and calling `onStep` after every accepted step. A segment [t0, t1] has no
 * discontinuity inside (the caller stops at breakpoints); its last step is shortened to end on t1
 * (and is as short as the segment, however short).
 * With a `SwitchWatch` (a system with switches, events.ts) the modes are locked at t0; an accepted step
 * whose end has crossed a switch is cut at the located crossing (y from the dense output, `onStep` over
 * the part before it), the switch flips and the solver restarts there, as at a breakpoint; steps end
 * at the end of a chattering switch's hold.
 * Returns a failure of the right-hand side, of a step, of `onStep`, a non-finite state or a collapsing
 * step as a value.
 */
export function integrate<S>(sys: OdeSystem, solver: OdeSolver<S>, state: S, controller: StepSizeController, stats: StepStats, t0: number, y: Float64Array, t1: number, onStep: OnStep, watch: SwitchWatch | null = null): IntegrationFailure | null {
  const fail = (watch ? watch.start(t0, y) : null) ?? solver.restart(sys, t0, y, state);
  if (fail) return fail;
  let h = controller.first(sys, t0, y, solver.derivative(state), t1, solver);
  let t = t0;
  while (t < t1) {
    const near = 1e-12 * Math.max(1, Math.abs(t1));
    const holdEnd = watch ? watch.holdEnd() : Infinity;
    const toHold = holdEnd < t1 - near && t + h >= holdEnd;
    const last = !toHold && t + h >= t1 - near;
    if (last) h = t1 - t;
    else if (toHold) h = holdEnd - t;
    // a step shrunk by control, not one clipped to the segment's end (two breakpoints may lie within rounding of each other)
    if (!last && !(h >= 1e-13 * Math.max(1, Math.abs(t)))) return { what: `the step size collapsed to ${h.toExponential(2)} ms`, timeMs: t };
    const r = solver.step(sys, t, y, h, state);
    if (r.failure) return r.failure;
    const bad = nonFinite(r, solver.derivative(state));
    if (bad >= 0) {
      stats.rejected++;
      const retry = controller.retryNonFinite(h);
      if (retry === null) return { what: 'the state became non-finite', timeMs: t, component: sys.componentName(bad) };
      h = retry;
      continue;
    }
    const decision = controller.adapt(h, y, r.y1, r.error, last, solver);
    if (!decision.accept) {
      stats.rejected++;
      h = decision.hNext;
      continue;
    }
    const tNew = last ? t1 : toHold ? holdEnd : t + h;
    const interp = solver.accept(sys, t, y, h, tNew, r, state);
    if (typeof interp !== 'function') return interp;
    const switched = stats.events + stats.chatterHolds;
    const reached = watch ? crossOrAdvance(sys, watch, t, tNew, y, r.y1, interp, stats, onStep) : advance(t, tNew, y, r.y1, interp, stats, onStep);
    if (typeof reached !== 'number') return reached;
    h = decision.hNext;
    if (watch && (switched !== stats.events + stats.chatterHolds || watch.holdEnd() <= reached)) {
      // a crossing cut the step (or a hold ended): the modes changed, the solver restarts there
      const released = watch.release(reached, y);
      if (typeof released !== 'boolean') return released;
      const f = solver.restart(sys, reached, y, state);
      if (f) return f;
    }
    t = reached;
  }
  return null;
}

/** Commits an accepted step without switches: y ← y1, counted, reported. Returns t1 or onStep's failure. */
function advance(t: number, t1: number, y: Float64Array, y1: Float64Array, interp: Interpolant, stats: StepStats, onStep: OnStep): number | IntegrationFailure {
  y.set(y1);
  stats.accepted++;
  return onStep(t, t1, interp) ?? t1;
}

/**
 * Commits an accepted step with switches watched: without a crossing as `advance`; with one, y is the
 * dense output at the crossing, the step up to it is reported (none when it lies at the start), and the
 * crossed switches flip. Returns the time reached or a failure.
 */
function crossOrAdvance(sys: OdeSystem, watch: SwitchWatch, t: number, t1: number, y: Float64Array, y1: Float64Array, interp: Interpolant, stats: StepStats, onStep: OnStep): number | IntegrationFailure {
  const ev = watch.locate(t, t1, y1, interp);
  if (ev === null) return advance(t, t1, y, y1, interp, stats, onStep);
  if (!('switches' in ev)) return ev;
  let reached = t;
  if (!ev.atStart) {
    interp(ev.t, y);
    stats.accepted++;
    const stop = onStep(t, ev.t, interp);
    if (stop) return stop;
    reached = ev.t;
  }
  const bad = firstNonFinite(y);
  if (bad >= 0) return { what: 'the state became non-finite at a mode switch', timeMs: ev.t, component: sys.componentName(bad) };
  watch.apply(ev, y);
  return reached;
}

/**
 * The component to blame for a non-finite step, or −1: the first non-finite derivative at the step's
 * start (where it began, before a linear solve spreads it), else of the solution, else of the error.
 */
function nonFinite(r: StepResult, f0: Float64Array | null): number {
  const i = firstNonFinite(r.y1);
  const e = r.error ? firstNonFinite(r.error) : -1;
  if (i < 0 && e < 0) return -1;
  const j = f0 ? firstNonFinite(f0) : -1;
  return j >= 0 ? j : i >= 0 ? i : e;
}

/**
 * A solver, its controller, its workspace and the step counts, held together for a run: what a caller
 * keeps between segments. The workspace is allocated on the first call (and again for another system);
 * `reset` forgets the controller's step-size suggestion (after a discontinuity). A system with switches
 * (`OdeSystem.switching`) is integrated with mode locking and event location when the controller is
 * adaptive; at fixed steps (Euler–Maruyama) its switches are not locked and f is evaluated as it is,
 * kinks included.
 */
export class Integrator<S = unknown> {
  readonly stats: StepStats = newStats();
  private state: S | null = null;
  private sys: OdeSystem | null = null;
  private watch: SwitchWatch | null = null;

  constructor(
    readonly solver: OdeSolver<S>,
    readonly controller: StepSizeController,
    /** Chattering guard of the event location (events.ts). */
    readonly events: EventOptions = DEFAULT_EVENT_OPTIONS,
  ) {
    if (controller.adaptive && solver.errorOrder === null) throw new RangeError(`${solver.name} has no error estimate: it needs a fixed-step controller`);
  }

  get name(): string {
    return this.solver.name;
  }

  reset(): void {
    this.controller.reset();
  }

  integrate(sys: OdeSystem, t0: number, y: Float64Array, t1: number, onStep: OnStep = () => {}): IntegrationFailure | null {
    if (this.sys !== sys || this.state === null) {
      this.state = this.solver.init(sys, this.stats);
      this.sys = sys;
      this.watch = sys.switching && this.controller.adaptive ? new SwitchWatch(sys.switching, sys.size, this.stats, this.events) : null;
    }
    return integrate(sys, this.solver, this.state, this.controller, this.stats, t0, y, t1, onStep, this.watch);
  }
}
