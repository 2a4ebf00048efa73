import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import type { Profile as HardwareProfile } from '../../hardware-models/profiles/profile.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { driveFor, layered583 } from '../../bench/kinks.js';

/**
 * The circuit's closed-form Jacobian (emulator/analog/circuit-jacobian.ts) against central differences
 * of the right-hand side at states reached mid-run, under the modes locked there, and ROS3 with it
 * against ROS3 with differenced Jacobians.
 */
function circuitAt(g: NlaGraph, profile: HardwareProfile, T: number, events: boolean, sliding = false) {
  // a state mid-run where no kink slides (or, asked for, where one does)
  for (let end = T; end < T + 60; end += 1.5) {
    const sim = new AnalogSimulator(modelFromCircuit(compileCircuit(g, profile, { seed: 5 })), { rtol: 1e-5, atol: 1e-8, events });
    sim.run({ durationMs: end, drive: driveFor(g, end + 10), probes: [], sampleEveryMs: 1 });
    if (!!sim.system.switching?.anySliding === sliding) return { sys: sim.system, y: Float64Array.from(sim.state!), t: end - 0.5 };
  }
  throw new Error(`no state ${sliding ? 'with' : 'without'} a slide`);
}

/** Largest entry error of the analytic J against central differences, relative to each row's largest entry. */
function jacobianError(g: NlaGraph, profile: HardwareProfile, events: boolean, sliding = false): { err: number; nonzero: number; analytic: boolean } {
  const { sys, y, t } = circuitAt(g, profile, 12, events, sliding);
  const n = sys.size;
  const f0 = new Float64Array(n);
  expect(sys.rhs(t, y, f0)).toBeNull();
  const J = new Float64Array(n * (n + 1));
  const got = sys.jacobian!.evaluate(t, y, f0, J);
  const fp = new Float64Array(n);
  const fm = new Float64Array(n);
  const yp = Float64Array.from(y);
  const D = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    // a sliding node's own coordinate has a one-sided second derivative (the blend weight is clamped on one side): O(h) there, so a smaller h
    const h = (sliding ? 1e-8 : 1e-6) * Math.max(1, Math.abs(y[j]!));
    yp.set(y);
    yp[j] = y[j]! + h;
    sys.rhs(t, yp, fp);
    yp[j] = y[j]! - h;
    sys.rhs(t, yp, fm);
    for (let i = 0; i < n; i++) D[i * n + j] = (fp[i]! - fm[i]!) / (2 * h);
  }
  let err = 0;
  let nonzero = 0;
  for (let i = 0; i < n; i++) {
    let scale = 1e-9;
    for (let j = 0; j < n; j++) scale = Math.max(scale, Math.abs(D[i * n + j]!));
    for (let j = 0; j < n; j++) {
      if (D[i * n + j] !== 0) nonzero++;
      err = Math.max(err, Math.abs(J[i * (n + 1) + j]! - D[i * n + j]!) / scale);
    }
  }
  return { err, nonzero, analytic: got === true };
}

const variant = (name: string, edit: (p: HardwareProfile) => void): HardwareProfile => {
  const p = structuredClone(BUILTIN_PROFILES[name]!);
  edit(p);
  return p;
};

describe('the circuit Jacobian in closed form (ROS3)', () => {
  const cases: Array<[string, NlaGraph, HardwareProfile]> = [
    ['opamp-board, 5-8-3 hard sigmoid with targets', layered583('hard-sigmoid'), variant('opamp-board', () => {})],
    ['opamp-board, logistic (ρ″ ≠ 0)', layered583('logistic'), variant('opamp-board', () => {})],
    ['accelerated without noise (rate swing 2), hard sigmoid', layered583('hard-sigmoid'), variant('accelerated', (p) => (p.noise = null))],
    ['opamp-board, random feedback B', layeredNetwork([5, 8, 3], { activation: 'logistic', seed: 3, beta: 0.2, init: { distribution: 'normal', std: 0.8 } }).feedback({ mode: 'random' }).build(), variant('opamp-board', () => {})],
    ['opamp-board, hard sigmoid, fixed error arrays, rate swing 0.4 (clipping), rails ±0.6 V', layered583('hard-sigmoid'), variant('opamp-board', (p) => {
      p.feedbackPlasticity = 'fixed';
      p.rateUnit = { ...p.rateUnit, maxRate: 0.4 } as typeof p.rateUnit;
      p.membrane = { ...p.membrane, railLowV: -0.6, railHighV: 0.6 };
    })],
  ];
  for (const [name, g, profile] of cases) {
    for (const events of [true, false]) {
      if (!events && name.includes('hard sigmoid')) continue; // unlocked kinks stall an implicit solver at tight tolerances: only the locked form is run
      it(`${name}, kinks ${events ? 'locked' : 'free'}: equals central differences to 1e-6 of each row's scale`, () => {
        const { err, nonzero, analytic } = jacobianError(g, profile, events);
        expect(analytic).toBe(true);
        expect(nonzero).toBeGreaterThan(50);
        expect(err).toBeLessThan(1e-6);
      });
    }
  }

  it('with a neuron sliding on its kink (Filippov’s field, its weight a function of y): equals central differences to 1e-6', () => {
    const { err, nonzero, analytic } = jacobianError(layered583('hard-sigmoid'), variant('opamp-board', () => {}), true, true);
    expect(analytic).toBe(true);
    expect(nonzero).toBeGreaterThan(50);
    expect(err).toBeLessThan(1e-6);
  });

  it('is not offered where the form is not covered (exact units, learning): those difference f', () => {
    const g = layered583('hard-sigmoid');
    const ideal = new AnalogSimulator(modelFromCircuit(compileCircuit(g, structuredClone(BUILTIN_PROFILES.ideal!))));
    expect(ideal.system.jacobian).toBeNull();
    const learning = new AnalogSimulator(modelFromCircuit(compileCircuit(g, structuredClone(BUILTIN_PROFILES['opamp-board']!))), { learn: true });
    expect(learning.system.jacobian).toBeNull();
  });

  it('ROS3 with it: the same trajectory as with differenced Jacobians (to the tolerance), no evaluations of f spent per column', () => {
    const g = layered583('hard-sigmoid');
    const run = (analytic: boolean) => {
      const sim = new AnalogSimulator(modelFromCircuit(compileCircuit(g, structuredClone(BUILTIN_PROFILES['opamp-board']!), { seed: 5 })), { solver: 'rosenbrock', rtol: 1e-6, atol: 1e-9 });
      if (!analytic) (sim.system as { jacobian: unknown }).jacobian = null;
      const r = sim.run({ durationMs: 40, drive: driveFor(g, 40), probes: [], sampleEveryMs: 1 });
      return { y: Float64Array.from(sim.state!), stats: r.summary.stats };
    };
    const a = run(true);
    const d = run(false);
    let dev = 0;
    for (let i = 0; i < 8 + 3; i++) dev = Math.max(dev, Math.abs(a.y[i]! - d.y[i]!));
    expect(dev).toBeLessThan(1e-3);
    expect(a.stats.analyticJacobians).toBe(a.stats.jacobians);
    expect(d.stats.analyticJacobians).toBe(0);
    // differences spend n + 1 evaluations per Jacobian; the closed form two (the state and the t column)
    expect(a.stats.rhsEvaluations).toBeLessThan(d.stats.rhsEvaluations / 2);
  });
});
