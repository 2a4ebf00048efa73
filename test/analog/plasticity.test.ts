import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { drive } from '../helpers.js';

const net = (eta: number) =>
  layeredNetwork([4, 6, 2], { activation: 'logistic', seed: 2, beta: 0.3, init: { distribution: 'normal', std: 0.5 } }).plasticity({ enabled: true, etaPerMs: eta }).build();

function weightsAfter(profileOver: Record<string, unknown>, eta: number, ms: number) {
  const g = net(eta);
  const ir = compileCircuit(g, validateProfile({ format: 'nla-profile/1', name: 'p', extends: 'ideal', ...profileOver }));
  const sim = new AnalogSimulator(modelFromCircuit(ir), { learn: true, rtol: 1e-8, atol: 1e-11 });
  const before = sim.system.graph.projections.map((p) => Float64Array.from(p.weights));
  sim.run({ durationMs: ms, drive: drive(g, true), sampleEveryMs: 1 });
  sim.system.loadWeights(sim.state!, false);
  return { ir, before, after: sim.system.workspace.proj.map((p) => Float64Array.from(p.W)) };
}

describe('plastic synapses as built', () => {
  it('an analog capacitive weight leaks: w(t) = w(0) e^{−t/τ_leak} when learning is negligible', () => {
    const { before, after } = weightsAfter({ plasticity: { kind: 'analog', leakTauS: 0.05 } }, 1e-12, 30);
    for (let k = 0; k < before.length; k++) for (let i = 0; i < before[k]!.length; i++) expect(after[k]![i]!).toBeCloseTo(before[k]![i]! * Math.exp(-30 / 50), 6);
  });

  it('a digital register moves in whole DAC steps at its update times and follows the ideal rule on average', () => {
    const over = { synapses: { realisation: { kind: 'dac', bits: 10, fullScale: 'auto' }, gainSigma: 0 }, plasticity: { kind: 'digital', updatePeriodS: 0.0005, stochasticRounding: true } };
    const dig = weightsAfter(over, 0.05, 200);
    const ideal = weightsAfter({ synapses: over.synapses }, 0.05, 200);
    let moved = 0;
    let dot = 0;
    let nd = 0;
    let ni = 0;
    dig.ir.arrays.forEach((a, k) => {
      if (!a.plastic) return;
      const lsb = a.lsbWeight;
      for (let i = 0; i < dig.after[k]!.length; i++) {
        const steps = (dig.after[k]![i]! - dig.before[k]![i]!) / lsb;
        expect(Math.abs(steps - Math.round(steps))).toBeLessThan(1e-6); // whole lsb (no mismatch here)
        if (Math.round(steps) !== 0) moved++;
        const di = dig.after[k]![i]! - dig.before[k]![i]!;
        const ii = ideal.after[k]![i]! - ideal.before[k]![i]!;
        dot += di * ii;
        nd += di * di;
        ni += ii * ii;
      }
    });
    expect(moved).toBeGreaterThan(10);
    expect(dot / Math.sqrt(nd * ni)).toBeGreaterThan(0.9);
  });
});
