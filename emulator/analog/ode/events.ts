import type { IntegrationFailure, Interpolant, StepStats, SwitchingSystem } from './ode.js';

/** How the integration loop treats a system's switches (ode.ts `SwitchingSystem`); times in the system's unit. */
export interface EventOptions {
  /** A switch's crossings within this span of its first one count as repeats (chattering). */
  repeatWindow: number;
  /** More repeats than this and the switch slides, or is held (the fallback); default 4. */
  maxRepeats: number;
  /** How long a chattering switch is held in its mode; the steps end at the hold's end. */
  holdSpan: number;
}

/** Defaults for systems whose time constants are about 1 (the analog simulator scales them by its shortest τ). */
export const DEFAULT_EVENT_OPTIONS: EventOptions = { repeatWindow: 1e-3, maxRepeats: 4, holdSpan: 1e-4 };

/** A located crossing: the time just past it (where the crossed margins are < 0) and the switches that crossed. */
export interface LocatedEvent {
  t: number;
  switches: number[];
  /** The crossing lies within the time tolerance of the step's start: no step is taken, only modes change. */
  atStart: boolean;
}

/**
 * Watches a system's switches during an integration: locks every mode at a segment's start, checks the
 * margins after each accepted step, locates the earliest crossing on the step's dense output (the
 * Illinois method on the crossed switches' margins, to a time tolerance of 10⁻¹³ relative), and applies it.
 *
 * Chattering (a state sliding along a switching surface, where each side's f pushes it back, so the
 * same switch crosses again and again with little progress): after more than `maxRepeats` crossings
 * of one switch within `repeatWindow`, the switch is put in its sliding mode when the system has one
 * and the flow slides there (`SwitchingSystem.slide`, counted in `stats.slides`); otherwise it is held
 * in its current mode for `holdSpan` (its margin is not watched and f keeps that mode's piece,
 * extended, even where the state has crossed), counted in `stats.chatterHolds`, and at the hold's end
 * locked again by the side the state is on. The loop ends its steps at a hold's end, so the error a
 * hold admits is bounded by holdSpan times the rate, and every hold costs progress of at least one
 * step: the loop always terminates.
 */
export class SwitchWatch {
  private readonly g: Float64Array;
  private readonly gq: Float64Array;
  private readonly gLo: Float64Array;
  private readonly gHi: Float64Array;
  private readonly yq: Float64Array;
  private readonly runStart: Float64Array;
  private readonly repeats: Uint32Array;
  private readonly heldUntil: Float64Array;
  private holds = 0;

  constructor(
    private readonly sw: SwitchingSystem,
    size: number,
    private readonly stats: StepStats,
    private readonly opts: EventOptions = DEFAULT_EVENT_OPTIONS,
  ) {
    this.g = new Float64Array(sw.count);
    this.gq = new Float64Array(sw.count);
    this.gLo = new Float64Array(sw.count);
    this.gHi = new Float64Array(sw.count);
    this.yq = new Float64Array(size);
    this.runStart = new Float64Array(sw.count).fill(-Infinity);
    this.repeats = new Uint32Array(sw.count);
    this.heldUntil = new Float64Array(sw.count).fill(-Infinity);
  }

  /** At a segment's start: every switch locked by its side, holds and repeat counts forgotten. */
  start(t: number, y: Float64Array): IntegrationFailure | null {
    this.heldUntil.fill(-Infinity);
    this.repeats.fill(0);
    this.runStart.fill(-Infinity);
    this.holds = 0;
    return this.sw.lock(t, y, -1);
  }

  /** The earliest end of a hold (Infinity when none): steps must not pass it. */
  holdEnd(): number {
    if (this.holds === 0) return Infinity;
    let e = Infinity;
    for (let k = 0; k < this.heldUntil.length; k++) if (this.heldUntil[k]! > -Infinity) e = Math.min(e, this.heldUntil[k]!);
    return e;
  }

