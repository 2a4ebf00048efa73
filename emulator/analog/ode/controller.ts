import * as libm from '../../../core/libm.js';
import type { OdeSystem, SolverTraits } from './ode.js';

/** A controller's verdict on an attempted step, and the step to try next. */
export interface StepDecision {
  accept: boolean;
  hNext: number;
}

/**
 * Decides the step sizes (diffrax's AbstractStepSizeController): the first step of a segment, whether
 * an attempted step is accepted, the next step. It carries one thing across segments, its step-size
 * suggestion, which `reset` forgets (after a discontinuity).
 */
export interface StepSizeController {
  /** Whether steps are chosen from error estimates (the solver must have an embedded error). */
  readonly adaptive: boolean;
  /** The step to try first on [t0, t1], from (t0, y0) and, when the solver keeps it, f0 = f(t0, y0). */
  first(sys: OdeSystem, t0: number, y0: Float64Array, f0: Float64Array | null, t1: number, solver: SolverTraits): number;
  /** Accepts or rejects a finite step of size h from y0 to y1 with local error `error`. */
  adapt(h: number, y0: Float64Array, y1: Float64Array, error: Float64Array | null, endsSegment: boolean, solver: SolverTraits): StepDecision;
  /** A step that came out non-finite: the step to retry with, or null to give up. */
  retryNonFinite(h: number): number | null;
  reset(): void;
}

/** Fixed steps of size h (the stochastic solver, and the order tests); the segment's last step is shortened to end on it. */
export class ConstantStep implements StepSizeController {
  readonly adaptive = false;

  constructor(readonly h: number) {
    if (!(h > 0) || !Number.isFinite(h)) throw new RangeError(`a fixed step must be a positive number, got ${h}`);
  }

  first(): number {
    return this.h;
  }

  adapt(): StepDecision {
    return { accept: true, hNext: this.h };
  }

  retryNonFinite(): null {
    return null;
  }

  reset(): void {}
}

export interface PIOptions {
  rtol: number;
  atol: number;
  /** Largest step; Infinity for none. */
  hMax?: number;
  safety?: number;
  facMin?: number;
  facMax?: number;
  /** No growth on the step right after a rejection (Hairer). */
  holdAfterReject?: boolean;
  /** The first step of a run or after a reset is at most this fraction of the segment (+ 10⁻⁹). */
  firstStepFraction?: number;
  /** Exponents of the PI law h ← h·safety·err^(−β1)·err_prev^(β2); β1 defaults to 1/(q + 1) for an embedded order q, β2 = 0 (I control). */
  beta1?: number;
  beta2?: number;
}

/**
 * Error-controlled steps: the error is the RMS of err_i/(atol + rtol·max(|y0_i|, |y1_i|)), a step is
 * accepted when it is ≤ 1, and the next step is h·min(facMax, max(facMin, safety·err^(−β1)·err_prev^(β2))).
 * With β2 = 0 (default) this is the classical I controller; β2 > 0 adds the proportional term (Gustafsson).
 */
export class PIController implements StepSizeController {
  readonly adaptive = true;
  readonly rtol: number;
  readonly atol: number;
  readonly hMax: number;
  private readonly o: Required<Omit<PIOptions, 'beta1'>> & { beta1?: number };
  private h = 0;
  private rejectedLast = false;
  private prevNorm = 1;

  constructor(o: PIOptions) {
    if (!(o.rtol > 0) || !(o.atol > 0)) throw new RangeError('rtol and atol must be positive');
    this.o = { hMax: Infinity, safety: 0.9, facMin: 0.2, facMax: 5, holdAfterReject: true, firstStepFraction: Infinity, beta2: 0, ...o };
    this.rtol = o.rtol;
    this.atol = o.atol;
    this.hMax = this.o.hMax;
  }

  first(sys: OdeSystem, t0: number, y0: Float64Array, f0: Float64Array | null, t1: number): number {
    if (this.h <= 0) {
      const guess = f0 ? initialStep(y0, f0, this.rtol, this.atol, this.hMax, t0, t1 - t0) : (t1 - t0) / 100;
      this.h = Number.isFinite(this.o.firstStepFraction) ? Math.min(guess, this.o.firstStepFraction * (t1 - t0) + 1e-9) : guess;
    }
    void sys;
    this.rejectedLast = false;
    this.prevNorm = 1;
    return Math.min(this.h, this.hMax);
  }

  adapt(h: number, y0: Float64Array, y1: Float64Array, error: Float64Array | null, endsSegment: boolean, solver: SolverTraits): StepDecision {
    if (!error || solver.errorOrder === null) throw new Error('PIController: the solver has no error estimate; use ConstantStep');
    const { safety, facMin, facMax, beta2 } = this.o;
    const beta1 = this.o.beta1 ?? 1 / (solver.errorOrder + 1);
    const norm = errorNorm(error, y0, y1, this.rtol, this.atol);
    if (!Number.isFinite(norm)) return { accept: false, hNext: this.retryNonFinite(h) ?? 0 }; // the loop reports a collapsed step
    if (norm > 1) {
      this.rejectedLast = true;
      return { accept: false, hNext: h * Math.max(facMin, safety * powDeterministic(norm, -beta1)) };
    }
    let grow = safety * powDeterministic(Math.max(norm, 1e-10), -beta1);
    if (beta2) grow *= powDeterministic(this.prevNorm, beta2);
    const fac = Math.min(this.o.holdAfterReject && this.rejectedLast ? 1 : facMax, Math.max(facMin, grow));
    const hNext = Math.min(h * fac, this.hMax);
    if (!endsSegment) this.h = hNext;
    this.rejectedLast = false;
    this.prevNorm = Math.max(norm, 1e-4);
    return { accept: true, hNext };
  }

  retryNonFinite(h: number): number | null {
    this.rejectedLast = true;
    return h > 1e-10 ? h * 0.25 : null;
  }

  reset(): void {
    this.h = 0;
  }
}

/** RMS norm of the error scaled by atol + rtol·max(|y0|, |y1|). */
export function errorNorm(err: Float64Array, y0: Float64Array, y1: Float64Array, rtol: number, atol: number): number {
  let s = 0;
  for (let i = 0; i < err.length; i++) {
    const e = err[i]! / (atol + rtol * Math.max(Math.abs(y0[i]!), Math.abs(y1[i]!)));
    s += e * e;
  }
  return Math.sqrt(s / Math.max(1, err.length));
}

/** First step size guess (Hairer's heuristic, simplified): 1 % of ‖y‖/‖f‖ in the error norm. */
export function initialStep(y: Float64Array, f0: Float64Array, rtol: number, atol: number, hMax: number, t0: number, span: number): number {
  let d0 = 0;
  let d1 = 0;
  for (let i = 0; i < y.length; i++) {
    const sc = atol + rtol * Math.abs(y[i]!);
    d0 += (y[i]! / sc) ** 2;
    d1 += (f0[i]! / sc) ** 2;
  }
  d0 = Math.sqrt(d0 / y.length);
  d1 = Math.sqrt(d1 / y.length);
  let h = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * (d0 / d1);
  h = Math.min(h, span, hMax);
  return Math.max(h, 1e-12 * Math.max(1, Math.abs(t0)));
}

/**
 * x^y for x > 0 as e^(y ln x) through core/libm: a few ulp from the correctly rounded power, which a step-size
 * factor does not notice, but the same bits in every JavaScript engine (Math.pow is implementation-approximated,
 * and Chromium's and Node's differ: the page's analog traces then drifted from the CLI's by 1e-15).
 */
function powDeterministic(x: number, y: number): number {
  return libm.exp(y * libm.log(x));
}
