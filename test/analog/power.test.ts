import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import type { CircuitIR } from '../../compiler/circuit/ir.js';
import { layeredNetwork, network } from '../../compiler/spec/builder.js';
import { SpecError } from '../../core/errors.js';
import { estimatePower, type PowerEstimate, type PowerNotEstimated } from '../../hardware-models/power/power-estimate.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';

// Power, energy and area estimates (hardware-models/power/power-estimate.ts) against numbers computed
// by hand for a tiny circuit, and against scalings that a wrong factor would break.

/** Round numbers: V_dd 10 V; bias 1, 2, 3 mA, 1 µA, 4 mA; areas 1, 2, 3 cm², 10, 5, 6 mm²·10. */
const ROUND_POWER = {
  supplyV: 10,
  biasCurrentA: { neuron: 1e-3, rateUnit: 2e-3, errorUnit: 3e-3, synapse: 1e-6, inputFilter: 4e-3 },
  areaM2: { neuron: 1e-4, rateUnit: 2e-4, errorUnit: 3e-4, synapse: 1e-5, inputFilter: 5e-5, interface: 6e-5 },
  conversionEnergyJ: 1e-8,
  plasticityUpdateEnergyJ: 1e-7,
};

/** The op-amp board (C = 100 nF, 1 V per unit, digital updates every 100 µs) without mismatch, exact weights, round power numbers. */
const roundProfile = (over: Record<string, unknown> = {}) =>
  validateProfile({
    format: 'nla-profile/1',
    name: 'round',
    extends: 'opamp-board',
    membrane: { capacitanceSigma: 0, leakSigma: 0, offsetSigmaV: 0 },
    transfer: { gainSigma: 0, offsetSigmaV: 0 },
    synapses: { realisation: { kind: 'ideal' }, gainSigma: 0 },
    rateUnit: { kind: 'lead', poleRatio: 0.0056, lookaheadSigma: 0, maxRate: 10 },
    errorUnit: { kind: 'lead', poleRatio: 0.0056, lookaheadSigma: 0 },
    power: ROUND_POWER,
    ...over,
  });

/** 2-2-1 without bias, τ = 10 ms, one weight 0 (in->h[1][1]), learning on. */
const tiny = () =>
  network('tiny')
    .seed(1)
    .tauMs(10)
    .input('in', 2)
    .hidden('h', 2)
    .output('out', 1)
    .connect('in', 'h', { weights: [[0.5, -0.5], [1, 0]] })
    .connect('h', 'out', { weights: [[2, -1]] })
    .plasticity({ enabled: true, etaPerMs: 0.001 })
    .build();

function estimated(e: PowerEstimate | PowerNotEstimated): PowerEstimate {
  if (!e.estimated) throw new Error(`not estimated: ${e.reason}`);
  return e;
}
const cls = (e: PowerEstimate, k: string) => e.classes.find((c) => c.class === k)!;
const rel = (a: number, b: number) => Math.abs(a / b - 1);

