import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import type { CircuitIR } from '../../compiler/circuit/ir.js';
import { validateCircuit } from '../../compiler/circuit/validate.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { cosine, drive } from '../helpers.js';

// Issue 15, gap 1: a separate error array T:<name> with mirrored plasticity takes its forward array's
// update transposed, so exact NLA keeps its transpose on separate hardware; `fixed` is feedback alignment.

const net = () => layeredNetwork([4, 6, 2], { activation: 'logistic', seed: 2, beta: 0.3, init: { distribution: 'normal', std: 0.5 } }).plasticity({ enabled: true, etaPerMs: 0.05 }).build();
const profile = (over: Record<string, unknown>) => validateProfile({ format: 'nla-profile/1', name: 'p', extends: 'ideal', ...over });

/** Learns for `ms` on smooth inputs and targets: output traces and the final weights by array name. */
function learn(ir: CircuitIR, ms: number) {
  const sim = new AnalogSimulator(modelFromCircuit(ir), { learn: true, rtol: 1e-9, atol: 1e-12 });
  const g = sim.system.graph;
  const initial = new Map(g.projections.map((p) => [p.name, Float64Array.from(p.weights)]));
  const res = sim.run({ durationMs: ms, drive: drive(g, true), probes: parseProbes('u:out', g), sampleEveryMs: 1 });
  if (res.failure) throw res.failure;
  const final = sim.system.weightsAt(sim.state!);
  return { out: [0, 1].map((j) => res.traces.column(`u:out[${j}]`)), initial, weights: new Map(g.projections.map((p, k) => [p.name, final[k]!])), g };
}

const rms = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, x, i) => s + (x - b[i]!) ** 2, 0) / a.length);
const relDiff = (a: Float64Array, b: Float64Array) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0) / b.reduce((s, x) => s + x * x, 0));
/** T − Wᵀ (T: cols×rows of W). */
function transposeGap(T: Float64Array, W: Float64Array, rows: number, cols: number): Float64Array {
  const d = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) d[c * rows + r] = T[c * rows + r]! - W[r * cols + c]!;
  return d;
}

