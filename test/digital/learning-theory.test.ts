import { describe, expect, it } from 'vitest';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import { DigitalObserver } from '../../emulator/digital/observe.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { FunctionSignal } from '../../emulator/stimulus/signal.js';
import { cosine, drive, matTVec, matVec, rho, run, sines, targetSines } from '../helpers.js';

/** Forward pass and back-propagated output error of the instantaneous feed-forward network, test-side. */
function backprop(g: NlaGraph, W: Float64Array[], rbarIn: Float64Array, ustar: ArrayLike<number>): number[][] {
  const layers = g.neurons;
  const proj = (l: number) => g.projections.findIndex((p) => p.role === 'forward' && p.post.pop === l && p.pre.type === (l === 0 ? 'input' : 'neuron'));
  const bias = (l: number) => g.projections.findIndex((p) => p.role === 'forward' && p.post.pop === l && p.pre.type === 'input' && g.inputs[p.pre.pop]!.constantRate !== null);
  const u: number[][] = [];
  const r: number[][] = [];
  layers.forEach((pop, l) => {
    const k = proj(l);
    const p = g.projections[k]!;
    const x = l === 0 ? Array.from(rbarIn.subarray(0, p.cols)) : r[l - 1]!;
    const ul = matVec(W[k]!, p.rows, p.cols, x);
    const kb = bias(l);
    if (kb >= 0) ul.forEach((_, i) => (ul[i]! += W[kb]![i]!));
    u.push(ul);
    r.push(ul.map((v) => rho(pop.activation, v)[0]));
  });
  const delta: number[][] = new Array(layers.length);
  const L = layers.length - 1;
  delta[L] = u[L]!.map((v, i) => ustar[i]! - v);
  for (let l = L - 1; l >= 0; l--) {
    const p = g.projections[proj(l + 1)]!;
    const back = matTVec(W[proj(l + 1)]!, p.rows, p.cols, delta[l + 1]!);
    delta[l] = back.map((v, i) => rho(layers[l]!.activation, u[l]![i]!)[1] * v);
  }
  return delta;
}

describe('rt-DeEP errors are back-propagated errors (theory §3, Fig. 4b2)', () => {
  // ē differs from βδ by the moving-equilibrium residual f, which must be ≪ β|δ| = 1e-4·|δ|: inputs and
  // targets change on 300–700 ms scales and dt = 0.025 ms (f ∝ dt·ü). With a hard sigmoid, f also jumps where a
  // neuron crosses a kink of ρ (ρ' is discontinuous), so that case is checked on constant inputs.
  const cases = [
    ['logistic', new SignalDrive(sines(6, 2, 300), targetSines(4, 0.5, 0.4, 700))],
    ['tanh', new SignalDrive(sines(6, 3, 300), targetSines(4, 0.2, 0.3, 700))],
    ['hard-sigmoid', new SignalDrive(new FunctionSignal(6, (_t, c) => 0.2 + 0.12 * c), new FunctionSignal(4, (_t, c) => 0.3 + 0.1 * c))],
  ] as const;
  for (const [act, d] of cases) {
    it(`ē/β equals the instantaneous network's back-propagated output error for β = 1e-4 (${act})`, () => {
      const g = layeredNetwork([6, 10, 8, 4], { activation: act, seed: 8, beta: 1e-4, bias: true, init: { distribution: 'normal', std: act === 'logistic' ? 0.5 : 0.3 } }).build();
      const sim = new DigitalSimulator(g, { dtMs: 0.025, learn: false, init: 'equilibrium' });
      const obs = new DigitalObserver(sim);
      const probes = parseProbes('ebar', g);
      const ebar = new Float64Array(g.nNeurons);
      let checked = 0;
      run(sim, d, 3000, (s, k) => {
        if (k % 250 !== 0 || k === 0) return;
        obs.sample(probes, ebar);
        const w = s.workspace;
        const outs = Array.from(g.outputs, (o) => w.ustar[o]!);
        const delta = backprop(g, s.weights(), w.rbarIn, outs);
        g.neurons.forEach((pop, l) => {
          const e = Array.from(ebar.subarray(pop.offset, pop.offset + pop.size), (v) => v / g.beta);
          expect(cosine(e, delta[l]!)).toBeGreaterThan(0.9999);
          // magnitudes match too, not only directions
          const n1 = Math.hypot(...e);
          const n2 = Math.hypot(...delta[l]!);
          expect(Math.abs(n1 - n2)).toBeLessThan(1e-2 * n2);
        });
        checked++;
      });
      expect(checked).toBe(11);
    });
  }
});

