import { describe, expect, it } from 'vitest';
import { layeredNetwork, network } from '../../compiler/spec/builder.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import type { DigitalOptions } from '../../emulator/digital/options.js';
import { drive, maxAbsDiff, run } from '../helpers.js';

/** Theory §4: the explicit solve, the implicit relaxed iteration and the structured layered solve agree. */
function trajectory(g: NlaGraph, opts: Partial<DigitalOptions>, ms = 150, dtMs = 0.1, learn = false): Float64Array[] {
  const sim = new DigitalSimulator(g, { dtMs, learn, ...opts });
  const d = drive(g, true);
  const out: Float64Array[] = [];
  run(sim, d, Math.round(ms / dtMs), (s) => out.push(Float64Array.from(s.workspace.u)));
  return out;
}

function maxDev(a: Float64Array[], b: Float64Array[]): number {
  return Math.max(...a.map((x, k) => maxAbsDiff(x, b[k]!)));
}

const small = (act: 'hard-sigmoid' | 'logistic', feedback: 'transpose' | 'random' = 'transpose') =>
  layeredNetwork([4, 9, 7, 3], { activation: act, seed: 21, beta: 0.2, bias: true, init: { distribution: 'normal', std: 0.35 } })
    .feedback(feedback === 'random' ? { mode: 'random', init: { distribution: 'normal', std: 0.3 } } : { mode: 'transpose' })
    .build();

describe('explicit and implicit integration agree', () => {
  for (const act of ['hard-sigmoid', 'logistic'] as const) {
    it(`implicit iteration run to convergence reproduces the explicit trajectory within 1e-8 (${act}, learning on)`, () => {
      const g = small(act);
      const ex = trajectory(g, { method: 'explicit' }, 150, 0.1, true);
      const im = trajectory(g, { method: 'implicit', iterations: 'converge', tolerance: 1e-13 }, 150, 0.1, true);
      expect(maxDev(ex, im)).toBeLessThan(1e-8);
    });
  }

  it('with a single iteration per step (as a substrate would) the difference shrinks with dt', () => {
    const g = small('logistic');
    const devs = [0.2, 0.1, 0.05].map((dt) => maxDev(trajectory(g, { method: 'explicit' }, 150, dt), trajectory(g, { method: 'implicit', iterations: 1 }, 150, dt)));
    expect(devs[0]!).toBeGreaterThan(1e-6); // a real difference that the test can see shrink
    expect(devs[1]!).toBeLessThan(devs[0]! * 0.75);
    expect(devs[2]!).toBeLessThan(devs[1]! * 0.75);
  });

  it('reports a diverging implicit iteration (eigenvalue of J above 2/α) and converges with a smaller α', () => {
    // hard sigmoid (ρ' = 1) with these weights: H = AᵀA + βP has eigenvalues above 2
    const g = small('hard-sigmoid');
    expect(() => trajectory(g, { method: 'implicit', relaxation: 1 }, 5)).toThrow(/diverges.*at t = 0 ms/);
    const ex = trajectory(g, { method: 'explicit' }, 50);
    const im = trajectory(g, { method: 'implicit', relaxation: 0.2, tolerance: 1e-13 }, 50);
    expect(maxDev(ex, im)).toBeLessThan(1e-8);
  });
});

