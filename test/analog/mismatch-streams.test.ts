import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import { MISMATCH_CLASSES, mismatchKnobs, withoutMismatch } from '../../compiler/circuit/passes/mismatch-classes.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { cornerShift, parseCorner } from '../../hardware-models/profiles/corner.js';
import { membraneTauS } from '../../hardware-models/components/membrane.js';
import { correlation } from '../helpers.js';

// Issue 17: the mismatch draws of different component classes are independent streams. Before, one
// generator per neuron drew C, g_L, offsets … in sequence, so the same normals were reused across
// classes and profiles (a profile with σ_C = 0 shifted every later draw).
const graph = layeredNetwork([20, 300, 10], { activation: 'logistic', seed: 4, bias: true }).build();
const sub = BUILTIN_PROFILES.subthreshold!;

function relDraws(p = sub, seed = 9) {
  const nominal = compileCircuit(graph, withoutMismatch(p), { seed });
  const ir = compileCircuit(graph, p, { seed });
  return {
    c: ir.neurons.map((n, i) => n.membrane.capacitanceF / nominal.neurons[i]!.membrane.capacitanceF - 1),
    g: ir.neurons.map((n, i) => n.membrane.leakConductanceS / nominal.neurons[i]!.membrane.leakConductanceS - 1),
    gain: ir.neurons.map((n, i) => n.transfer.gain / nominal.neurons[i]!.transfer.gain - 1),
    syn: ir.arrays[0]!.conductanceS[0]!.map((v, j) => v / nominal.arrays[0]!.conductanceS[0]![j]! - 1).filter(Number.isFinite),
  };
}

describe('mismatch: one independent stream per component class', () => {
  it('classes are uncorrelated over 310 neurons (|r| < 4/√n) and each has its profile σ', () => {
    const d = relDraws();
    const bound = 4 / Math.sqrt(d.c.length);
    expect(Math.abs(correlation(d.c, d.g))).toBeLessThan(bound);
    expect(Math.abs(correlation(d.c, d.gain))).toBeLessThan(bound);
    expect(Math.abs(correlation(d.g, d.gain))).toBeLessThan(bound);
    const sd = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
    expect(sd(d.c) / sub.membrane.capacitanceSigma).toBeGreaterThan(0.8);
    expect(sd(d.c) / sub.membrane.capacitanceSigma).toBeLessThan(1.2);
    expect(sd(d.g) / sub.membrane.leakSigma).toBeGreaterThan(0.8);
    expect(sd(d.g) / sub.membrane.leakSigma).toBeLessThan(1.2);
  });

  it('switching one class off leaves every other class bit-identical (the sensitivity ranking relies on it)', () => {
    const full = relDraws();
    const noC = relDraws(MISMATCH_CLASSES.capacitance.withSigma(sub, 0));
    expect(noC.c.every((x) => Math.abs(x) < 1e-15)).toBe(true);
    expect(noC.g).toEqual(full.g);
    expect(noC.gain).toEqual(full.gain);
    expect(noC.syn).toEqual(full.syn);
    // a knob alone draws what the full chip drew for that knob
    const knob = mismatchKnobs(sub).find((k) => k.field === 'synapses.gainSigma')!;
    const alone = relDraws(knob.withSigma(withoutMismatch(sub), knob.sigma(sub)));
    expect(alone.syn).toEqual(full.syn);
    expect(alone.g.every((x) => Math.abs(x) < 1e-15)).toBe(true);
  });

  it('a different seed draws a different chip; the same seed the same chip', () => {
    expect(relDraws(sub, 9).c).toEqual(relDraws(sub, 9).c);
    expect(relDraws(sub, 10).c).not.toEqual(relDraws(sub, 9).c);
  });
});

