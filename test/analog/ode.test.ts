import { describe, expect, it } from 'vitest';
import { Dopri5 } from '../../emulator/analog/ode/dopri5.js';
import type { OdeSolver, OdeSystem } from '../../emulator/analog/ode/ode.js';
import { Rosenbrock } from '../../emulator/analog/ode/rosenbrock.js';

/** y1' = −y1 + sin(t), y2' = y1 − 0.5 y2: closed form below (nonautonomous, two time scales). */
const sys: OdeSystem = {
  size: 2,
  rhs(t, y, dy) {
    dy[0] = -y[0]! + Math.sin(t);
    dy[1] = y[0]! - 0.5 * y[1]!;
  },
  componentName: (i) => `y${i}`,
};
// y1 = (sin t − cos t)/2 + (3/2) e^{−t} for y1(0) = 1
const y1 = (t: number) => (Math.sin(t) - Math.cos(t)) / 2 + 1.5 * Math.exp(-t);
// y2 by numerical quadrature-free closed form: solve y2' + y2/2 = y1 with y2(0) = 0
const y2 = (t: number) => {
  // particular parts for sin, cos and e^{−t} terms
  const a = 1 / 2; // y2' + a y2
  // for sin(t)/2 − cos(t)/2: y_p = A sin + B cos with A = (a/2 + 1/2)/(1 + a²), B = (−a/2 + 1/2)/(1 + a²) up to signs
  const s = (t0: number) => {
    // solve A,B: (−B + aA) = 1/2 (sin coefficient), (A + aB) = −1/2 (cos coefficient)
    const det = a * a + 1;
    const A = (a * 0.5 - 0.5) / det;
    const B = (-0.5 - a * 0.5) / det;
    return A * Math.sin(t0) + B * Math.cos(t0);
  };
  const e = (t0: number) => (1.5 / (a - 1)) * Math.exp(-t0); // for 1.5 e^{−t}
  const c = -(s(0) + e(0));
  return s(t) + e(t) + c * Math.exp(-a * t);
};

function globalError(solver: OdeSolver, rtol: number): { err: number; steps: number } {
  const y = new Float64Array([1, 0]);
  solver.reset();
  solver.stats = { accepted: 0, rejected: 0, rhsEvaluations: 0, jacobians: 0, factorisations: 0 };
  const fail = solver.integrate(sys, 0, y, 5, { rtol, atol: rtol * 1e-3, hMax: Infinity }, () => {});
  expect(fail).toBeNull();
  return { err: Math.max(Math.abs(y[0]! - y1(5)), Math.abs(y[1]! - y2(5))), steps: solver.stats.accepted };
}

describe('continuous-time solvers against closed forms', () => {
  it('the reference solution is right (finite-difference check of the ODE)', () => {
    for (const t of [0.3, 1.7, 4.2]) {
      const h = 1e-5;
      expect((y2(t + h) - y2(t - h)) / (2 * h)).toBeCloseTo(y1(t) - 0.5 * y2(t), 8);
      expect((y1(t + h) - y1(t - h)) / (2 * h)).toBeCloseTo(-y1(t) + Math.sin(t), 8);
    }
  });

  for (const [solver, order] of [
    [new Dopri5(), 5],
    [new Rosenbrock(1), 3],
  ] as const) {
    it(`${solver.name}: error falls with tolerance at the rate of its order (${order})`, () => {
      const a = globalError(solver, 1e-5);
      const b = globalError(solver, 1e-8);
      expect(b.err).toBeLessThan(a.err);
      // for an order-p method the steps needed grow as tol^(−1/(p+1))·…: compare the error per step count
      const measured = Math.log(a.err / b.err) / Math.log(b.steps / a.steps);
      expect(measured).toBeGreaterThan(order - 0.6);
      expect(b.err).toBeLessThan(1e-6);
    });
  }

  it('dopri5 dense output is accurate between steps', () => {
    const y = new Float64Array([1, 0]);
    const s = new Dopri5();
    const out = new Float64Array(2);
    let worst = 0;
    s.integrate(sys, 0, y, 5, { rtol: 1e-9, atol: 1e-12, hMax: Infinity }, (a, b, interp) => {
      for (const f of [0.25, 0.5, 0.75]) {
        const t = a + f * (b - a);
        interp(t, out);
        worst = Math.max(worst, Math.abs(out[0]! - y1(t)), Math.abs(out[1]! - y2(t)));
      }
    });
    expect(worst).toBeLessThan(1e-8);
  });

  it('a stiff system (pole 1000× faster): ROS2 needs far fewer steps than DOPRI5 for the same accuracy', () => {
    const eps = 1e-3;
    const stiff: OdeSystem = {
      size: 2,
      rhs(t, y, dy) {
        dy[0] = -y[0]! + Math.sin(t);
        dy[1] = (y[0]! - y[1]!) / eps; // fast follower
      },
      componentName: (i) => `y${i}`,
    };
    const run = (s: OdeSolver) => {
      const y = new Float64Array([1, 1]);
      s.integrate(stiff, 0, y, 10, { rtol: 1e-4, atol: 1e-7, hMax: Infinity }, () => {});
      return { y0: y[0]!, steps: s.stats.accepted + s.stats.rejected };
    };
    const d = run(new Dopri5());
    const r = run(new Rosenbrock());
    expect(Math.abs(d.y0 - y1(10))).toBeLessThan(1e-3);
    expect(Math.abs(r.y0 - y1(10))).toBeLessThan(1e-3);
    expect(r.steps * 10).toBeLessThan(d.steps);
  });
});