describe('power estimate: a 2-2-1 circuit by hand', () => {
  const ir = compileCircuit(tiny(), roundProfile(), { seed: 1 });
  const e = estimated(estimatePower(ir));

  it('counts the components: 3 neurons, 2 inputs, 7 non-zero synapses in 8 cells (the error array T:h->out included), 3 conversion channels', () => {
    expect(ir.arrays.map((a) => a.realises).sort()).toEqual(['T:h->out', 'h->out', 'in->h']);
    expect([cls(e, 'neuron').count, cls(e, 'rateUnit').count, cls(e, 'errorUnit').count, cls(e, 'interneuron').count]).toEqual([3, 3, 3, 0]);
    expect([cls(e, 'synapse').count, cls(e, 'synapse').cells]).toEqual([7, 8]);
    expect([cls(e, 'inputFilter').count, cls(e, 'interface').count]).toEqual([2, 3]);
  });

  it('static power and area by class and in total', () => {
    // P_k = n_k · I_k · V_dd with V_dd = 10 V
    const expected = { neuron: 3 * 1e-3 * 10, rateUnit: 3 * 2e-3 * 10, errorUnit: 3 * 3e-3 * 10, synapse: 7 * 1e-6 * 10, inputFilter: 2 * 4e-3 * 10, interface: 0 };
    for (const [k, w] of Object.entries(expected)) expect(cls(e, k).staticPowerW).toBeCloseTo(w, 12);
    expect(e.totals.staticPowerW).toBeCloseTo(0.26007, 12);
    // area: 3·1 + 3·2 + 3·3 cm², 8 cells · 0.1 cm², 2 · 0.5 cm², 3 · 0.6 cm² = 21.6 cm²
    expect(e.totals.areaM2).toBeCloseTo(21.6e-4, 12);
  });

  it('dynamic energies: C·ΔV·V_dd per membrane and filter, |w|·C·ΔV·V_dd per synapse and τ', () => {
    expect(e.tauS).toBeCloseTo(0.01, 12);
    expect(cls(e, 'neuron').energyPerEventJ).toBeCloseTo(100e-9 * 1 * 10, 15); // 1 µJ
    expect(cls(e, 'inputFilter').energyPerEventJ).toBeCloseTo(100e-9 * 1 * 10, 15);
    // Σ|w| = 0.5 + 0.5 + 1 + 2 + 1 (+ the transpose 2 + 1) = 8 over 7 synapses; |w| C ΔV V_dd = |G| ΔV τ V_dd
    expect(rel(cls(e, 'synapse').energyPerEventJ, (8 / 7) * 100e-9 * 1 * 10)).toBeLessThan(1e-12);
  });

  it('per synaptic operation, per inference (5 τ) and per learning update (digital, 100 µs)', () => {
    const synapseDyn = (8 / 7) * 1e-6;
    expect(rel(e.synapticOperation.synapseOnlyJ, 1e-6 * 10 * 0.01 + synapseDyn)).toBeLessThan(1e-12);
    // 0.26007 W over 50 ms; dynamic: 3 membranes + 2 filters at 1 µJ, 7 synapses over 5 τ, 3 conversions of 10 nJ
    const dynamic = 5e-6 + 7 * synapseDyn * 5 + 3e-8;
    expect(e.inference.durationS).toBeCloseTo(0.05, 12);
    expect(rel(e.inference.staticEnergyJ, 0.26007 * 0.05)).toBeLessThan(1e-12);
    expect(rel(e.inference.dynamicEnergyJ, dynamic)).toBeLessThan(1e-12);
    expect(rel(e.inference.energyJ, 0.26007 * 0.05 + dynamic)).toBeLessThan(1e-12);
    expect(rel(e.synapticOperation.allInJ, (0.26007 * 0.05 + dynamic) / (7 * 5))).toBeLessThan(1e-12);
    const l = e.learningUpdate;
    if (!l.estimated) throw new Error(l.reason);
    // 8 plastic cells (in->h 4, h->out 2, mirrored T:h->out 2) written once, the network running for 100 µs
    expect([l.kind, l.plasticSynapses, l.intervalS]).toEqual(['digital', 8, 1e-4]);
    expect(rel(l.energyJ, 8 * 1e-7 + 0.26007 * 1e-4)).toBeLessThan(1e-12);
  });

  it('an analog store updates over one τ; ideal storage and a spec without learning give no update estimate, with the reason', () => {
    const analog = estimated(estimatePower(compileCircuit(tiny(), roundProfile({ plasticity: { kind: 'analog', leakTauS: 100 } }), { seed: 1 })));
    const l = analog.learningUpdate;
    if (!l.estimated) throw new Error(l.reason);
    expect([l.kind, l.intervalS]).toEqual(['analog', analog.tauS]);
    expect(rel(l.energyJ, 8 * 1e-7 + 0.26007 * 0.01)).toBeLessThan(1e-12);
    const ideal = estimated(estimatePower(compileCircuit(tiny(), roundProfile({ plasticity: { kind: 'ideal' } }), { seed: 1 })));
    expect(ideal.learningUpdate).toEqual({ estimated: false, reason: expect.stringMatching(/ideal weight storage/) });
    const g = network('fixed').seed(1).input('in', 2).hidden('h', 2).output('out', 1).connect('in', 'h', { plastic: false }).connect('h', 'out', { plastic: false }).build();
    const off = estimated(estimatePower(compileCircuit(g, roundProfile(), { seed: 1 })));
    expect(off.learningUpdate).toEqual({ estimated: false, reason: expect.stringMatching(/no plastic array/) });
  });
});