describe('corners: a die-wide shift before the mismatch draw', () => {
  const tau = (name: string) => {
    const ir = compileCircuit(graph, withoutMismatch(sub), { seed: 1, corner: cornerShift(parseCorner(name), sub) });
    return { tau: membraneTauS(ir.neurons[0]!.membrane), ir };
  };
  const p = sub.membrane;

  it('slow moves τ = C/g_L up by (1 + 3σ_C)/(1 − 3σ_gL), fast down by (1 − 3σ_C)/(1 + 3σ_gL)', () => {
    // the shift is the profile's σ (not the chip's draw): the nominal circuit moves exactly
    const t0 = tau('typical').tau;
    expect(tau('slow').tau / t0).toBeCloseTo((1 + 3 * p.capacitanceSigma) / (1 - 3 * p.leakSigma), 10);
    expect(tau('fast').tau / t0).toBeCloseTo((1 - 3 * p.capacitanceSigma) / (1 + 3 * p.leakSigma), 10);
  });

  it('the supply scales the rails about the low rail; temperature scales the thermal noise with T', () => {
    const typ = tau('typical').ir.neurons[0]!;
    const low = tau('low-supply+hot').ir.neurons[0]!;
    expect(low.membrane.railHighV - low.membrane.railLowV).toBeCloseTo(0.9 * (typ.membrane.railHighV - typ.membrane.railLowV), 12);
    expect(low.noisePsdA2PerHz / typ.noisePsdA2PerHz).toBeCloseTo(398.15 / sub.noise!.temperatureK, 12);
  });

  it('the ideal profile has no spread to shift and says so', () => {
    const ir = compileCircuit(graph, BUILTIN_PROFILES.ideal!, { seed: 1, corner: cornerShift(parseCorner('worst-slow'), BUILTIN_PROFILES.ideal!) });
    const rep = ir.reports.find((r) => r.pass === 'corner')!;
    expect(rep.warnings.join(' ')).toMatch(/no spread to shift/);
    expect(rep.warnings.join(' ')).toMatch(/models no temperature effect/);
  });

  it('translinear: the nominal chip has no DPI mismatch; hot runs the pairs at 398 K (τ ∝ T); slow lowers I_τ by exp(−3κσ_VT/U_T)', () => {
    const tl = BUILTIN_PROFILES.translinear!;
    if (tl.circuit.kind !== 'translinear') throw new Error('translinear profile expected');
    const nominal = compileCircuit(graph, withoutMismatch(tl), { seed: 2 });
    const drawn = compileCircuit(graph, tl, { seed: 2 });
    const plus = (ir: typeof nominal) => ir.neurons.map((n) => n.dpi!.plus.tauCurrentA);
    expect(new Set(plus(nominal)).size).toBe(1);
    expect(new Set(plus(drawn)).size).toBeGreaterThan(100);
    expect(mismatchKnobs(tl).map((k) => k.field)).toEqual(expect.arrayContaining(['circuit.tauSigmaV', 'circuit.thresholdSigmaV', 'circuit.inputSigmaV']));
    const hot = compileCircuit(graph, withoutMismatch(tl), { seed: 2, corner: cornerShift(parseCorner('hot'), tl) });
    expect(hot.neurons[0]!.dpi!.temperatureK).toBe(398.15);
    expect(hot.reports.find((r) => r.pass === 'corner')!.warnings).toEqual([]);
    const slow = compileCircuit(graph, withoutMismatch(tl), { seed: 2, corner: cornerShift(parseCorner('slow'), tl) });
    const uT = (1.380649e-23 * tl.circuit.temperatureK) / 1.602176634e-19;
    expect(slow.neurons[0]!.dpi!.plus.tauCurrentA / nominal.neurons[0]!.dpi!.plus.tauCurrentA).toBeCloseTo(Math.exp((-3 * tl.circuit.kappa * tl.circuit.tauSigmaV) / uT), 12);
  });

  it('bad corner names are refused, naming the part', () => {
    expect(() => parseCorner('slow+tepid')).toThrow(/unknown corner part 'tepid'/);
    expect(() => parseCorner('slow+fast')).toThrow(/sets the process twice/);
    // 3σ of a 40 % spread would take a conductance negative: refused, not clamped
    expect(() => cornerShift(parseCorner('slow'), { ...sub, membrane: { ...sub.membrane, leakSigma: 0.4 } })).toThrow(/conductance factor to -0\.2/);
  });
});
