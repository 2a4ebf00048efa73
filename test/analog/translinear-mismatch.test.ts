import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import type { CircuitIR } from '../../compiler/circuit/ir.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';
import { validateCircuit } from '../../compiler/circuit/validate.js';
import { correlation } from '../helpers.js';

// σ_ln = κ σ_VT/U_T by hand: 0.705 · 0.003 / 0.025852 = 0.081812 (300 K)
const SIGMA_LN_HAND = (0.705 * 0.003) / 0.025852;

const graph = layeredNetwork([2, 600, 2], { seed: 5 }).build();
const compile = (sig: { tauSigmaV: number; thresholdSigmaV: number; inputSigmaV: number; synapseSigmaV?: number }, temperatureK = 300): CircuitIR =>
  compileCircuit(graph, validateProfile({ format: 'nla-profile/1', extends: 'translinear', name: 't', circuit: { kind: 'translinear', temperatureK, biasTemperatureK: 300, synapseSigmaV: 0, ...sig } }), { seed: 11 });
const nominal = compile({ tauSigmaV: 0, thresholdSigmaV: 0, inputSigmaV: 0, synapseSigmaV: 0 });

/** ln(realised/nominal) of one class's current over every half of every neuron. */
function lnFactors(ir: CircuitIR, field: 'tauCurrentA' | 'thresholdCurrentA' | 'inputScale'): number[] {
  return ir.neurons.flatMap((n, i) => (['plus', 'minus'] as const).map((h) => Math.log(n.dpi![h][field] / nominal.neurons[i]!.dpi![h][field])));
}
const sd = (xs: number[]) => {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};

describe('translinear mismatch: lognormal currents from σ_VT', () => {
  const ir = compile({ tauSigmaV: 0.003, thresholdSigmaV: 0.003, inputSigmaV: 0.003 });
  const n = 2 * 602;

  it('the sample σ of ln I matches κ σ_VT/U_T (within 4 standard errors σ/√(2n))', () => {
    const tol = 4 * SIGMA_LN_HAND / Math.sqrt(2 * n);
    for (const f of ['tauCurrentA', 'thresholdCurrentA', 'inputScale'] as const) expect(Math.abs(sd(lnFactors(ir, f)) - SIGMA_LN_HAND)).toBeLessThan(tol);
    // and U_T moves it: at 360 K the same σ_VT gives 300/360 of it
    const hot = compile({ tauSigmaV: 0.003, thresholdSigmaV: 0, inputSigmaV: 0 }, 360);
    const hotNominal = compile({ tauSigmaV: 0, thresholdSigmaV: 0, inputSigmaV: 0, synapseSigmaV: 0 }, 360);
    const lnHot = hot.neurons.flatMap((x, i) => (['plus', 'minus'] as const).map((h) => Math.log(x.dpi![h].tauCurrentA / hotNominal.neurons[i]!.dpi![h].tauCurrentA)));
    expect(Math.abs(sd(lnHot) - SIGMA_LN_HAND * (300 / 360))).toBeLessThan(tol);
  });

  it('the classes draw independent streams: zero correlation, and one class\'s σ leaves the others bit for bit', () => {
    const bound = 4 / Math.sqrt(n);
    expect(Math.abs(correlation(lnFactors(ir, 'tauCurrentA'), lnFactors(ir, 'thresholdCurrentA')))).toBeLessThan(bound);
    expect(Math.abs(correlation(lnFactors(ir, 'tauCurrentA'), lnFactors(ir, 'inputScale')))).toBeLessThan(bound);
    expect(Math.abs(correlation(lnFactors(ir, 'thresholdCurrentA'), lnFactors(ir, 'inputScale')))).toBeLessThan(bound);
    const other = compile({ tauSigmaV: 0.003, thresholdSigmaV: 0.009, inputSigmaV: 0 });
    expect(lnFactors(other, 'tauCurrentA')).toEqual(lnFactors(ir, 'tauCurrentA'));
    // the threshold stream is the same stream scaled by σ: 3× the σ_VT, 3× every ln factor
    lnFactors(other, 'thresholdCurrentA').forEach((x, i) => expect(x).toBeCloseTo(3 * lnFactors(ir, 'thresholdCurrentA')[i]!, 10));
    // the linear part of the mismatch (C) is untouched by the DPI draws
    expect(other.neurons.map((x) => x.membrane.capacitanceF)).toEqual(ir.neurons.map((x) => x.membrane.capacitanceF));
  });

  it('the compiled circuit validates, and a DPI value out of range is refused naming its field', () => {
    const raw = JSON.parse(JSON.stringify(ir));
    expect(() => validateCircuit(raw)).not.toThrow();
    raw.neurons[3].dpi.minus.tauCurrentA = -1e-12;
    expect(() => validateCircuit(raw)).toThrow(/neurons\[3\]\.dpi\.minus\.tauCurrentA/);
    const missing = JSON.parse(JSON.stringify(ir));
    delete missing.neurons[5].dpi;
    expect(() => validateCircuit(missing)).toThrow(/neurons\[5\]\.dpi: expected a DPI pair/);
    expect(() => validateProfile({ format: 'nla-profile/1', extends: 'translinear', name: 'x', circuit: { kind: 'translinear', commonModeUnits: 0.01 } })).toThrow(/circuit\.commonModeUnits/);
    expect(() => validateProfile({ format: 'nla-profile/1', extends: 'translinear', name: 'x', circuit: { kind: 'translinear', kappa: 1.5 } })).toThrow(/circuit\.kappa/);
  });
});

describe('translinear synapses: lognormal weight currents', () => {
  it('ln(G/G_nominal) over 2,400 cells has σ = κσ_VT/U_T (within 4 standard errors), mean ≈ 0; the DPI currents are untouched', () => {
    const ir = compile({ tauSigmaV: 0, thresholdSigmaV: 0, inputSigmaV: 0, synapseSigmaV: 0.003 });
    const ln: number[] = [];
    ir.arrays.forEach((a, k) => a.conductanceS.forEach((row, i) => row.forEach((g, j) => {
      const g0 = nominal.arrays[k]!.conductanceS[i]![j]!;
      if (g0 !== 0) ln.push(Math.log(g / g0));
    })));
    expect(ln.length).toBeGreaterThan(2000);
    const s = sd(ln);
    expect(Math.abs(s - SIGMA_LN_HAND)).toBeLessThan((4 * SIGMA_LN_HAND) / Math.sqrt(2 * ln.length));
    expect(Math.abs(ln.reduce((x, y) => x + y, 0) / ln.length)).toBeLessThan((4 * SIGMA_LN_HAND) / Math.sqrt(ln.length));
    expect(lnFactors(ir, 'tauCurrentA').every((x) => x === 0)).toBe(true);
    // and its own stream: the neurons' draws do not move when the synapses draw
    const both = compile({ tauSigmaV: 0.003, thresholdSigmaV: 0, inputSigmaV: 0, synapseSigmaV: 0.003 });
    const neuronsOnly = compile({ tauSigmaV: 0.003, thresholdSigmaV: 0, inputSigmaV: 0 });
    expect(lnFactors(both, 'tauCurrentA')).toEqual(lnFactors(neuronsOnly, 'tauCurrentA'));
  });
});
