import { requireMemory } from '../../../core/memory-budget.js';
import { DenseLu } from './dense-lu.js';
import type { IntegrationFailure, Interpolant, OdeSolver, OdeSystem, StepResult, StepStats } from './ode.js';
import { ROS3, type RosenbrockTableau } from './tableaus.js';

export interface RosenbrockOptions {
  /**
   * Magnitude below which a component's finite-difference perturbation stops shrinking with it: the
   * scale where absolute error takes over from relative, atol/rtol (the registry passes it). Default 10⁻³.
   */
  perturbationFloor?: number;
  /** What to suggest when the dense matrices do not fit the memory budget. */
  tooLargeHint?: string;
}

interface RosenbrockState {
  stats: StepStats;
  /** Jacobian ∂(f, 1)/∂(y, t), row-major (n + 1)², and the iteration matrix that is factorised in place. */
  J: Float64Array;
  /** J is of the committed point (t, y): a step retried after a rejection reuses it (cleared by restart and accept). */
  jCurrent: boolean;
  lu: DenseLu;
  /** f at the committed point, and the spare buffer the next accepted step fills (swapped on acceptance). */
  f0: Float64Array;
  f1: Float64Array;
  fp: Float64Array;
  K: Float64Array[];
  yt: Float64Array;
  /** y at the start of the last accepted step, for its dense output. */
  y0c: Float64Array;
  result: StepResult;
}

/**
 * Linearly implicit Rosenbrock integrator for stiff circuits (parasitic poles 100–1000× faster than τ),
 * with the ROS3 tableau: order 3, error estimate of order 2, L-stable. Time enters as an extra state, so
 * the Jacobian includes ∂f/∂t; it is the system's analytic one where it has one (`OdeSystem.jacobian`),
 * else by forward differences (n + 1 evaluations of f). ROS3 is not a W-method: a stale Jacobian costs
 * its order (measured: half the steps rejected when J is reused for 3 steps), so every step evaluates J
 * afresh at its start point (a step retried after a rejection, from the same point, reuses it) and
 * factorises 1/(γh) I − J for its h. Dense output: cubic Hermite.
 */
export class Rosenbrock implements OdeSolver<RosenbrockState> {
  readonly name: string;
  readonly order: number;
  readonly errorOrder: number;
  private readonly floor: number;
  private readonly tooLargeHint: string;

  constructor(
    options: RosenbrockOptions = {},
    private readonly tab: RosenbrockTableau = ROS3,
  ) {
    this.name = tab.name;
    this.order = tab.order;
    this.errorOrder = tab.errorOrder;
    this.floor = options.perturbationFloor ?? 1e-3;
    this.tooLargeHint = options.tooLargeHint ?? 'use an explicit solver for large circuits';
  }

  init(sys: OdeSystem, stats: StepStats): RosenbrockState {
    const n = sys.size;
    const m = n + 1; // + time
    requireMemory(3 * 8 * m * m, `the Rosenbrock solver's dense ${m}×${m} Jacobian, its iteration matrix and LU factors (${this.tooLargeHint})`);
    const y1 = new Float64Array(n);
    return {
      stats,
      J: new Float64Array(m * m),
      jCurrent: false,
      lu: new DenseLu(m, new Float64Array(m * m)),
      f0: new Float64Array(n),
      f1: new Float64Array(n),
      fp: new Float64Array(n),
      K: Array.from({ length: this.tab.M.length }, () => new Float64Array(m)),
      yt: new Float64Array(n),
      y0c: new Float64Array(n),
      result: { y1, error: new Float64Array(n), failure: null },
    };
  }

  restart(sys: OdeSystem, t0: number, y0: Float64Array, st: RosenbrockState): IntegrationFailure | null {
    st.jCurrent = false;
    st.stats.rhsEvaluations++;
    return sys.rhs(t0, y0, st.f0) ?? null;
  }

  derivative(st: RosenbrockState): Float64Array {
    return st.f0;
  }

  step(sys: OdeSystem, t: number, y: Float64Array, h: number, st: RosenbrockState): StepResult {
    const res = st.result;
    res.failure = (st.jCurrent ? null : this.jacobian(sys, t, y, h, st)) ?? this.factor(t, h, st) ?? this.stages(sys, t, y, h, st);
    if (res.failure) return res;
    const { M, E } = this.tab;
    const { K } = st;
    const y1 = res.y1;
    const err = res.error!;
    for (let i = 0; i < y.length; i++) {
      let a = y[i]!;
      let e = 0;
      for (let s = 0; s < M.length; s++) {
        a += M[s]! * K[s]![i]!;
        e += E[s]! * K[s]![i]!;
      }
      y1[i] = a;
      err[i] = e;
    }
    return res;
  }

