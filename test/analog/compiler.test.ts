import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import type { CircuitIR } from '../../compiler/circuit/ir.js';
import { validateCircuit } from '../../compiler/circuit/validate.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { SpecError } from '../../core/errors.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';
import { emulatorMeter } from '../../emulator/analog/calibration-meter.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { drive } from '../helpers.js';

const big = () => layeredNetwork([30, 40, 20], { activation: 'hard-sigmoid', seed: 7, init: { distribution: 'normal', std: 0.2, cutoff: 0.6 } }).build();

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof SpecError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

describe('circuit compiler', () => {
  it('quantises weights to the profile\'s DAC codes and reports zeroed and clipped weights', () => {
    const g = big();
    const p = validateProfile({ format: 'nla-profile/1', name: 'dac4', extends: 'ideal', synapses: { realisation: { kind: 'dac', bits: 4, fullScale: 0.3 }, gainSigma: 0 } });
    const ir = compileCircuit(g, p);
    const a = ir.arrays.find((x) => x.realises === 'in->h1')!;
    const lsb = 0.3 / 15;
    expect(a.lsbWeight).toBeCloseTo(lsb, 15);
    const W = g.projections.find((x) => x.name === 'in->h1')!.weights;
    let zeroed = 0;
    let clipped = 0;
    a.codes!.forEach((row, r) =>
      row.forEach((code, c) => {
        const w = W[r * a.cols + c]!;
        expect(Math.abs(code)).toBeLessThanOrEqual(15);
        if (Math.abs(Math.round(w / lsb)) > 15) clipped++;
        else expect(code).toBe(Math.round(w / lsb));
        if (code === 0 && w !== 0) zeroed++;
      }),
    );
    const rep = ir.reports.find((r) => r.pass === 'quantise')!.details as { arrays: Array<{ array: string; zeroed: number; clipped: number }> };
    const row = rep.arrays.find((x) => x.array === 'in->h1')!;
    expect(row.zeroed).toBe(zeroed);
    expect(row.clipped).toBe(clipped);
    expect(clipped).toBeGreaterThan(0);
  });

  it('names neurons that quantisation silences', () => {
    const g = layeredNetwork([3, 2, 1], { seed: 1, init: { distribution: 'constant', value: 0.001 } }).build();
    const g2 = structuredClone(g);
    g2.projections[0]!.weights.set([0.9, 0.9, 0.9], 0); // h1[0] keeps strong inputs, h1[1] only tiny ones
    const ir = compileCircuit(g2, validateProfile({ format: 'nla-profile/1', name: 'x', extends: 'ideal', synapses: { realisation: { kind: 'dac', bits: 3, fullScale: 'auto' }, gainSigma: 0 } }));
    const rep = ir.reports.find((r) => r.pass === 'quantise')!;
    expect((rep.details as { silenced: string[] }).silenced).toEqual(['h1[1]']);
    expect(rep.warnings.join(' ')).toContain('quantisation silences 1 neuron(s): every forward input of h1[1] is 0');
  });

  it('mismatch: drawn deviations have the profile\'s σ; the same seed gives the same circuit bit for bit', () => {
    const g = big();
    const p = structuredClone(BUILTIN_PROFILES.subthreshold!);
    const a = compileCircuit(g, p, { seed: 11 });
    const b = compileCircuit(g, p, { seed: 11 });
    const c = compileCircuit(g, p, { seed: 12 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a.neurons)).not.toBe(JSON.stringify(c.neurons));
    const nominal = compileCircuit(g, validateProfile({ ...structuredClone(p), membrane: { ...p.membrane, capacitanceSigma: 0, leakSigma: 0 }, synapses: { ...p.synapses, gainSigma: 0 } }), { seed: 11 });
    const sd = (xs: number[]) => {
      const m = xs.reduce((s, x) => s + x, 0) / xs.length;
      return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
    };
    // relative deviations of C and g_L from their nominal values, measured on the circuit itself
    const dC = a.neurons.map((n, i) => n.membrane.capacitanceF / nominal.neurons[i]!.membrane.capacitanceF - 1);
    const dG = a.neurons.map((n, i) => n.membrane.leakConductanceS / nominal.neurons[i]!.membrane.leakConductanceS - 1);
    // 60 neurons: σ within ±30 % of the profile's (a 95 % band for n = 60 is about ±18 %)
    expect(Math.abs(sd(dC) / p.membrane.capacitanceSigma - 1)).toBeLessThan(0.3);
    expect(Math.abs(sd(dG) / p.membrane.leakSigma - 1)).toBeLessThan(0.3);
    const dW: number[] = [];
    a.arrays.forEach((arr, k) => arr.conductanceS.forEach((row, r) => row.forEach((G, j) => {
      const n = nominal.arrays[k]!.conductanceS[r]![j]!;
      if (n !== 0) dW.push(G / n - 1);
    })));
    expect(dW.length).toBeGreaterThan(1000);
    expect(Math.abs(sd(dW) / p.synapses.gainSigma - 1)).toBeLessThan(0.1);
    const rep = a.reports.find((r) => r.pass === 'mismatch')!.details as { drawn: Record<string, { sigma: number }> };
    expect(rep.drawn['synapse gain (relative)']!.sigma).toBeCloseTo(sd(dW), 2);
  });

  it('calibration reduces the trace error of a mismatched chip against the ideal circuit', () => {
    const g = layeredNetwork([4, 8, 3], { activation: 'logistic', seed: 3, beta: 0.2, init: { distribution: 'normal', std: 0.6 } }).build();
    // big device mismatch but exact units, so the error is what calibration can fix
    const p = validateProfile({ format: 'nla-profile/1', name: 'mismatched', extends: 'ideal', membrane: { leakSigma: 0.2, capacitanceSigma: 0.1 }, transfer: { gainSigma: 0.15, offsetSigmaV: 0.05 }, calibration: { trimBits: 6, trimRange: 0.5, offsetTrimV: 0.2 } });
    const d = drive(g, true);
    const run = (ir: CircuitIR) => new AnalogSimulator(modelFromCircuit(ir), { rtol: 1e-7, atol: 1e-10, init: 'equilibrium' }).run({ durationMs: 200, drive: d, probes: parseProbes('u', g), sampleEveryMs: 1 }).traces;
    const ideal = run(compileCircuit(g, structuredClone(BUILTIN_PROFILES.ideal!)));
    const raw = run(compileCircuit(g, p, { seed: 5 }));
    const calIr = compileCircuit(g, p, { seed: 5, calibrate: emulatorMeter });
    const cal = run(calIr);
    const rmse = (t: typeof raw) => {
      let s = 0;
      let n = 0;
      t.names.forEach((name, i) => {
        if (!name.startsWith('u:')) return;
        const a = t.columnAt(i);
        const b = ideal.column(name);
        for (let k = 0; k < a.length; k++) {
          s += (a[k]! - b[k]!) ** 2;
          n++;
        }
      });
      return Math.sqrt(s / n);
    };
    const before = rmse(raw);
    const after = rmse(cal);
    expect(after).toBeLessThan(before / 3);
    const rep = calIr.reports.find((r) => r.pass === 'calibrate')!.details as { before: { tauRelative: number }; after: { tauRelative: number } };
    expect(rep.after.tauRelative).toBeLessThan(rep.before.tauRelative / 5);
  });
});

