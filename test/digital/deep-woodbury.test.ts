import { describe, expect, it } from 'vitest';
import { layeredNetwork, network } from '../../compiler/spec/builder.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { Rng } from '../../core/rng.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import { DenseSolver } from '../../emulator/digital/solvers/dense.js';
import { LayeredSolver } from '../../emulator/digital/solvers/layered.js';
import { stackedUpper } from '../../emulator/digital/solvers/stacked.js';
import { backProject, backProjectPair, solveUpper } from '../../emulator/digital/operators.js';
import { drive, run } from '../helpers.js';

/**
 * The layered solver's nudging correction (Woodbury through the stacked columns Y = Ã⁻¹E, V = A⁻ᵀE) on deep
 * networks: its u̇ against the dense factorisation of the closed-form J on random states, with the nudged
 * outputs different per sample (some off, some fractional). A piecewise-linear ρ, so no Krylov refinement
 * hides an error in the correction (with ρ'' ≠ 0 the correction is only a preconditioner).
 */
const deep = (feedback: 'transpose' | 'random') =>
  layeredNetwork([5, 9, 8, 7, 6, 8, 4], { activation: 'hard-sigmoid', seed: 7, beta: 0.8, bias: true, init: { distribution: 'normal', std: 0.45 } })
    .feedback(feedback === 'random' ? { mode: 'random', init: { distribution: 'normal', std: 0.4 } } : { mode: 'transpose' })
    .build();

/** Two output populations at different depths, one fed by a skip connection. */
const branched = () =>
  network('branched')
    .seed(3)
    .beta(0.5)
    .activation('hard-sigmoid')
    .init({ distribution: 'normal', std: 0.45 })
    .input('in', 4)
    .hidden('a', 7)
    .hidden('b', 6)
    .hidden('c', 5)
    .output('o1', 3)
    .output('o2', 2)
    .connect('in', 'a')
    .connect('a', 'b')
    .connect('b', 'c')
    .connect('c', 'o1')
    .connect('a', 'o2')
    .connect('c', 'o2')
    .build();

/** Max over samples of ‖x_layered − x_dense‖∞ / ‖x_dense‖∞, over `states` random states of a batch of 3. */
function worstRelativeGap(g: NlaGraph, states: number): number {
  const B = 3;
  const sim = new DigitalSimulator(g, { dtMs: 0.1, batch: B, solver: 'layered', learn: false });
  run(sim, drive(g, true), 3);
  const w = sim.workspace;
  const N = g.nNeurons;
  const rng = new Rng(11);
  const layered = new LayeredSolver(sim.layout, w, sim.dynamics);
  const dense = new DenseSolver(sim.layout, w, sim.dynamics);
  let worst = 0;
  for (let s = 0; s < states; s++) {
    // voltages mostly on the slope of the hard sigmoid (ρ' = 1), some saturated (ρ' = 0)
    for (let i = 0; i < w.u.length; i++) w.u[i] = rng.uniform() < 0.8 ? 0.05 + 0.9 * rng.uniform() : 1.2 + rng.uniform();
    for (let b = 0; b < B; b++) {
      g.outputs.forEach((o, k) => {
        const r = rng.uniform();
        // sample 0: every output nudged; others: some off, some fractional (a target being switched on)
        w.nudge[b * N + o] = b === 0 ? 1 : r < 0.3 ? 0 : r < 0.6 ? 0.25 + 0.5 * rng.uniform() : 1;
        w.ustar[b * N + o] = 0.2 + 0.1 * k;
      });
    }
    sim.dynamics.evaluate(false);
    const rhs = Float64Array.from({ length: B * N }, () => rng.normal());
    const xl = new Float64Array(B * N);
    const xd = new Float64Array(B * N);
    expect(layered.solve(rhs, xl)).toBeNull();
    expect(dense.solve(rhs, xd)).toBeNull();
    for (let b = 0; b < B; b++) {
      let gap = 0;
      let scale = 0;
      for (let i = b * N; i < b * N + N; i++) {
        gap = Math.max(gap, Math.abs(xl[i]! - xd[i]!));
        scale = Math.max(scale, Math.abs(xd[i]!));
      }
      worst = Math.max(worst, gap / scale);
    }
  }
  return worst;
}

describe('deep networks: the layered nudging correction equals the dense solve', () => {
  it('six layers, exact NLA (F = Wᵀ, V = Y)', () => {
    expect(worstRelativeGap(deep('transpose'), 12)).toBeLessThan(1e-12);
  });
  it('six layers, random feedback (F = B, own columns V)', () => {
    expect(worstRelativeGap(deep('random'), 12)).toBeLessThan(1e-12);
  });
  it('outputs at two depths with a skip connection', () => {
    expect(worstRelativeGap(branched(), 12)).toBeLessThan(1e-12);
  });

  it('a stacked back substitution equals, bit for bit, the vectors substituted one batch at a time', () => {
    const g = deep('random');
    const B = 2;
    const m = 3;
    const sim = new DigitalSimulator(g, { dtMs: 0.1, batch: B, solver: 'layered', learn: false });
    run(sim, drive(g, true), 5);
    const w = sim.workspace;
    const N = g.nNeurons;
    const rng = new Rng(5);
    // samples in different states, so that each vector must use its own sample's ρ'
    for (let i = 0; i < w.u.length; i++) w.u[i] = rng.uniform() < 0.7 ? 0.05 + 0.9 * rng.uniform() : -0.5;
    sim.dynamics.evaluate(false);
    // sample-major stack: vector b·m + j belongs to sample b
    const stack = w.zcols.subarray(0, m * B * N);
    for (let i = 0; i < stack.length; i++) stack[i] = rng.normal();
    const input = Float64Array.from(stack);
    stackedUpper(sim.layout, w, m * B, stack, w.stackT);
    for (let j = 0; j < m; j++) {
      const src = new Float64Array(B * N);
      for (let b = 0; b < B; b++) src.set(input.subarray((b * m + j) * N, (b * m + j + 1) * N), b * N);
      const dst = new Float64Array(B * N);
      solveUpper(sim.layout, w, src, dst, new Float64Array(B * N));
      for (let b = 0; b < B; b++) expect(Array.from(stack.subarray((b * m + j) * N, (b * m + j + 1) * N))).toEqual(Array.from(dst.subarray(b * N, b * N + N)));
    }
  });

  for (const feedback of ['transpose', 'random'] as const) {
    it(`the evaluation's paired back projection equals two single ones, bit for bit (${feedback})`, () => {
      const g = deep(feedback);
      const B = 2;
      const sim = new DigitalSimulator(g, { dtMs: 0.1, batch: B, solver: 'layered', learn: false });
      run(sim, drive(g, true), 2);
      const rng = new Rng(8);
      const n = B * g.nNeurons;
      const [a, b] = [0, 1].map(() => Float64Array.from({ length: n }, () => rng.normal()));
      const [p1, p2, s1, s2] = [0, 1, 2, 3].map(() => new Float64Array(n));
      backProjectPair(sim.layout, sim.workspace, a!, p1!, b!, p2!);
      backProject(sim.layout, sim.workspace, a!, s1!);
      backProject(sim.layout, sim.workspace, b!, s2!);
      expect(Array.from(p1!)).toEqual(Array.from(s1!));
      expect(Array.from(p2!)).toEqual(Array.from(s2!));
    });
  }
});