  /**
   * After an accepted step [t0, t1] ending at y1 with dense output `interp`: null when no watched margin
   * is negative at t1, else the earliest crossing (a failure of the margins is returned as it is).
   *
   * The crossing is bracketed between t0 (every margin ≥ 0) and t1 and narrowed to 10⁻¹³ relative by the
   * Illinois method (regula falsi on the earliest secant root among the switches crossed at t1, with the
   * retained end's margins halved when one end is kept twice in a row, so both ends close in), falling
   * back to a bisection whenever an iteration fails to halve the bracket: about 6–10 evaluations of the
   * margins where bisection needs 45. Only the switches crossed at t1 are evaluated inside the step.
   */
  locate(t0: number, t1: number, y1: Float64Array, interp: Interpolant): LocatedEvent | IntegrationFailure | null {
    const fail = this.sw.margins(t1, y1, this.g);
    if (fail) return fail;
    if (!this.crossed(this.g)) return null;
    const only: number[] = [];
    for (let k = 0; k < this.g.length; k++) if (this.watched(k) && this.g[k]! < 0) only.push(k);
    const tol = 1e-13 * Math.max(1, Math.abs(t1));
    interp(t0, this.yq);
    const f0 = this.sw.margins(t0, this.yq, this.gLo, only);
    if (f0) return f0;
    this.gHi.set(this.g);
    let lo = t0;
    let hi = t1;
    let kept = 0; // > 0: lo kept in a row, < 0: hi kept in a row
    let width = hi - lo;
    let secant = true;
    while (hi - lo > tol) {
      let mid = secant ? this.secantRoot(only, lo, hi, kept) : 0.5 * (lo + hi);
      mid = Math.min(hi - 0.25 * tol, Math.max(lo + 0.25 * tol, mid));
      if (!(mid > lo && mid < hi)) break;
      interp(mid, this.yq);
      const f = this.sw.margins(mid, this.yq, this.gq, only);
      if (f) return f;
      if (this.crossedAny(this.gq, only)) {
        hi = mid;
        for (const k of only) this.gHi[k] = this.gq[k]!;
        kept = kept > 0 ? kept + 1 : 1;
      } else {
        lo = mid;
        for (const k of only) this.gLo[k] = this.gq[k]!;
        kept = kept < 0 ? kept - 1 : -1;
      }
      // a secant step that did not halve the bracket is followed by a bisection
      secant = !secant || hi - lo <= 0.5 * width;
      width = hi - lo;
    }
    const switches = only.filter((k) => this.gHi[k]! < 0);
    return { t: hi, switches, atStart: hi - t0 <= tol };
  }

  /** The earliest secant root in (lo, hi) among the switches crossed at hi; Illinois: the end kept twice in a row counts half. */
  private secantRoot(only: readonly number[], lo: number, hi: number, kept: number): number {
    const wLo = kept >= 2 ? 0.5 ** (kept - 1) : 1;
    const wHi = kept <= -2 ? 0.5 ** (-kept - 1) : 1;
    let t = hi;
    for (const k of only) {
      const a = wLo * this.gLo[k]!;
      const b = wHi * this.gHi[k]!;
      if (a < 0) return lo; // crossed already at lo: the event is at the start
      if (!(b < 0)) continue;
      t = Math.min(t, lo + (hi - lo) * (a / (a - b)));
    }
    return t;
  }

  /** Applies a located event at its time, y being the state there: flips (or, when chattering, holds) each switch. */
  apply(ev: LocatedEvent, y: Float64Array): void {
    const { repeatWindow, maxRepeats, holdSpan } = this.opts;
    for (const k of ev.switches) {
      this.stats.events++;
      if (ev.t - this.runStart[k]! <= repeatWindow) this.repeats[k]!++;
      else {
        this.runStart[k] = ev.t;
        this.repeats[k] = 1;
      }
      if (this.repeats[k]! > maxRepeats && this.sw.slide?.(k, ev.t, y)) {
        this.repeats[k] = 0;
        this.runStart[k] = -Infinity;
        this.stats.slides++;
      } else if (this.repeats[k]! > maxRepeats) {
        this.heldUntil[k] = ev.t + holdSpan;
        this.holds++;
        this.repeats[k] = 0;
        this.runStart[k] = -Infinity;
        this.stats.chatterHolds++;
      } else this.sw.flip(k, ev.t, y);
    }
  }

  /** At t: holds that have ended are released and their switches locked by side; true when any was (the solver restarts). */
  release(t: number, y: Float64Array): IntegrationFailure | boolean {
    if (this.holds === 0) return false;
    let any = false;
    for (let k = 0; k < this.heldUntil.length; k++) {
      const until = this.heldUntil[k]!;
      if (until === -Infinity || until > t + 1e-13 * Math.max(1, Math.abs(t))) continue;
      this.heldUntil[k] = -Infinity;
      this.holds--;
      const fail = this.sw.lock(t, y, k);
      if (fail) return fail;
      any = true;
    }
    return any;
  }

  private watched(k: number): boolean {
    return this.heldUntil[k] === -Infinity;
  }

  private crossedAny(g: Float64Array, only: readonly number[]): boolean {
    for (const k of only) if (g[k]! < 0) return true;
    return false;
  }

  private crossed(g: Float64Array): boolean {
    for (let k = 0; k < g.length; k++) if (g[k]! < 0 && this.watched(k)) return true;
    return false;
  }
}