describe('power estimate: scalings a wrong factor would break', () => {
  const neuronsStatic = (e: PowerEstimate) => ['neuron', 'rateUnit', 'errorUnit'].reduce((s, k) => s + cls(e, k).staticPowerW, 0);

  it('static power of neurons and their units grows linearly with the number of neurons', () => {
    const p = structuredClone(BUILTIN_PROFILES.subthreshold!);
    const at = (n: number) => estimated(estimatePower(compileCircuit(layeredNetwork([3, n, 2], { seed: 2 }).build(), p, { seed: 2 })));
    const [a, b, c] = [at(4), at(8), at(16)];
    // n + 2 neurons, each I_neuron + I_rate + I_error = 30 nA at 1.8 V
    expect(rel(neuronsStatic(a), 6 * 30e-9 * 1.8)).toBeLessThan(1e-12);
    expect(rel(neuronsStatic(c) - neuronsStatic(b), 2 * (neuronsStatic(b) - neuronsStatic(a)))).toBeLessThan(1e-12);
    expect(cls(c, 'synapse').cells - cls(b, 'synapse').cells).toBe(2 * (cls(b, 'synapse').cells - cls(a, 'synapse').cells)); // cells linear in n too
  });

  it('dynamic energy per event ∝ C·V²: 3× the capacitance, 3×; twice the swing and the supply, 4×', () => {
    const base = estimated(estimatePower(compileCircuit(tiny(), roundProfile(), { seed: 1 })));
    const bigC = estimated(estimatePower(compileCircuit(tiny(), roundProfile({ membrane: { capacitanceF: 300e-9, capacitanceSigma: 0, leakSigma: 0, offsetSigmaV: 0 } }), { seed: 1 })));
    const twiceV = estimated(estimatePower(compileCircuit(tiny(), roundProfile({ voltsPerUnit: 2, power: { ...ROUND_POWER, supplyV: 20 } }), { seed: 1 })));
    for (const k of ['neuron', 'inputFilter', 'synapse']) {
      expect(rel(cls(bigC, k).energyPerEventJ, 3 * cls(base, k).energyPerEventJ)).toBeLessThan(1e-12);
      expect(rel(cls(twiceV, k).energyPerEventJ, 4 * cls(base, k).energyPerEventJ)).toBeLessThan(1e-12);
    }
  });

  it('time scale: at 1000× an inference lasts 1000× less and, at equal static power, costs 1000× less static energy', () => {
    const g = layeredNetwork([3, 5, 2], { seed: 4 }).build();
    const fast = estimated(estimatePower(compileCircuit(g, structuredClone(BUILTIN_PROFILES.accelerated!), { seed: 4 })));
    const slow = estimated(estimatePower(compileCircuit(g, validateProfile({ format: 'nla-profile/1', name: 'slow', extends: 'accelerated', timeScale: 1e-3 }), { seed: 4 })));
    expect(rel(fast.tauS, 10e-6)).toBeLessThan(0.15); // τ = 10 model ms → 10 µs (up to the leak mismatch)
    expect(fast.totals.staticPowerW).toBe(slow.totals.staticPowerW);
    expect(rel(slow.inference.durationS / fast.inference.durationS, 1000)).toBeLessThan(1e-9);
    expect(rel(slow.inference.staticEnergyJ / fast.inference.staticEnergyJ, 1000)).toBeLessThan(1e-9);
    // a synapse's charge per τ is |w| C ΔV: the same at either speed
    expect(rel(slow.synapticOperation.synapseOnlyJ - 10e-9 * 1.2 * slow.tauS, fast.synapticOperation.synapseOnlyJ - 10e-9 * 1.2 * fast.tauS)).toBeLessThan(1e-9);
  });
});

