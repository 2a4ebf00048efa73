import { requireMemory } from '../../../core/memory-budget.js';
import { DenseLu } from './dense-lu.js';
import { errorNorm, initialStep, newStats, type IntegrationFailure, type Interpolant, type OdeSolver, type OdeSystem, type StepStats, type Tolerances } from './ode.js';

/**
 * A Rosenbrock tableau in the transformed form used by KPP (Sandu et al. 1997):
 *   (1/(γh) I − J) K_s = f(y + Σ_j A_sj K_j) + Σ_j (C_sj / h) K_j,   y⁺ = y + Σ M_s K_s,   err = Σ E_s K_s.
 */
interface RosTableau {
  name: string;
  order: number;
  gamma: number;
  A: number[][];
  C: number[][];
  M: number[];
  E: number[];
}

/** ROS3: 3 stages, order 3 with an embedded order-2 estimate, L-stable (Sandu et al. 1997, as in KPP). */
const ROS3: RosTableau = {
  name: 'ros3',
  order: 3,
  gamma: 0.43586652150845899941601945119356,
  A: [[], [1], [1, 0]],
  C: [[], [-1.0156171083877702091975600115545], [4.0759956452537699824805835358067, 9.2076794298330791242156818474003]],
  M: [1, 6.169794704382824559255361568973, -0.4277225654321857332623837380651],
  E: [0.5, -2.9079558716805469821718236208017, 0.2235406989781156962736090927619],
};

/**
 * Linearly implicit Rosenbrock integrator for stiff circuits (parasitic poles 100–1000× faster than τ),
 * with the ROS3 tableau: order 3, error estimate of order 2, L-stable. Time enters as an extra state, so
 * the Jacobian (by finite differences) includes ∂f/∂t. ROS3 is not a W-method: a stale Jacobian costs
 * its order (measured: half the steps rejected when J is reused for 3 steps), so J is refreshed every
 * `jacobianEvery` = 1 accepted step by default, and after every rejection. Dense output: cubic Hermite.
 */
export class Rosenbrock implements OdeSolver {
  readonly name: string;
  readonly order: number;
  stats: StepStats = newStats();
  private h = 0;
  private readonly tab: RosTableau = ROS3;

  constructor(private readonly jacobianEvery = 1) {
    this.name = this.tab.name;
    this.order = this.tab.order;
  }

  reset(): void {
    this.h = 0;
  }

