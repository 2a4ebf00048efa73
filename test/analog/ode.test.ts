import { describe, expect, it } from 'vitest';
import { NumericalError, UsageError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { ConstantStep, PIController } from '../../emulator/analog/ode/controller.js';
import { EulerMaruyama, type BrownianMotion } from '../../emulator/analog/ode/euler-maruyama.js';
import { Integrator } from '../../emulator/analog/ode/integrate.js';
import type { IntegrationFailure, OdeSystem } from '../../emulator/analog/ode/ode.js';
import { createIntegrator, failureHint, ODE_SOLVER_FLAG, SOLVER_CHOICES, SOLVER_NAMES, solverEntry, solverHelp, type SolverName } from '../../emulator/analog/ode/registry.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { FunctionSignal } from '../../emulator/stimulus/signal.js';

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
// y2 solves y2' + y2/2 = y1 with y2(0) = 0: a particular part A sin + B cos, one for 1.5 e^{−t}, and the homogeneous e^{−t/2}
const y2 = (t: number) => {
  const a = 1 / 2;
  const det = a * a + 1;
  const s = (x: number) => ((a * 0.5 - 0.5) / det) * Math.sin(x) + ((-0.5 - a * 0.5) / det) * Math.cos(x);
  const e = (x: number) => (1.5 / (a - 1)) * Math.exp(-x);
  return s(t) + e(t) - (s(0) + e(0)) * Math.exp(-a * t);
};

/** Least-squares slope of log e against log h, and its standard error from the relative errors of e (rel[k] = se_k/e_k). */
function slope(h: number[], e: number[], rel: number[] = h.map(() => 0)): { p: number; se: number } {
  const x = h.map(Math.log);
  const z = e.map(Math.log);
  const mx = x.reduce((s, v) => s + v, 0) / x.length;
  const sxx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
  const w = x.map((v) => (v - mx) / sxx);
  return { p: w.reduce((s, wk, k) => s + wk * z[k]!, 0), se: Math.sqrt(w.reduce((s, wk, k) => s + (wk * rel[k]!) ** 2, 0)) };
}

/** Global error at T = 5 with n fixed steps of the registered solver `name` (its solver, under a ConstantStep controller). */
function fixedStepError(name: SolverName, n: number): number {
  const ig = new Integrator(solverEntry(name).solver({ seed: 1 }), new ConstantStep(5 / n));
  const y = new Float64Array([1, 0]);
  expect(ig.integrate(sys, 0, y, 5)).toBeNull();
  expect(ig.stats.accepted).toBe(n);
  return Math.max(Math.abs(y[0]! - y1(5)), Math.abs(y[1]! - y2(5)));
}

describe('every registered solver converges at its order (fixed steps, closed-form solution)', () => {
  it('the reference solution is right (finite-difference check of the ODE)', () => {
    for (const t of [0.3, 1.7, 4.2]) {
      const h = 1e-5;
      expect((y2(t + h) - y2(t - h)) / (2 * h)).toBeCloseTo(y1(t) - 0.5 * y2(t), 8);
      expect((y1(t + h) - y1(t - h)) / (2 * h)).toBeCloseTo(-y1(t) + Math.sin(t), 8);
    }
  });

  // step counts where the error is asymptotic and well above rounding (order 5 at 80 steps: ~1e-10)
  const steps: Record<number, number[]> = { 1: [200, 400, 800, 1600], 3: [20, 40, 80, 160], 5: [10, 20, 40, 80] };
  for (const name of SOLVER_NAMES) {
    const { order } = solverEntry(name);
    it(`${name}: the global error falls as h^${order} (slope over 4 step sizes within ±0.3)`, () => {
      const ns = steps[order]!;
      const errors = ns.map((n) => fixedStepError(name, n));
      const { p } = slope(ns.map((n) => 5 / n), errors);
      console.log(`${name}: errors ${errors.map((e) => e.toExponential(2)).join(', ')} at ${ns.join(', ')} steps; measured order ${p.toFixed(3)}`);
      expect(Math.abs(p - order)).toBeLessThan(0.3);
    });
  }
});

/**
 * An Ornstein–Uhlenbeck process dX = −θX dt + σ dW, X(0) = x0, M independent paths as M components.
 * The Brownian path is drawn on the finest grid hf together with the exact stochastic integrals
 * I_j = ∫ e^{−θ(t_{j+1} − s)} dW(s) over each cell ((ΔW_j, I_j) jointly Gaussian: Var ΔW = hf,
 * Cov = (1 − e^{−θhf})/θ, Var I = (1 − e^{−2θhf})/(2θ)), so X(T) = e^{−θT} x0 + σ Σ e^{−θ(T − t_{j+1})} I_j is
 * the exact solution on that very path, and Euler–Maruyama at any step that is a multiple of hf is driven
 * by the same path (sums of the ΔW_j).
 */
function ouPaths(M: number, cells: number, T: number, theta: number, sigma: number, x0: number, seed: number) {
  const hf = T / cells;
  const rng = new Rng(seed);
  const W = Array.from({ length: M }, () => new Float64Array(cells + 1));
  const exact = new Float64Array(M);
  const c = (1 - Math.exp(-theta * hf)) / theta;
  const v = (1 - Math.exp(-2 * theta * hf)) / (2 * theta);
  for (let i = 0; i < M; i++) {
    let x = x0;
    for (let j = 0; j < cells; j++) {
      const dW = Math.sqrt(hf) * rng.normal();
      const I = (c / hf) * dW + Math.sqrt(v - (c * c) / hf) * rng.normal();
      W[i]![j + 1] = W[i]![j]! + dW;
      x = Math.exp(-theta * hf) * x + sigma * I;
    }
    exact[i] = x;
  }
  const path: BrownianMotion = {
    normal: (i, t, h) => (W[i]![Math.round((t + h) / hf)]! - W[i]![Math.round(t / hf)]!) / Math.sqrt(h),
  };
  const system: OdeSystem = {
    size: M,
    rhs: (_t, y, dy) => {
      for (let i = 0; i < M; i++) dy[i] = -theta * y[i]!;
    },
    noiseScale: () => sigma,
    componentName: (i) => `path ${i}`,
  };
  const em = (n: number): Float64Array => {
    const y = new Float64Array(M).fill(x0);
    const fail = new Integrator(new EulerMaruyama(() => path), new ConstantStep(T / n)).integrate(system, 0, y, T);
    expect(fail).toBeNull();
    return y;
  };
  return { exact, em };
}

const meanSe = (d: number[]) => {
  const m = d.reduce((s, x) => s + x, 0) / d.length;
  const v = d.reduce((s, x) => s + (x - m) ** 2, 0) / (d.length - 1);
  return { m, se: Math.sqrt(v / d.length) };
};

describe('Euler–Maruyama on an Ornstein–Uhlenbeck process: strong and weak order against the exact solution', () => {
  // seed 11, M = 20 000 paths, θ = 1, σ = 1, x0 = 1, T = 1, steps T/8 … T/64 on a path drawn at T/64
  const [M, T, theta, sigma, x0] = [20_000, 1, 1, 1, 1];
  const ns = [8, 16, 32, 64];
  const { exact, em } = ouPaths(M, 64, T, theta, sigma, x0, 11);
  const runs = ns.map(em);
  const hs = ns.map((n) => T / n);
  const entry = solverEntry('euler-maruyama');

  it('the exact paths have the exact moments: E X(T) = e^{−θT} x0, Var X(T) = σ²(1 − e^{−2θT})/(2θ), within 5 standard errors', () => {
    const mean = meanSe(Array.from(exact));
    const m = Math.exp(-theta * T) * x0;
    const v = (sigma * sigma * (1 - Math.exp(-2 * theta * T))) / (2 * theta);
    expect(Math.abs(mean.m - m)).toBeLessThan(5 * mean.se);
    const sq = meanSe(Array.from(exact, (x) => (x - m) ** 2));
    expect(Math.abs(sq.m - v)).toBeLessThan(5 * sq.se);
  });

  it(`strong error E|X_h(T) − X(T)| on the same path: order ≥ ${entry.strongOrder} (registry), 1 ± 0.3 for additive noise`, () => {
    const est = runs.map((y) => meanSe(Array.from(y, (v, i) => Math.abs(v - exact[i]!))));
    const { p, se } = slope(hs, est.map((e) => e.m), est.map((e) => e.se / e.m));
    console.log(`euler-maruyama strong errors ${est.map((e) => e.m.toExponential(3)).join(', ')} at h = T/${ns.join(', T/')}: order ${p.toFixed(3)} ± ${se.toFixed(3)}`);
    // the sampling error must not decide the outcome: 5 standard errors of the slope fit inside the band
    expect(5 * se).toBeLessThan(0.1);
    // with additive noise (all that OdeSystem.noiseScale expresses) Euler–Maruyama coincides with Milstein: strong order 1
    expect(Math.abs(p - 1)).toBeLessThan(0.3);
    expect(p).toBeGreaterThan(entry.strongOrder! - 0.3);
  });

  it(`weak error E[X_h(T)²] − E[X(T)²] (common random numbers): order ${entry.weakOrder} ± 0.3`, () => {
    // the difference of f over the same paths has the weak error as its mean and a standard error that falls with h
    const est = runs.map((y) => meanSe(Array.from(y, (v, i) => v * v - exact[i]! * exact[i]!)));
    const { p, se } = slope(hs, est.map((e) => Math.abs(e.m)), est.map((e) => e.se / Math.abs(e.m)));
    console.log(`euler-maruyama weak errors ${est.map((e) => e.m.toExponential(3)).join(', ')} at h = T/${ns.join(', T/')}: order ${p.toFixed(3)} ± ${se.toFixed(3)}`);
    expect(5 * se).toBeLessThan(0.1);
    expect(Math.abs(p - entry.weakOrder!)).toBeLessThan(0.3);
    // and against the exact second moment: EM's E X_h² = a^{2n} x0² + σ²h(1 − a^{2n})/(1 − a²), a = 1 − θh, within 5 standard errors
    ns.forEach((n, k) => {
      const h = T / n;
      const a = 1 - theta * h;
      const emMoment = a ** (2 * n) * x0 * x0 + (sigma * sigma * h * (1 - a ** (2 * n))) / (1 - a * a);
      const exactMoment = Math.exp(-2 * theta * T) * x0 * x0 + (sigma * sigma * (1 - Math.exp(-2 * theta * T))) / (2 * theta);
      const sq = meanSe(Array.from(runs[k]!, (v) => v * v));
      expect(Math.abs(sq.m - emMoment)).toBeLessThan(5 * sq.se);
      expect(Math.abs(emMoment - exactMoment - est[k]!.m)).toBeLessThan(5 * est[k]!.se + 5 * sq.se);
    });
  });
});

describe('adaptive control', () => {
  function adaptiveRun(name: SolverName, rtol: number) {
    const ig = createIntegrator(name, { rtol, atol: rtol * 1e-3 });
    const y = new Float64Array([1, 0]);
    expect(ig.integrate(sys, 0, y, 5)).toBeNull();
    return { err: Math.max(Math.abs(y[0]! - y1(5)), Math.abs(y[1]! - y2(5))), steps: ig.stats.accepted };
  }

  for (const name of SOLVER_NAMES.filter((n) => solverEntry(n).stepControl === 'adaptive')) {
    const { order } = solverEntry(name);
    it(`${name}: the error falls with the tolerance at the rate of its order (${order}) per step taken`, () => {
      const a = adaptiveRun(name, 1e-5);
      const b = adaptiveRun(name, 1e-8);
      expect(b.err).toBeLessThan(a.err);
      expect(Math.log(a.err / b.err) / Math.log(b.steps / a.steps)).toBeGreaterThan(order - 0.6);
      expect(b.err).toBeLessThan(1e-6);
    });
  }

  it('a PI controller (β2 > 0) meets the tolerance too', () => {
    const solver = solverEntry('dopri5').solver({});
    const ig = new Integrator(solver, new PIController({ rtol: 1e-8, atol: 1e-11, beta1: 0.7 / 5, beta2: 0.4 / 5 }));
    const y = new Float64Array([1, 0]);
    expect(ig.integrate(sys, 0, y, 5)).toBeNull();
    expect(Math.abs(y[0]! - y1(5))).toBeLessThan(1e-6);
  });

  it('dopri5 dense output is accurate between steps', () => {
    const y = new Float64Array([1, 0]);
    const out = new Float64Array(2);
    let worst = 0;
    createIntegrator('dopri5', { rtol: 1e-9, atol: 1e-12 }).integrate(sys, 0, y, 5, (a, b, interp) => {
      for (const f of [0.25, 0.5, 0.75]) {
        const t = a + f * (b - a);
        interp(t, out);
        worst = Math.max(worst, Math.abs(out[0]! - y1(t)), Math.abs(out[1]! - y2(t)));
      }
    });
    expect(worst).toBeLessThan(1e-8);
  });

  it('a stiff system (pole 1000× faster): rosenbrock needs far fewer steps than dopri5 for the same accuracy', () => {
    const stiff: OdeSystem = {
      size: 2,
      rhs(t, y, dy) {
        dy[0] = -y[0]! + Math.sin(t);
        dy[1] = (y[0]! - y[1]!) / 1e-3; // fast follower
      },
      componentName: (i) => `y${i}`,
    };
    const run = (name: SolverName) => {
      const ig = createIntegrator(name, { rtol: 1e-4, atol: 1e-7 });
      const y = new Float64Array([1, 1]);
      ig.integrate(stiff, 0, y, 10);
      return { y0: y[0]!, steps: ig.stats.accepted + ig.stats.rejected };
    };
    const d = run('dopri5');
    const r = run('rosenbrock');
    expect(Math.abs(d.y0 - y1(10))).toBeLessThan(1e-3);
    expect(Math.abs(r.y0 - y1(10))).toBeLessThan(1e-3);
    expect(r.steps * 10).toBeLessThan(d.steps);
  });
});

describe('failures are values: from the right-hand side, the state, the step callback', () => {
  for (const name of SOLVER_NAMES) {
    it(`${name}: a failure returned by the right-hand side comes back with its time and component`, () => {
      const failing: OdeSystem = {
        size: 2,
        rhs(t, y, dy): IntegrationFailure | null {
          if (t > 0.3) return { what: 'the linear solve failed', timeMs: t, component: 'y1' };
          return sys.rhs(t, y, dy) ?? null;
        },
        componentName: (i) => `y${i}`,
      };
      const y = new Float64Array([1, 0]);
      const fail = createIntegrator(name, { rtol: 1e-6, atol: 1e-9, dt: 0.01, seed: 1 }).integrate(failing, 0, y, 1);
      expect(fail).toMatchObject({ what: 'the linear solve failed', component: 'y1' });
      expect(fail!.timeMs).toBeGreaterThan(0.3);
      expect(fail!.timeMs).toBeLessThan(0.4);
    });

    it(`${name}: a state that turns non-finite is reported with the time and the component`, () => {
      const nan: OdeSystem = {
        size: 2,
        rhs(t, y, dy) {
          dy[0] = -y[0]!;
          dy[1] = t > 0.5 ? NaN : 1;
        },
        componentName: (i) => `y${i}`,
      };
      const fail = createIntegrator(name, { rtol: 1e-6, atol: 1e-9, dt: 0.01, seed: 1 }).integrate(nan, 0, new Float64Array([1, 0]), 1);
      expect(fail).toMatchObject({ what: 'the state became non-finite', component: 'y1' });
      expect(Math.abs(fail!.timeMs - 0.5)).toBeLessThan(0.05); // the start of the step that met it
    });
  }

  for (const name of SOLVER_NAMES) {
    it(`${name}: a segment within rounding of its start (two breakpoints 9e-16 apart) is one short step, not a collapse`, () => {
      const ig = createIntegrator(name, { dt: 0.04, seed: 1 });
      const y = new Float64Array([1, 0]);
      expect(ig.integrate(sys, 0, y, 5 - 8.881784197001252e-16)).toBeNull();
      expect(ig.integrate(sys, 5 - 8.881784197001252e-16, y, 5)).toBeNull();
      expect(Number.isFinite(y[0]!)).toBe(true);
    });
  }

  it('an onStep callback ends the integration with its failure', () => {
    const y = new Float64Array([1, 0]);
    const fail = createIntegrator('dopri5').integrate(sys, 0, y, 5, (_a, b) => (b > 1 ? { what: 'stop', timeMs: b } : null));
    expect(fail!.what).toBe('stop');
    expect(fail!.timeMs).toBeGreaterThan(1);
  });

});

describe('the simulator turns every failure into a NumericalError with its time', () => {
  const g = layeredNetwork([2, 3, 2], { activation: 'logistic', seed: 2, beta: 0.2, init: { distribution: 'normal', std: 0.5 } }).build();
  const model = () => modelFromCircuit(compileCircuit(g, structuredClone(BUILTIN_PROFILES.ideal!), { seed: 1 }));
  const drive = () => new SignalDrive(new FunctionSignal(2, (t, c) => 0.3 + 0.1 * Math.sin(t / 5 + c)));

  it('the simulator turns a right-hand-side failure into a NumericalError at its time (not NaN), with the registry hint', () => {
    const sim = new AnalogSimulator(model(), { solver: 'dopri5' });
    const rhs = sim.system.rhs.bind(sim.system);
    sim.system.rhs = (t, y, dy) => (t > 12.5 ? { what: 'the NLA solve failed', timeMs: t } : rhs(t, y, dy));
    let err: unknown;
    try {
      sim.run({ durationMs: 30, drive: drive() });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NumericalError);
    const n = err as NumericalError;
    expect(n.what).toBe('the NLA solve failed');
    expect(n.timeMs).toBeGreaterThan(12.5);
    expect(n.timeMs).toBeLessThan(15);
    expect(n.hint).toBe(failureHint('dopri5'));
    expect(n.hint).toContain(`${ODE_SOLVER_FLAG} rosenbrock`);
  });

  it('a failed equilibrium solve is a NumericalError at the run’s start time (it was NaN)', () => {
    // with a target the forward sweeps leave f ≠ 0, so the Newton iteration solves (and here fails)
    const sim = new AnalogSimulator(model(), { init: 'equilibrium' });
    sim.tMs = 5;
    sim.system.eq.direct = { solve: () => ({ what: 'the matrix is singular' }) } as unknown as typeof sim.system.eq.direct;
    const targets = new FunctionSignal(2, (_t, c) => 0.2 + 0.1 * c);
    expect(() => sim.run({ durationMs: 1, drive: new SignalDrive(new FunctionSignal(2, () => 0.3), targets) })).toThrow(expect.objectContaining({ name: 'NumericalError', what: 'the matrix is singular', timeMs: 5 }));
  });

  it('a divergence is a NumericalError at the step where |u| passed the limit, naming the neuron', () => {
    const sim = new AnalogSimulator(model(), { solver: 'rosenbrock', divergenceLimit: 0.05 });
    let err: NumericalError | null = null;
    try {
      sim.run({ durationMs: 50, drive: drive() });
    } catch (e) {
      err = e as NumericalError;
    }
    expect(err).toBeInstanceOf(NumericalError);
    expect(err!.what).toMatch(/^divergence: \|u\| = .* exceeds 0.05$/);
    expect(err!.timeMs).toBeGreaterThan(0);
    expect(err!.neuron).toMatch(/^(h1|out)\[\d\]$/);
  });
});

describe('the solver registry feeds the simulator, the CLI help and the hints; options that do not apply are refused', () => {
  it('every registered name is in the help text and the choices; hints name the real flag', () => {
    for (const n of SOLVER_NAMES) expect(solverHelp()).toContain(n);
    expect(SOLVER_CHOICES).toEqual(['auto', ...SOLVER_NAMES]);
    for (const n of SOLVER_NAMES) expect(failureHint(n)).not.toMatch(/--solver\b/);
  });

  const g = layeredNetwork([2, 3, 2], { activation: 'logistic', seed: 2, beta: 0.2, init: { distribution: 'normal', std: 0.5 } }).build();
  const ideal = () => modelFromCircuit(compileCircuit(g, structuredClone(BUILTIN_PROFILES.ideal!), { seed: 1 }));
  const noisy = () => modelFromCircuit(compileCircuit(g, validateProfile({ format: 'nla-profile/1', name: 'n', extends: 'accelerated' }), { seed: 1 }));

  it('a named adaptive solver refuses --sde-step and the seed; the fixed-step one refuses --rtol/--atol', () => {
    expect(() => new AnalogSimulator(ideal(), { solver: 'dopri5', dtMs: 0.01 })).toThrow(new UsageError(`--sde-step does not apply to ${ODE_SOLVER_FLAG} dopri5 (adaptive steps; it takes --rtol, --atol)`));
    expect(() => new AnalogSimulator(ideal(), { solver: 'rosenbrock', noiseSeed: 3 })).toThrow(/^the option noiseSeed does not apply to --ode-solver rosenbrock/);
    expect(() => new AnalogSimulator(noisy(), { solver: 'euler-maruyama', rtol: 1e-6 })).toThrow(new UsageError(`--rtol does not apply to ${ODE_SOLVER_FLAG} euler-maruyama (fixed steps; it takes --sde-step)`));
    expect(() => new AnalogSimulator(ideal(), { solver: 'ros3' as SolverName })).toThrow(`${ODE_SOLVER_FLAG}: expected one of ${SOLVER_CHOICES.join(', ')}, got 'ros3'`);
    expect(() => new AnalogSimulator(noisy(), { solver: 'dopri5' })).toThrow(`use the stochastic solver (${ODE_SOLVER_FLAG} euler-maruyama), not dopri5`);
  });

  it('auto offers the options to the solver it picks, and the summary names it as the registry does', () => {
    const a = new AnalogSimulator(ideal(), { dtMs: 0.01, rtol: 1e-7 });
    expect(a.solverName).toBe('dopri5');
    const s = a.run({ durationMs: 2, drive: new SignalDrive(new FunctionSignal(2, () => 0.3)) }).summary;
    expect(s).toMatchObject({ solver: 'dopri5', solverMethod: solverEntry('dopri5').description, stepControl: 'rtol 1e-7, atol 1e-9', rtol: 1e-7 });
    const b = new AnalogSimulator(noisy(), { rtol: 1e-7, dtMs: 0.002 });
    expect(b.solverName).toBe('euler-maruyama');
    const sb = b.run({ durationMs: 0.01, drive: new SignalDrive(new FunctionSignal(2, () => 0.3)) }).summary;
    expect(sb).toMatchObject({ solver: 'euler-maruyama', stepControl: 'fixed step 0.002 ms, noise seed 1', rtol: null, atol: null, steps: 5 });
  });
});

describe('ROS3 takes the system’s analytic Jacobian where it has one', () => {
  /** A stiff pair y0' = −1000 (y0 − cos t), y1' = y0 − y1 + t, with ∂f/∂(y, t) written out. */
  const stiff = (analytic: boolean): OdeSystem => ({
    size: 2,
    rhs(t, y, dy) {
      dy[0] = -1000 * (y[0]! - Math.cos(t));
      dy[1] = y[0]! - y[1]! + t;
    },
    componentName: (i) => `y${i}`,
    jacobian: analytic
      ? {
          evaluate(t, _y, _f0, J) {
            // rows of (n + 1) = 3: ∂/∂y0, ∂/∂y1, ∂/∂t
            J.set([-1000, 0, -1000 * Math.sin(t), 1, -1, 1]);
            return true;
          },
        }
      : null,
  });
  it('same solution as with finite differences (to the tolerance), no evaluations of f spent on J', () => {
    const run = (analytic: boolean) => {
      const ig = createIntegrator('rosenbrock', { rtol: 1e-6, atol: 1e-9 });
      const y = new Float64Array([1, 0]);
      expect(ig.integrate(stiff(analytic), 0, y, 2)).toBeNull();
      return { y, stats: ig.stats };
    };
    const a = run(true);
    const fd = run(false);
    expect(Math.abs(a.y[0]! - fd.y[0]!)).toBeLessThan(1e-6);
    expect(Math.abs(a.y[1]! - fd.y[1]!)).toBeLessThan(1e-6);
    // f: 2 stages + 1 at acceptance per step (+ restarts); differences add n + 1 = 3 per Jacobian
    expect(fd.stats.rhsEvaluations).toBeGreaterThan(a.stats.rhsEvaluations + 2 * a.stats.jacobians);
    expect(a.stats.jacobians).toBeGreaterThan(0);
  });
});
