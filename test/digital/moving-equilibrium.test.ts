import { describe, expect, it } from 'vitest';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import { DigitalObserver } from '../../emulator/digital/observe.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { drive, matVec, rho, run } from '../helpers.js';

/**
 * Theory §2: f = ∂L/∂u decays with τ and stays 0 while inputs and targets keep changing ("moving
 * equilibrium"), and u = W r̄ + ē holds at every moment, with ē from the error recursion (7b) computed
 * here independently of the engine.
 */
// tanh has ρ' = 1 at 0 (logistic 1/4), so it gets smaller weights to keep the energy convex (H positive definite).
const net = (act: 'logistic' | 'tanh') =>
  layeredNetwork([5, 12, 10, 4], { activation: act, seed: 11, tauMs: 10, tauInMs: 10, beta: 0.1, bias: true, init: { distribution: 'normal', std: act === 'tanh' ? 0.25 : 0.5 } }).build();

/** Runs 400 ms at dt; returns max |f|, max |u| and max |u − W r̄ − ē| over t ≥ 200 ms (after the transient). */
function measure(g: NlaGraph, dtMs: number) {
  const sim = new DigitalSimulator(g, { dtMs, learn: false });
  const d = drive(g, true);
  let maxF = 0;
  let maxU = 0;
  let maxId = 0;
  run(sim, d, Math.round(400 / dtMs), (s) => {
    if (s.tMs < 200) return;
    const w = s.workspace;
    for (let i = 0; i < g.nNeurons; i++) {
      maxF = Math.max(maxF, Math.abs(w.f[i]!));
      maxU = Math.max(maxU, Math.abs(w.u[i]!));
    }
    maxId = Math.max(maxId, identityResidual(g, s));
  });
  return { maxF, maxU, maxId };
}

/** max |u − W r̄ − ē|, with ē_L = β(u* − u_L), ē_l = ρ'(u_l) ⊙ W_{l+1}ᵀ ē_{l+1} (Eq. 7b, layered form). */
function identityResidual(g: NlaGraph, s: DigitalSimulator): number {
  const w = s.workspace;
  const W = s.weights();
  const u = Array.from(w.u);
  const act = (i: number) => g.neurons.find((p) => i >= p.offset && i < p.offset + p.size)!.activation;
  const r = u.map((x, i) => rho(act(i), x)[0]);
  const dr = u.map((x, i) => rho(act(i), x)[1]);
  const ebar = new Array<number>(g.nNeurons).fill(0);
  const L = g.neurons.length;
  const out = g.neurons[L - 1]!;
  for (let i = 0; i < out.size; i++) ebar[out.offset + i] = g.beta * (w.ustar[out.offset + i]! - u[out.offset + i]!);
  for (let l = L - 2; l >= 0; l--) {
    const k = g.projections.findIndex((p) => p.role === 'forward' && p.pre.type === 'neuron' && p.pre.pop === l);
    const p = g.projections[k]!;
    const post = g.neurons[p.post.pop]!;
    const pre = g.neurons[l]!;
    for (let j = 0; j < pre.size; j++) {
      let acc = 0;
      for (let i = 0; i < post.size; i++) acc += W[k]![i * p.cols + j]! * ebar[post.offset + i]!;
      ebar[pre.offset + j] = dr[pre.offset + j]! * acc;
    }
  }
  const Wr = new Array<number>(g.nNeurons).fill(0);
  g.projections.forEach((p, k) => {
    if (p.role !== 'forward') return;
    const pre = p.pre.type === 'input' ? Array.from(w.rbarIn.subarray(g.inputs[p.pre.pop]!.offset, g.inputs[p.pre.pop]!.offset + p.cols)) : r.slice(g.neurons[p.pre.pop]!.offset, g.neurons[p.pre.pop]!.offset + p.cols);
    matVec(W[k]!, p.rows, p.cols, pre).forEach((v, i) => (Wr[g.neurons[p.post.pop]!.offset + i]! += v));
  });
  let m = 0;
  for (let i = 0; i < g.nNeurons; i++) m = Math.max(m, Math.abs(u[i]! - Wr[i]! - ebar[i]!));
  return m;
}