  accept(sys: OdeSystem, t: number, y: Float64Array, _h: number, t1: number, result: StepResult, st: RosenbrockState): Interpolant | IntegrationFailure {
    st.jCurrent = false;
    st.stats.rhsEvaluations++;
    const fail = sys.rhs(t1, result.y1, st.f1);
    if (fail) return fail;
    const { y0c, f0: f0c, f1, result: { y1 } } = st;
    st.f0 = f1;
    st.f1 = f0c;
    y0c.set(y);
    const n = y.length;
    const hh = t1 - t;
    return (tq, out) => {
      const s = (tq - t) / hh;
      const h00 = (1 + 2 * s) * (1 - s) ** 2;
      const h10 = s * (1 - s) ** 2;
      const h01 = s * s * (3 - 2 * s);
      const h11 = s * s * (s - 1);
      for (let i = 0; i < n; i++) out[i] = h00 * y0c[i]! + h10 * hh * f0c[i]! + h01 * y1[i]! + h11 * hh * f1[i]!;
    };
  }

  /** J = ∂(f, 1)/∂(y, t) at (t, y): the system's own (`OdeSystem.jacobian`) where it gives one, else by forward differences from f0 = f(t, y). */
  private jacobian(sys: OdeSystem, t: number, y: Float64Array, h: number, st: RosenbrockState): IntegrationFailure | null {
    const { J, f0, fp, yt } = st;
    const n = y.length;
    const m = n + 1;
    J.fill(0);
    if (sys.jacobian) {
      const got = sys.jacobian.evaluate(t, y, f0, J);
      if (typeof got !== 'boolean') return got;
      if (got) {
        st.stats.jacobians++;
        st.stats.analyticJacobians++;
        st.jCurrent = true;
        return null;
      }
    }
    for (let j = 0; j <= n; j++) {
      const isT = j === n;
      const base = isT ? t : y[j]!;
      const d = Math.sqrt(2.2e-16) * Math.max(Math.abs(base), isT ? Math.max(1e-3, Math.abs(h)) : this.floor);
      let fail;
      if (isT) fail = sys.rhs(t + d, y, fp);
      else {
        yt.set(y);
        yt[j] = base + d;
        fail = sys.rhs(t, yt, fp);
      }
      st.stats.rhsEvaluations++;
      if (fail) return fail;
      for (let i = 0; i < n; i++) J[i * m + j] = (fp[i]! - f0[i]!) / d;
    }
    st.stats.jacobians++;
    st.jCurrent = true;
    return null;
  }

  /** Factorises 1/(γh) I − J in place of the LU's matrix. */
  private factor(t: number, h: number, st: RosenbrockState): IntegrationFailure | null {
    const { J, lu } = st;
    const Wm = lu.a;
    const m = lu.n;
    for (let i = 0; i < m * m; i++) Wm[i] = -J[i]!;
    for (let i = 0; i < m; i++) Wm[i * m + i] = Wm[i * m + i]! + 1 / (this.tab.gamma * h);
    if (!lu.factor()) return { what: 'the Rosenbrock matrix 1/(γh) I − J is singular', timeMs: t };
    st.stats.factorisations++;
    return null;
  }

  /** The stage vectors K_s (time as the last entry). */
  private stages(sys: OdeSystem, t: number, y: Float64Array, h: number, st: RosenbrockState): IntegrationFailure | null {
    const { A, C } = this.tab;
    const { K, yt, fp, lu } = st;
    const n = y.length;
    for (let s = 0; s < K.length; s++) {
      const Ks = K[s]!;
      if (s === 0) {
        Ks.set(st.f0);
        Ks[n] = 1;
      } else {
        let ts = t;
        for (let i = 0; i < n; i++) {
          let acc = y[i]!;
          for (let j = 0; j < s; j++) if (A[s]![j]) acc += A[s]![j]! * K[j]![i]!;
          yt[i] = acc;
        }
        for (let j = 0; j < s; j++) if (A[s]![j]) ts += A[s]![j]! * K[j]![n]!;
        st.stats.rhsEvaluations++;
        const fail = sys.rhs(ts, yt, fp);
        if (fail) return fail;
        Ks.set(fp);
        Ks[n] = 1;
        for (let j = 0; j < s; j++) {
          const c = C[s]![j]! / h;
          for (let i = 0; i <= n; i++) Ks[i] = Ks[i]! + c * K[j]![i]!;
        }
      }
      lu.solve(Ks);
    }
    return null;
  }
}
