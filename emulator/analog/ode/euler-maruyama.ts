import { Rng } from '../../../core/rng.js';
import type { IntegrationFailure, Interpolant, OdeSolver, OdeSystem, StepResult, StepStats } from './ode.js';

/**
 * The Brownian motion W driving the noise, one independent component per noisy state component. A
 * solver asks for ξ = (W_i(t + h) − W_i(t))/√h, a standard normal; steps come in increasing t and,
 * within a step, noisy components in increasing i.
 */
export interface BrownianMotion {
  normal(i: number, t: number, h: number): number;
}

/** Independent increments from a seeded generator (the seed is part of the run's record). */
export class SeededBrownian implements BrownianMotion {
  private readonly rng: Rng;
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }
  normal(): number {
    return this.rng.normal();
  }
}

interface EmState {
  stats: StepStats;
  f: Float64Array;
  sigma: Float64Array;
  w: BrownianMotion;
  /** y at the start of the last accepted step, for its linear interpolant. */
  y0c: Float64Array;
  result: StepResult;
}

/**
 * Euler–Maruyama for circuits with noise: y⁺ = y + h f(t, y) + √h σ ⊙ ξ with ξ from the Brownian motion
 * (SeededBrownian by default), at fixed steps (no error estimate: the fixed-step controller drives it),
 * linear interpolation between steps. Strong order ½, weak order 1; order 1 without noise.
 */
export class EulerMaruyama implements OdeSolver<EmState> {
  readonly name = 'euler-maruyama';
  readonly order = 1;
  readonly errorOrder = null;
  readonly strongOrder = 0.5;
  readonly weakOrder = 1;
  private readonly brownian: () => BrownianMotion;

  /** `noise`: a seed for SeededBrownian, or a factory of the Brownian motion (one per run). */
  constructor(noise: number | (() => BrownianMotion)) {
    this.brownian = typeof noise === 'number' ? () => new SeededBrownian(noise) : noise;
  }

  init(sys: OdeSystem, stats: StepStats): EmState {
    const n = sys.size;
    return {
      stats,
      f: new Float64Array(n),
      sigma: Float64Array.from({ length: n }, (_, i) => sys.noiseScale?.(i) ?? 0),
      w: this.brownian(),
      y0c: new Float64Array(n),
      result: { y1: new Float64Array(n), error: null, failure: null },
    };
  }

  restart(): IntegrationFailure | null {
    return null;
  }

  derivative(): null {
    return null;
  }

  step(sys: OdeSystem, t: number, y: Float64Array, h: number, st: EmState): StepResult {
    const { f, sigma, w, result } = st;
    const y1 = result.y1;
    st.stats.rhsEvaluations++;
    result.failure = sys.rhs(t, y, f) ?? null;
    if (result.failure) return result;
    const sq = Math.sqrt(h);
    for (let i = 0; i < y.length; i++) y1[i] = y[i]! + (h * f[i]! + (sigma[i] ? sq * sigma[i]! * w.normal(i, t, h) : 0));
    return result;
  }

  accept(_sys: OdeSystem, t: number, y: Float64Array, _h: number, t1: number, result: StepResult, st: EmState): Interpolant {
    const { y0c } = st;
    const y1 = result.y1;
    const n = y.length;
    y0c.set(y);
    return (tq, out) => {
      const s = (tq - t) / (t1 - t);
      for (let i = 0; i < n; i++) out[i] = y0c[i]! + s * (y1[i]! - y0c[i]!);
    };
  }
}
