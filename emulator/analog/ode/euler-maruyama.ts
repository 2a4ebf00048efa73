import { Rng } from '../../../core/rng.js';
import { newStats, type IntegrationFailure, type Interpolant, type OdeSolver, type OdeSystem, type StepStats, type Tolerances } from './ode.js';

/**
 * Euler–Maruyama for circuits with noise: y⁺ = y + h f(t, y) + √h σ ⊙ ξ, ξ ~ N(0, 1) from a seeded
 * generator (the seed is part of the run's record), fixed step `tol.hFixed`, linear interpolation
 * between steps. Strong order ½ (order 1 without noise).
 */
export class EulerMaruyama implements OdeSolver {
  readonly name = 'euler-maruyama';
  readonly order = 1;
  stats: StepStats = newStats();
  private readonly rng: Rng;

  constructor(readonly seed: number) {
    this.rng = new Rng(seed);
  }

  reset(): void {}

  integrate(sys: OdeSystem, t0: number, y: Float64Array, t1: number, tol: Tolerances, onStep: (a: number, b: number, interp: Interpolant) => void): IntegrationFailure | null {
    const n = sys.size;
    const h0 = tol.hFixed ?? Math.min(tol.hMax, (t1 - t0) / 100);
    const f = new Float64Array(n);
    const yPrev = new Float64Array(n);
    const sigma = Float64Array.from({ length: n }, (_, i) => sys.noiseScale?.(i) ?? 0);
    let t = t0;
    while (t < t1) {
      const h = Math.min(h0, t1 - t);
      sys.rhs(t, y, f);
      this.stats.rhsEvaluations++;
      yPrev.set(y);
      const sq = Math.sqrt(h);
      for (let i = 0; i < n; i++) y[i] = y[i]! + (h * f[i]! + (sigma[i] ? sq * sigma[i]! * this.rng.normal() : 0));
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(y[i]!)) return { what: 'the state became non-finite', timeMs: t, component: sys.componentName(i) };
      }
      const ta = t;
      t = t + h >= t1 - 1e-12 * Math.max(1, t1) ? t1 : t + h;
      const tb = t;
      const interp: Interpolant = (tq, out) => {
        const s = (tq - ta) / (tb - ta);
        for (let i = 0; i < n; i++) out[i] = yPrev[i]! + s * (y[i]! - yPrev[i]!);
      };
      this.stats.accepted++;
      onStep(ta, tb, interp);
    }
    return null;
  }
}
