import type { IntegrationFailure, Interpolant, OdeSolver, OdeSystem, StepResult, StepStats } from './ode.js';
import { DOPRI5, type ButcherTableau } from './tableaus.js';

interface Dopri5State {
  stats: StepStats;
  /** Stage derivatives; k[0] = f(t, y) of the committed point (first same as last). */
  k: Float64Array[];
  yt: Float64Array;
  err: Float64Array;
  /** Coefficients of the last accepted step's dense output. */
  r: Float64Array[];
  result: StepResult;
}

/**
 * Explicit adaptive Runge–Kutta pair of orders 5 and 4 (local extrapolation: the 5th-order solution is
 * kept), first-same-as-last, with Hairer's continuous extension of order 4 for output at any time. The
 * step size is the controller's (controller.ts); the tableau is data (tableaus.ts).
 */
export class Dopri5 implements OdeSolver<Dopri5State> {
  readonly name: string;
  readonly order: number;
  readonly errorOrder: number;

  constructor(private readonly tab: ButcherTableau = DOPRI5) {
    this.name = tab.name;
    this.order = tab.order;
    this.errorOrder = tab.errorOrder;
  }

  init(sys: OdeSystem, stats: StepStats): Dopri5State {
    const n = sys.size;
    const S = this.tab.c.length;
    const yt = new Float64Array(n);
    const err = new Float64Array(n);
    return {
      stats,
      k: Array.from({ length: S }, () => new Float64Array(n)),
      yt,
      err,
      r: Array.from({ length: 5 }, () => new Float64Array(n)),
      result: { y1: yt, error: err, failure: null },
    };
  }

  restart(sys: OdeSystem, t0: number, y0: Float64Array, st: Dopri5State): IntegrationFailure | null {
    st.stats.rhsEvaluations++;
    return sys.rhs(t0, y0, st.k[0]!) ?? null;
  }

  derivative(st: Dopri5State): Float64Array {
    return st.k[0]!;
  }

  step(sys: OdeSystem, t: number, y: Float64Array, h: number, st: Dopri5State): StepResult {
    const { c: C, a: A, e: E } = this.tab;
    const { k, yt, err } = st;
    const n = sys.size;
    const S = C.length;
    st.result.failure = null;
    for (let s = 1; s < S; s++) {
      const a = A[s]!;
      for (let i = 0; i < n; i++) {
        let acc = y[i]!;
        for (let j = 0; j < s; j++) if (a[j]) acc += h * a[j]! * k[j]![i]!;
        yt[i] = acc;
      }
      const fail = sys.rhs(t + C[s]! * h, yt, k[s]!);
      if (fail) {
        st.stats.rhsEvaluations += s;
        st.result.failure = fail;
        return st.result;
      }
    }
    st.stats.rhsEvaluations += S - 1;
    // the last stage is evaluated at the 5th-order solution: yt is y1
    for (let i = 0; i < n; i++) {
      let e = 0;
      for (let j = 0; j < S; j++) if (E[j]) e += E[j]! * k[j]![i]!;
      err[i] = h * e;
    }
    return st.result;
  }

  accept(_sys: OdeSystem, t: number, y: Float64Array, h: number, _t1: number, result: StepResult, st: Dopri5State): Interpolant {
    const D = this.tab.d;
    const { k, r } = st;
    const y1 = result.y1;
    const n = y.length;
    const last = k.length - 1;
    // dense output coefficients (Hairer's contd5)
    for (let i = 0; i < n; i++) {
      const ydiff = y1[i]! - y[i]!;
      const bspl = h * k[0]![i]! - ydiff;
      r[0]![i] = y[i]!;
      r[1]![i] = ydiff;
      r[2]![i] = bspl;
      r[3]![i] = ydiff - h * k[last]![i]! - bspl;
      let d = 0;
      for (let j = 0; j <= last; j++) if (D[j]) d += D[j]! * k[j]![i]!;
      r[4]![i] = h * d;
    }
    k[0]!.set(k[last]!);
    return (tq, out) => {
      const th = (tq - t) / h;
      const th1 = 1 - th;
      for (let i = 0; i < n; i++) out[i] = r[0]![i]! + th * (r[1]![i]! + th1 * (r[2]![i]! + th * (r[3]![i]! + th1 * r[4]![i]!)));
    };
  }
}