describe('power estimate: the ideal profile and the profile section', () => {
  it('the ideal profile is not estimated, with the reason; a profile extending it with a power section is', () => {
    const g = layeredNetwork([2, 3, 1], { seed: 1 }).build();
    const ideal = estimatePower(compileCircuit(g, structuredClone(BUILTIN_PROFILES.ideal!)));
    expect(ideal).toEqual({ estimated: false, profile: 'ideal', reason: expect.stringMatching(/no power section \(power: null\).*exact mathematical operations/) });
    const given = estimatePower(compileCircuit(g, validateProfile({ format: 'nla-profile/1', name: 'ideal+power', extends: 'ideal', power: ROUND_POWER })));
    expect(given.estimated).toBe(true);
  });

  it('every built-in profile but ideal has a power section that validates', () => {
    for (const p of Object.values(BUILTIN_PROFILES)) {
      expect(validateProfile(structuredClone(p)).power).toEqual(p.power);
      expect(p.power === null).toBe(p.name === 'ideal');
    }
  });

  const issues = (raw: Record<string, unknown>): string[] => {
    try {
      validateProfile(raw);
    } catch (err) {
      if (err instanceof SpecError) return err.issues.map((i) => `${i.path}: ${i.message}`);
      throw err;
    }
    return [];
  };

  it('a bad or missing field is refused naming it; extends inherits the section and overrides a field', () => {
    const base = { format: 'nla-profile/1', name: 'x', extends: 'subthreshold' };
    expect(issues({ ...base, power: { biasCurrentA: { synapse: -1e-9 } } })).toEqual(['power.biasCurrentA.synapse: expected a number > 0 (A), got -1e-9']);
    expect(issues({ ...base, power: { areaM2: { neuron: 0 } } })).toEqual(['power.areaM2.neuron: expected a number > 0 (m²), got 0']);
    expect(issues({ ...base, power: { supplyV: 'high' } })).toEqual(["power.supplyV: expected a finite number (V), got 'high'"]);
    expect(issues({ ...base, power: { suplyV: 3 } })[0]).toMatch(/^power\.suplyV: unknown field \(did you mean 'supplyV'\?\)/);
    const full = { ...structuredClone(BUILTIN_PROFILES.subthreshold!), name: 'no-extends' } as Record<string, unknown>;
    const { power: _p, ...missing } = full;
    expect(issues(missing)).toEqual([expect.stringMatching(/^power: missing: expected the power section/)]);
    const { plasticityUpdateEnergyJ: _u, ...partial } = ROUND_POWER;
    expect(issues({ ...full, power: partial })).toEqual(['power.plasticityUpdateEnergyJ: expected a finite number (J), got nothing']);
    const derived = validateProfile({ ...base, power: { supplyV: 3.3 } });
    expect(derived.power).toEqual({ ...BUILTIN_PROFILES.subthreshold!.power!, supplyV: 3.3 });
  });

  it('the estimate of a compiled circuit read back from JSON is the same', () => {
    const ir = compileCircuit(tiny(), roundProfile(), { seed: 1 });
    const back = JSON.parse(JSON.stringify(ir)) as CircuitIR;
    expect(estimatePower(back)).toEqual(estimatePower(ir));
  });
});