describe('bad profiles and circuits are rejected with the JSON path', () => {
  it('profiles', () => {
    expect(issues(() => validateProfile({ format: 'nla-profile/1', name: 'x', extends: 'ideal', membrane: { capacitanceF: -1e-12 } }))).toContain('membrane.capacitanceF: expected a number > 0 (F), got -1e-12');
    expect(issues(() => validateProfile({ format: 'nla-profile/1', name: 'x', extends: 'ideal', rateUnit: { kind: 'differentiator' } }))[0]).toMatch(/^rateUnit\.kind: expected one of 'exact', 'current-sensing', 'lead', got 'differentiator'/);
    expect(issues(() => validateProfile({ format: 'nla-profile/1', name: 'x', timeScale: 1e-3 }))).toContain('voltsPerUnit: expected a finite number (V), got nothing');
    expect(issues(() => validateProfile({ format: 'nla-profile/1', extends: 'quantum' }))[0]).toMatch(/^extends: expected one of 'ideal', 'subthreshold', 'accelerated', 'opamp-board'/);
  });

  it('circuits', () => {
    const ir = compileCircuit(layeredNetwork([2, 3, 1], { seed: 1 }).build(), structuredClone(BUILTIN_PROFILES['opamp-board']!));
    expect(() => validateCircuit(JSON.parse(JSON.stringify(ir)))).not.toThrow();
    const bad = JSON.parse(JSON.stringify(ir));
    bad.neurons[2].membrane.capacitanceF = -1e-9;
    delete bad.neurons[1].membrane.leakConductanceS;
    bad.neurons[0].rateUnit = { kind: 'flux-capacitor' };
    bad.arrays[1].conductanceS.pop();
    const got = issues(() => validateCircuit(bad, 'c.json'));
    expect(got).toContain('neurons[2].membrane.capacitanceF: expected a number > 0 (F), got -1e-9');
    expect(got).toContain('neurons[1].membrane.leakConductanceS: expected a finite number (S), got nothing');
    expect(got.some((m) => m.startsWith("neurons[0].rateUnit.kind: expected one of 'exact', 'current-sensing', 'lead', got 'flux-capacitor'"))).toBe(true);
    expect(got).toContain('arrays[1].conductanceS: expected 1×3, got 0×0');
  });
});