describe('mirrored plasticity of separate error arrays', () => {
  it('the compiler makes T arrays plastic at the forward rate when mirrored, fixed otherwise, and says so', () => {
    const g = net();
    const mirrored = compileCircuit(g, profile({ feedbackArray: 'separate' }));
    const fixed = compileCircuit(g, profile({ feedbackArray: 'separate', feedbackPlasticity: 'fixed' }));
    expect(mirrored.structure.errorPath).toBe('transpose-mirrored');
    expect(fixed.structure.errorPath).toBe('transpose-fixed');
    expect(compileCircuit(g, profile({})).structure.errorPath).toBe('transpose-shared');
    const t = mirrored.arrays.filter((a) => a.realises.startsWith('T:'));
    expect(t.length).toBe(1);
    expect(t[0]!.plastic?.learningRatePerS).toBe(mirrored.arrays.find((a) => a.realises === t[0]!.feedbackOf)!.plastic!.learningRatePerS);
    expect(fixed.arrays.filter((a) => a.realises.startsWith('T:')).every((a) => a.plastic === null)).toBe(true);
    expect(mirrored.reports[0]!.summary).toContain('mirrored plasticity');
    expect(fixed.reports[0]!.summary).toContain('feedback alignment');
    // the circuit validator holds the error path to the arrays
    const bad = structuredClone(mirrored);
    bad.arrays.find((a) => a.realises.startsWith('T:'))!.plastic = null;
    expect(() => validateCircuit(JSON.parse(JSON.stringify(bad)))).toThrow(/transpose-mirrored/);
    const wrong = structuredClone(fixed);
    wrong.structure.errorPath = 'transpose-shared';
    expect(() => validateCircuit(JSON.parse(JSON.stringify(wrong)))).toThrow(/structure.errorPath/);
  });

  it('ideal components: mirrored learning is the shared-transpose run (outputs and weights), fixed is not', () => {
    const g = net();
    const ms = 300;
    const shared = learn(compileCircuit(g, profile({})), ms);
    const mirrored = learn(compileCircuit(g, profile({ feedbackArray: 'separate' })), ms);
    const fixed = learn(compileCircuit(g, profile({ feedbackArray: 'separate', feedbackPlasticity: 'fixed' })), ms);
    const W = 'h1->out';
    const moved = relDiff(shared.weights.get(W)!, shared.initial.get(W)!);
    expect(moved).toBeGreaterThan(0.05); // learning moved the weights
    const outErr = (x: typeof shared) => Math.max(...[0, 1].map((j) => rms(x.out[j]!, shared.out[j]!)));
    const wErr = (x: typeof shared) => Math.max(...['in->h1', W].map((n) => relDiff(x.weights.get(n)!, shared.weights.get(n)!)));
    // the same equations integrated to rtol 1e-9: agreement far below what fixed feedback costs
    expect(outErr(mirrored)).toBeLessThan(1e-6);
    expect(wErr(mirrored)).toBeLessThan(1e-6);
    expect(outErr(fixed)).toBeGreaterThan(1e3 * outErr(mirrored));
    expect(wErr(fixed)).toBeGreaterThan(1e-3);
    // T stays Wᵀ exactly (ideal storage, no quantisation, no mismatch)
    const gap = transposeGap(mirrored.weights.get(`T:${W}`)!, mirrored.weights.get(W)!, 2, 6);
    expect(Math.max(...gap.map(Math.abs))).toBeLessThan(1e-12);
  });

  it('a mismatched, quantised profile with ideal storage: T − Wᵀ is constant over the run (the theory identity)', () => {
    const g = net();
    const ir = compileCircuit(g, validateProfile({ format: 'nla-profile/1', name: 'sub-ideal-storage', extends: 'subthreshold', noise: null, plasticity: { kind: 'ideal' } }), { seed: 3 });
    expect(ir.structure.errorPath).toBe('transpose-mirrored');
    const run = learn(ir, 100);
    const W = 'h1->out';
    const gap0 = transposeGap(run.initial.get(`T:${W}`)!, run.initial.get(W)!, 2, 6);
    const gap1 = transposeGap(run.weights.get(`T:${W}`)!, run.weights.get(W)!, 2, 6);
    expect(Math.max(...gap0.map(Math.abs))).toBeGreaterThan(1e-3); // the initial mismatch difference
    const movedW = relDiff(run.weights.get(W)!, run.initial.get(W)!);
    expect(movedW).toBeGreaterThan(1e-3);
    for (let i = 0; i < gap0.length; i++) expect(Math.abs(gap1[i]! - gap0[i]!)).toBeLessThan(1e-12);
  });

  it('digital registers: T moves in whole lsb of its own DAC, with its own rounding, along Ẇᵀ', () => {
    const g = net();
    const over = { feedbackArray: 'separate', synapses: { realisation: { kind: 'dac', bits: 10, fullScale: 'auto' }, gainSigma: 0 }, plasticity: { kind: 'digital', updatePeriodS: 0.0005, stochasticRounding: true } };
    const ir = compileCircuit(g, profile(over));
    const t = ir.arrays.find((a) => a.realises === 'T:h1->out')!;
    expect(t.codes).not.toBeNull();
    expect(t.lsbWeight).toBeGreaterThan(0);
    const run = learn(ir, 200);
    const dT = run.weights.get('T:h1->out')!.map((x, i) => x - run.initial.get('T:h1->out')![i]!);
    const dW = run.weights.get('h1->out')!.map((x, i) => x - run.initial.get('h1->out')![i]!);
    let moved = 0;
    for (const d of dT) {
      expect(Math.abs(d / t.lsbWeight - Math.round(d / t.lsbWeight))).toBeLessThan(1e-6);
      if (Math.round(d / t.lsbWeight) !== 0) moved++;
    }
    expect(moved).toBeGreaterThan(5);
    // ΔT against ΔWᵀ: the same update, rounded independently
    const dWt = transposeGap(new Float64Array(12), dW, 2, 6).map((x) => -x);
    expect(cosine(dT, dWt)).toBeGreaterThan(0.9);
    // its own generator: not the forward array's rounding sequence (ΔT is not exactly ΔWᵀ)
    expect(Math.max(...dT.map((x, i) => Math.abs(x - dWt[i]!)))).toBeGreaterThan(0);
  });
});