describe('moving equilibrium (theory §2)', () => {
  for (const act of ['logistic', 'tanh'] as const) {
    it(`keeps max|f| below 1e-4·max|u| at dt = 0.1 ms, τ = 10 ms, with changing inputs and targets (${act})`, () => {
      const g = net(act);
      const { maxF, maxU, maxId } = measure(g, 0.1);
      expect(maxU).toBeGreaterThan(0.3);
      expect(maxF).toBeLessThan(1e-4 * maxU);
      // u = W r̄ + ē to the same accuracy, ē from the independent error recursion
      expect(maxId).toBeLessThan(1e-4 * maxU);
    });
  }

  it('the residual f shrinks as dt shrinks (first order in dt)', () => {
    const g = net('logistic');
    const f = [0.4, 0.2, 0.1, 0.05].map((dt) => measure(g, dt).maxF);
    for (let i = 1; i < f.length; i++) {
      expect(f[i]!).toBeLessThan(f[i - 1]! * 0.7);
      expect(f[i]!).toBeGreaterThan(f[i - 1]! * 0.3); // ≈ halves: first order
    }
  });

  it('after a start away from equilibrium, f decays with time constant τ', () => {
    const g = net('logistic');
    const sim = new DigitalSimulator(g, { dtMs: 0.01, learn: false });
    const d = drive(g, true);
    const norms: number[] = [];
    run(sim, d, 4000, (s, k) => {
      if (k % 1000 === 0) norms.push(Math.max(...Array.from(s.workspace.f).map(Math.abs)));
    });
    // f(t) = f(0) e^{−t/τ} per neuron: over 10 ms the norm falls by e, within Euler's O(dt/τ) error
    for (let i = 1; i < norms.length; i++) expect(norms[i]! / norms[i - 1]!).toBeCloseTo(Math.exp(-1), 2);
  });
});

describe('the neuron equation (Eq. 7a) holds along the explicit solution', () => {
  it('τu̇ = −u + W r + e with the prospective rates r and errors e read from the probes', () => {
    const g = net('logistic');
    const sim = new DigitalSimulator(g, { dtMs: 0.1, learn: false });
    const d = drive(g, true);
    const probes = parseProbes('u,udot,r,e', g);
    const obs = new DigitalObserver(sim);
    const N = g.nNeurons;
    const row = new Float64Array(4 * N);
    let worst = 0;
    let scale = 0;
    run(sim, d, 3000, (s, k) => {
      if (k < 2000 || k % 50 !== 0) return;
      obs.sample(probes, row);
      const [u, udot, r, e] = [0, 1, 2, 3].map((q) => row.subarray(q * N, (q + 1) * N));
      const w = s.workspace;
      const W = s.weights();
      const lhs = Array.from(udot!, (v, i) => g.neurons.find((p) => i >= p.offset && i < p.offset + p.size)!.tauMs * v);
      const rhs = Array.from(u!, (v, i) => -v + e![i]!);
      g.projections.forEach((p, k2) => {
        if (p.role !== 'forward') return;
        const post = g.neurons[p.post.pop]!;
        let pre: number[];
        if (p.pre.type === 'input') {
          const inp = g.inputs[p.pre.pop]!;
          // prospective input rate r̄_in + τ dr̄_in/dt, dr̄_in/dt = (r_in − r̄_in)/τ_in
          pre = Array.from({ length: p.cols }, (_, j) => {
            const rb = w.rbarIn[inp.offset + j]!;
            return inp.constantRate ?? rb + (post.tauMs * (w.rIn[inp.offset + j]! - rb)) / inp.tauInMs;
          });
        } else pre = Array.from(r!.subarray(g.neurons[p.pre.pop]!.offset, g.neurons[p.pre.pop]!.offset + p.cols));
        matVec(W[k2]!, p.rows, p.cols, pre).forEach((v, i) => (rhs[post.offset + i]! += v));
      });
      for (let i = 0; i < N; i++) {
        worst = Math.max(worst, Math.abs(lhs[i]! - rhs[i]!));
        scale = Math.max(scale, Math.abs(lhs[i]!));
      }
    });
    expect(scale).toBeGreaterThan(1e-2);
    expect(worst).toBeLessThan(1e-10 * Math.max(1, scale));
  });
});
