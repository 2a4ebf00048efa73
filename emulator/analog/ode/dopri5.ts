import { errorNorm, initialStep, newStats, type IntegrationFailure, type Interpolant, type OdeSolver, type OdeSystem, type StepStats, type Tolerances } from './ode.js';

// Dormand–Prince 5(4) tableau (Hairer, Nørsett & Wanner, Solving ODE I, Table 5.2) and its 4th-order dense output.
const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1];
const A = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
const E = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40];
const D = [-12715105075 / 11282082432, 0, 87487479700 / 32700410799, -10690763975 / 1880347072, 701980252875 / 199316789632, -1453857185 / 822651844, 69997945 / 29380423];

/**
 * Explicit adaptive Runge–Kutta pair of orders 5 and 4 (local extrapolation: the 5th-order solution is
 * kept), first-same-as-last, with Hairer's continuous extension of order 4 for output at any time.
 * Step size: h ← h·min(5, max(0.2, 0.9·err^(−1/5))), not growing right after a rejection.
 */
export class Dopri5 implements OdeSolver {
  readonly name = 'dopri5';
  readonly order = 5;
  stats: StepStats = newStats();
  private h = 0;

  reset(): void {
    this.h = 0;
  }

  integrate(sys: OdeSystem, t0: number, y: Float64Array, t1: number, tol: Tolerances, onStep: (a: number, b: number, interp: Interpolant) => void): IntegrationFailure | null {
    const n = sys.size;
    const k = Array.from({ length: 7 }, () => new Float64Array(n));
    const yt = new Float64Array(n);
    const y1 = new Float64Array(n);
    const err = new Float64Array(n);
    const r = [new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    let t = t0;
    sys.rhs(t, y, k[0]!);
    this.stats.rhsEvaluations++;
    if (this.h <= 0) this.h = initialStep(sys, t, y, k[0]!, tol, 5, t1 - t0);
    let h = Math.min(this.h, tol.hMax);
    let rejectedLast = false;
    while (t < t1) {
      const last = t + h >= t1 - 1e-12 * Math.max(1, Math.abs(t1));
      if (last) h = t1 - t;
      if (h < 1e-13 * Math.max(1, Math.abs(t))) {
        return { what: `the step size collapsed to ${h.toExponential(2)} ms`, timeMs: t };
      }
      for (let s = 1; s < 7; s++) {
        const a = A[s]!;
        for (let i = 0; i < n; i++) {
          let acc = y[i]!;
          for (let j = 0; j < s; j++) if (a[j]) acc += h * a[j]! * k[j]![i]!;
          yt[i] = acc;
        }
        sys.rhs(t + C[s]! * h, yt, k[s]!);
      }
      this.stats.rhsEvaluations += 6;
      y1.set(yt); // stage 7 is evaluated at the 5th-order solution
      for (let i = 0; i < n; i++) {
        let e = 0;
        for (let j = 0; j < 7; j++) if (E[j]) e += E[j]! * k[j]![i]!;
        err[i] = h * e;
      }
      const { norm, worst } = errorNorm(err, y, y1, tol);
      if (!Number.isFinite(norm)) {
        let bad = 0;
        while (bad < n && Number.isFinite(y1[bad]!)) bad++;
        if (h > 1e-10) {
          h *= 0.25;
          this.stats.rejected++;
          rejectedLast = true;
          continue;
        }
        return { what: 'the state became non-finite', timeMs: t, component: sys.componentName(bad < n ? bad : worst) };
      }
      if (norm <= 1) {
        // dense output coefficients (Hairer's contd5)
        for (let i = 0; i < n; i++) {
          const ydiff = y1[i]! - y[i]!;
          const bspl = h * k[0]![i]! - ydiff;
          r[0]![i] = y[i]!;
          r[1]![i] = ydiff;
          r[2]![i] = bspl;
          r[3]![i] = ydiff - h * k[6]![i]! - bspl;
          let d = 0;
          for (let j = 0; j < 7; j++) if (D[j]) d += D[j]! * k[j]![i]!;
          r[4]![i] = h * d;
        }
        const ta = t;
        const hh = h;
        const interp: Interpolant = (tq, out) => {
          const th = (tq - ta) / hh;
          const th1 = 1 - th;
          for (let i = 0; i < n; i++) out[i] = r[0]![i]! + th * (r[1]![i]! + th1 * (r[2]![i]! + th * (r[3]![i]! + th1 * r[4]![i]!)));
        };
        t = last ? t1 : t + h;
        y.set(y1);
        k[0]!.set(k[6]!);
        this.stats.accepted++;
        onStep(ta, t, interp);
        const fac = Math.min(rejectedLast ? 1 : 5, Math.max(0.2, 0.9 * Math.pow(Math.max(norm, 1e-10), -0.2)));
        if (!last) this.h = h;
        h = Math.min(h * fac, tol.hMax);
        if (!last) this.h = h;
        rejectedLast = false;
      } else {
        this.stats.rejected++;
        rejectedLast = true;
        h *= Math.max(0.2, 0.9 * Math.pow(norm, -0.2));
      }
    }
    return null;
  }
}