describe('Theorem 1: plasticity is gradient descent on L at fixed u', () => {
  it('the weight change of one Euler step equals −η dt ∂L/∂W by finite differences of L', () => {
    const g = layeredNetwork([4, 6, 3], { activation: 'logistic', seed: 12, beta: 0.3, bias: true, init: { distribution: 'normal', std: 0.6 } })
      .plasticity({ enabled: true, etaPerMs: 0.01 })
      .build();
    const sim = new DigitalSimulator(g, { dtMs: 0.1 });
    const d = drive(g, true);
    run(sim, d, 500);
    // capture u, r̄ and W at the start of a step, then take the step
    let u = new Float64Array(0);
    let rbarIn = new Float64Array(0);
    let ustar = new Float64Array(0);
    let nudge = new Float64Array(0);
    let before: Float64Array[] = [];
    sim.step(d, (s) => {
      u = Float64Array.from(s.workspace.u);
      rbarIn = Float64Array.from(s.workspace.rbarIn);
      ustar = Float64Array.from(s.workspace.ustar);
      nudge = Float64Array.from(s.workspace.nudge);
      before = s.weights().map((W) => Float64Array.from(W));
    });
    const after = sim.weights();
    const act = (i: number) => g.neurons.find((p) => i >= p.offset && i < p.offset + p.size)!.activation;
    const r = Array.from(u, (x, i) => rho(act(i), x)[0]);
    // L(W) = ½‖u − W r̄‖² + (β/2)‖P(u* − u)‖², u held fixed
    const lagrangian = (Ws: Float64Array[]) => {
      const Wr = new Array<number>(g.nNeurons).fill(0);
      g.projections.forEach((p, k) => {
        const pre = p.pre.type === 'input' ? Array.from(rbarIn.subarray(g.inputs[p.pre.pop]!.offset, g.inputs[p.pre.pop]!.offset + p.cols)) : r.slice(g.neurons[p.pre.pop]!.offset, g.neurons[p.pre.pop]!.offset + p.cols);
        matVec(Ws[k]!, p.rows, p.cols, pre).forEach((v, i) => (Wr[g.neurons[p.post.pop]!.offset + i]! += v));
      });
      let L = 0;
      for (let i = 0; i < g.nNeurons; i++) L += 0.5 * (u[i]! - Wr[i]!) ** 2 + 0.5 * g.beta * nudge[i]! * (ustar[i]! - u[i]!) ** 2;
      return L;
    };
    const eta = 0.01;
    const dt = 0.1;
    let compared = 0;
    g.projections.forEach((p, k) => {
      for (let idx = 0; idx < p.rows * p.cols; idx += 3) {
        const h = 1e-6;
        const plus = before.map((W) => Float64Array.from(W));
        const minus = before.map((W) => Float64Array.from(W));
        plus[k]![idx]! += h;
        minus[k]![idx]! -= h;
        const grad = (lagrangian(plus) - lagrangian(minus)) / (2 * h);
        const dW = after[k]![idx]! - before[k]![idx]!;
        expect(dW / (eta * dt)).toBeCloseTo(-grad, 7);
        compared++;
      }
    });
    expect(compared).toBeGreaterThan(15);
  });
});