  integrate(sys: OdeSystem, t0: number, y: Float64Array, t1: number, tol: Tolerances, onStep: (a: number, b: number, interp: Interpolant) => void): IntegrationFailure | null {
    const { gamma, A, C, M, E } = this.tab;
    const S = M.length;
    const n = sys.size;
    const m = n + 1; // + time
    requireMemory(3 * 8 * m * m, `the Rosenbrock solver's dense ${m}×${m} Jacobian, its iteration matrix and LU factors (use --ode-solver dopri5 for large circuits)`);
    const J = new Float64Array(m * m);
    const Wm = new Float64Array(m * m);
    const lu = new DenseLu(m, Wm);
    const f0 = new Float64Array(n);
    const f1 = new Float64Array(n);
    const fp = new Float64Array(n);
    const K = Array.from({ length: S }, () => new Float64Array(m));
    const yt = new Float64Array(n);
    const y1 = new Float64Array(n);
    const err = new Float64Array(n);
    const y0c = new Float64Array(n);
    const f0c = new Float64Array(n);
    let t = t0;
    const rhs = (tt: number, yy: Float64Array, out: Float64Array) => {
      sys.rhs(tt, yy, out);
      this.stats.rhsEvaluations++;
    };
    rhs(t, y, f0);
    if (this.h <= 0) this.h = Math.min(initialStep(sys, t, y, f0, tol, this.order, t1 - t0), 1e-3 * (t1 - t0) + 1e-9);
    let h = Math.min(this.h, tol.hMax);
    let jacAge = Infinity;
    let luH = NaN;
    const jacobian = () => {
      J.fill(0);
      for (let j = 0; j <= n; j++) {
        const isT = j === n;
        const base = isT ? t : y[j]!;
        const d = Math.sqrt(2.2e-16) * Math.max(Math.abs(base), isT ? Math.max(1e-3, Math.abs(h)) : tol.atol / Math.max(tol.rtol, 1e-12) + 1e-12);
        if (isT) rhs(t + d, y, fp);
        else {
          yt.set(y);
          yt[j] = base + d;
          rhs(t, yt, fp);
        }
        for (let i = 0; i < n; i++) J[i * m + j] = (fp[i]! - f0[i]!) / d;
      }
      this.stats.jacobians++;
      jacAge = 0;
      luH = NaN;
    };
    while (t < t1) {
      const last = t + h >= t1 - 1e-12 * Math.max(1, Math.abs(t1));
      if (last) h = t1 - t;
      if (h < 1e-13 * Math.max(1, Math.abs(t))) return { what: `the step size collapsed to ${h.toExponential(2)} ms`, timeMs: t };
      if (jacAge >= this.jacobianEvery) jacobian();
      if (!(Math.abs(h - luH) <= 0.2 * luH) || last || t + luH > t1) {
        for (let i = 0; i < m * m; i++) Wm[i] = -J[i]!;
        for (let i = 0; i < m; i++) Wm[i * m + i] = Wm[i * m + i]! + 1 / (gamma * h);
        if (!lu.factor()) return { what: 'the Rosenbrock matrix 1/(γh) I − J is singular', timeMs: t };
        this.stats.factorisations++;
        luH = h;
      }
      const hs = luH;
      for (let s = 0; s < S; s++) {
        const Ks = K[s]!;
        let ts = t;
        if (s === 0) {
          Ks.set(f0);
          Ks[n] = 1;
        } else {
          for (let i = 0; i < n; i++) {
            let acc = y[i]!;
            for (let j = 0; j < s; j++) if (A[s]![j]) acc += A[s]![j]! * K[j]![i]!;
            yt[i] = acc;
          }
          for (let j = 0; j < s; j++) if (A[s]![j]) ts += A[s]![j]! * K[j]![n]!;
          rhs(ts, yt, fp);
          Ks.set(fp);
          Ks[n] = 1;
          for (let j = 0; j < s; j++) {
            const c = C[s]![j]! / hs;
            for (let i = 0; i <= n; i++) Ks[i] = Ks[i]! + c * K[j]![i]!;
          }
        }
        lu.solve(Ks);
      }
      for (let i = 0; i < n; i++) {
        let a = y[i]!;
        let e = 0;
        for (let s = 0; s < S; s++) {
          a += M[s]! * K[s]![i]!;
          e += E[s]! * K[s]![i]!;
        }
        y1[i] = a;
        err[i] = e;
      }
      const { norm, worst } = errorNorm(err, y, y1, tol);
      if (!Number.isFinite(norm)) {
        if (hs > 1e-10) {
          h = hs * 0.25;
          this.stats.rejected++;
          jacAge = Infinity;
          continue;
        }
        return { what: 'the state became non-finite', timeMs: t, component: sys.componentName(worst) };
      }
      const fac = Math.min(4, Math.max(0.2, 0.9 * Math.pow(Math.max(norm, 1e-10), -1 / this.order)));
      if (norm <= 1) {
        const tNew = last && hs === h ? t1 : t + hs;
        rhs(tNew, y1, f1);
        y0c.set(y);
        f0c.set(f0);
        const ta = t;
        const hh = tNew - ta;
        const interp: Interpolant = (tq, out) => {
          const s = (tq - ta) / hh;
          const h00 = (1 + 2 * s) * (1 - s) ** 2;
          const h10 = s * (1 - s) ** 2;
          const h01 = s * s * (3 - 2 * s);
          const h11 = s * s * (s - 1);
          for (let i = 0; i < n; i++) out[i] = h00 * y0c[i]! + h10 * hh * f0c[i]! + h01 * y1[i]! + h11 * hh * f1[i]!;
        };
        t = tNew;
        y.set(y1);
        f0.set(f1);
        this.stats.accepted++;
        jacAge++;
        onStep(ta, t, interp);
        h = Math.min(hs * fac, tol.hMax);
        if (!last) this.h = h;
      } else {
        this.stats.rejected++;
        jacAge = Infinity;
        h = hs * fac;
      }
    }
    return null;
  }
}