describe('the structured layered solve equals the dense solve', () => {
  const cases: Array<[string, () => NlaGraph]> = [
    ['hard sigmoid, transpose', () => small('hard-sigmoid')],
    ['logistic (ρ″ ≠ 0, conjugate gradients)', () => small('logistic')],
    ['logistic, random feedback B (GMRES)', () => small('logistic', 'random')],
    [
      'skip connections and two output populations',
      () =>
        network('skip')
          .seed(4)
          .activation('logistic')
          .init({ distribution: 'normal', std: 0.4 })
          .input('in', 3)
          .hidden('a', 6)
          .hidden('b', 5)
          .output('o1', 2)
          .output('o2', 3)
          .connect('in', 'a')
          .connect('a', 'b')
          .connect('in', 'b')
          .connect('b', 'o1')
          .connect('a', 'o2')
          .connect('b', 'o2')
          .build(),
    ],
  ];
  for (const [name, make] of cases) {
    it(`step by step and along a trajectory: ${name}`, () => {
      const g = make();
      const a = trajectory(g, { solver: 'layered' }, 100, 0.1, true);
      const b = trajectory(g, { solver: 'dense' }, 100, 0.1, true);
      const scale = Math.max(...a.map((x) => Math.max(...Array.from(x, Math.abs))));
      expect(maxDev(a, b)).toBeLessThan(1e-11 * scale);
    });
  }

  it('the same for every sample of a batch with different targets per sample', () => {
    const g = small('logistic');
    const mk = (solver: 'layered' | 'dense') => {
      const sim = new DigitalSimulator(g, { dtMs: 0.1, batch: 3, solver, learn: true });
      const d = drive(g, true);
      const out: Float64Array[] = [];
      run(sim, d, 300, (s) => out.push(Float64Array.from(s.workspace.udot)));
      return out;
    };
    const a = mk('layered');
    const b = mk('dense');
    expect(maxDev(a, b)).toBeLessThan(1e-10);
  });
});

describe('Jacobian J = ∂f/∂u', () => {
  const graphs: Array<[string, () => NlaGraph]> = [
    ['transpose', () => small('logistic')],
    ['random feedback', () => small('logistic', 'random')],
    [
      'recurrent',
      () =>
        network('rec')
          .seed(9)
          .activation('logistic')
          .init({ distribution: 'normal', std: 0.3 })
          .input('in', 3)
          .hidden('h', 6)
          .output('o', 3)
          .connect('in', 'h')
          .connect('h', 'h')
          .connect('h', 'o')
          .connect('o', 'h')
          .build(),
    ],
    [
      'microcircuit',
      () =>
        network('mc')
          .seed(2)
          .activation('logistic')
          .init({ distribution: 'normal', std: 0.4 })
          .feedback({ mode: 'microcircuit', interneuronInit: { distribution: 'normal', std: 0.3 }, feedbackInit: { distribution: 'normal', std: 0.3 } })
          .input('in', 3)
          .hidden('h', 6)
          .interneurons('i', 4, 'h')
          .output('o', 3)
          .connect('in', 'h')
          .connect('h', 'o')
          .build(),
    ],
  ];
  for (const [name, make] of graphs) {
    it(`matrix-free product, dense closed form and finite differences of f agree (${name})`, () => {
      const g = make();
      const sim = new DigitalSimulator(g, { dtMs: 0.1, solver: 'dense', learn: false });
      const d = drive(g, true);
      run(sim, d, 200);
      const N = g.nNeurons;
      const w = sim.workspace;
      const dyn = sim.dynamics;
      const u0 = Float64Array.from(w.u);
      dyn.evaluate(false);
      const f0 = Float64Array.from(w.f);
      const J = new Float64Array(N * N);
      dyn.assemble(0, J);
      for (let j = 0; j < N; j++) {
        const v = new Float64Array(N);
        v[j] = 1;
        const jv = new Float64Array(N);
        dyn.jvp(v, jv);
        // central finite difference of f along e_j
        const h = 1e-6;
        w.u.set(u0);
        w.u[j]! += h;
        dyn.evaluate(false);
        const fp = Float64Array.from(w.f);
        w.u.set(u0);
        w.u[j]! -= h;
        dyn.evaluate(false);
        const fm = Float64Array.from(w.f);
        w.u.set(u0);
        dyn.evaluate(false);
        for (let i = 0; i < N; i++) {
          expect(jv[i]!).toBeCloseTo(J[i * N + j]!, 12);
          expect(jv[i]!).toBeCloseTo((fp[i]! - fm[i]!) / (2 * h), 7);
        }
      }
      expect(maxAbsDiff(w.f, f0)).toBe(0);
      if (g.feedback === 'transpose') for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) expect(J[i * N + j]!).toBeCloseTo(J[j * N + i]!, 12);
    });
  }
});
