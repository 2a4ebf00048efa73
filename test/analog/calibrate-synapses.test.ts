import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import type { ArrayCircuit, CircuitIR } from '../../compiler/circuit/ir.js';
import { calibratePass } from '../../compiler/circuit/passes/calibrate.js';
import { trimSynapses, type SynapseArrayTrim } from '../../compiler/circuit/passes/calibrate-synapses.js';
import { mismatchPass } from '../../compiler/circuit/passes/mismatch.js';
import { quantisePass } from '../../compiler/circuit/passes/quantise.js';
import { scalePass } from '../../compiler/circuit/passes/scale.js';
import { validateCircuit } from '../../compiler/circuit/validate.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { buildGraph } from '../../compiler/graph/build.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { UsageError } from '../../core/errors.js';
import { emulatorMeter, synapseGains } from '../../emulator/analog/calibration-meter.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import type { Profile } from '../../hardware-models/profiles/profile.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { runDigital } from '../../emulator/digital/run.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { drive } from '../helpers.js';

// Per-synapse calibration (compiler/circuit/passes/calibrate-synapses.ts). The truths: the nominal
// circuit (scale + quantise, before mismatch), the drawn cell gains γ = G_mismatched/G_nominal read from
// an uncalibrated compile of the same seed, and the DAC's arithmetic: a cell of gain γ at nominal code k
// is best reprogrammed to round(k/γ) within ±(2^bits − 1), which leaves a relative error of at most
// γ/(2|k|), or 1 − (2^bits − 1)γ/|k| where the clamp bites, and never more than |γ − 1| (code k stays a
// candidate). On the teacher network (seeds 1-8) the rms of that bound is 10.8 %, the achieved 9.7 %.

const TEACHER = fileURLToPath(new URL('../../examples/teacher/network.json', import.meta.url));
const teacher = (): NlaGraph => buildGraph(loadSpecFile(TEACHER));
const sub = (): Profile => structuredClone(BUILTIN_PROFILES.subthreshold!);

/** The circuit calibration trims towards: scale then quantise, no mismatch. */
function nominalOf(g: NlaGraph, p: Profile, seed: number): CircuitIR {
  return quantisePass.run(scalePass.run(g, { profile: p, seed }), { profile: p, seed });
}

const leakOf = (ir: CircuitIR, a: ArrayCircuit, r: number) => ir.neurons.find((n) => n.population === a.post.population && n.index === r)!.membrane.leakConductanceS;

/** rms relative error of the effective weights G/g_L (every array into a neuron) against the nominal ones. */
function effectiveWeightError(ir: CircuitIR, nominal: CircuitIR): number {
  let s = 0;
  let n = 0;
  ir.arrays.forEach((a, k) => {
    if (a.post.type !== 'neuron') return;
    const b = nominal.arrays[k]!;
    for (let r = 0; r < a.rows; r++) {
      const g = leakOf(ir, a, r);
      const g0 = leakOf(nominal, b, r);
      for (let c = 0; c < a.cols; c++) {
        const w0 = b.conductanceS[r]![c]! / g0;
        if (w0 === 0) continue;
        s += (a.conductanceS[r]![c]! / g / w0 - 1) ** 2;
        n++;
      }
    }
  });
  return Math.sqrt(s / n);
}

/**
 * Each trimmed cell's residual e = code·γ/k − 1 (γ from the uncalibrated circuit, code from the trimmed
 * one: the row trims scale G, never a code) and the bound the DAC allows, with the clamp.
 */
function residuals(trimmed: ArrayCircuit, drawn: ArrayCircuit, nominal: ArrayCircuit) {
  const max = trimmed.realisation.kind === 'dac' ? 2 ** trimmed.realisation.bits - 1 : 0;
  const out: Array<{ e: number; bound: number; code: number; k: number; gamma: number; clamped: boolean }> = [];
  for (let r = 0; r < trimmed.rows; r++) {
    for (let c = 0; c < trimmed.cols; c++) {
      const k = nominal.codes![r]![c]!;
      if (k === 0) continue;
      const gamma = drawn.conductanceS[r]![c]! / nominal.conductanceS[r]![c]!;
      const code = trimmed.codes![r]![c]!;
      const clamped = Math.abs(k) / gamma > max + 0.5;
      // the best code is never worse than the nominal one, so the bound is also |γ − 1|
      const dac = clamped ? 1 - (max * gamma) / Math.abs(k) : gamma / (2 * Math.abs(k));
      out.push({ e: (code * gamma) / k - 1, bound: Math.min(Math.abs(gamma - 1), dac), code, k, gamma, clamped });
    }
  }
  return out;
}

const rms = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
const synapseDetails = (ir: CircuitIR) => (ir.reports.find((r) => r.pass === 'calibrate')!.details as { synapses?: SynapseArrayTrim[] }).synapses;

describe('per-synapse calibration on the subthreshold profile (4-bit DACs, 15 % gain σ)', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: every code is the best the DAC offers, within the quantisation bound, and the weights' error falls`, () => {
      const g = teacher();
      const p = sub();
      const nominal = nominalOf(g, p, seed);
      const drawn = compileCircuit(g, p, { seed });
      const neurons = compileCircuit(g, p, { seed, calibrate: emulatorMeter });
      const both = compileCircuit(g, p, { seed, calibrate: emulatorMeter, calibrateSynapses: true });
      expect(() => validateCircuit(JSON.parse(JSON.stringify(both)))).not.toThrow();
      const details = synapseDetails(both)!;
      const all: number[] = [];
      const bounds: number[] = [];
      both.arrays.forEach((a, k) => {
        const res = residuals(a, drawn.arrays[k]!, nominal.arrays[k]!);
        for (const x of res) {
          expect(Math.abs(x.e)).toBeLessThanOrEqual(x.bound + 1e-12);
          // no neighbouring code does better (the clamp's end excepted)
          for (const alt of [x.code - 1, x.code + 1]) if (Math.abs(alt) <= 15) expect(Math.abs(x.e)).toBeLessThanOrEqual(Math.abs((alt * x.gamma) / x.k - 1) + 1e-12);
          if (x.clamped) expect(Math.abs(x.code)).toBe(15);
        }
        const d = details[k]!;
        expect(d.array).toBe(a.realises);
        expect(d.trimmed).toBe(true);
        expect(d.synapses).toBe(res.length);
        expect(d.clamped).toBe(res.filter((x) => x.clamped).length);
        expect(d.rmsGainErrorBefore).toBeCloseTo(rms(res.map((x) => x.gamma - 1)), 12);
        expect(d.rmsGainErrorAfter).toBeCloseTo(rms(res.map((x) => x.e)), 12);
        expect(d.rmsGainErrorAfter).toBeLessThanOrEqual(rms(res.map((x) => x.bound)) + 1e-12);
        all.push(...res.map((x) => x.e));
        bounds.push(...res.map((x) => x.bound));
      });
      // the effective weights G/g_L: neuron trims alone leave the synapses' 15 % spread; with the codes
      // trimmed what is left is the 4-bit quantisation (rms(bound)) plus the 6-bit row trim's half step
      const eNeurons = effectiveWeightError(neurons, nominal);
      const eBoth = effectiveWeightError(both, nominal);
      expect(eNeurons).toBeGreaterThan(0.13);
      expect(eNeurons / eBoth).toBeGreaterThan(1.3); // measured 1.42-1.75 over the seeds and both mismatch draw orders
      expect(eBoth).toBeLessThan(rms(bounds) + 0.4 / 63);
      expect(rms(all)).toBeLessThan(rms(bounds));
    });
  }

  it('without calibrateSynapses the synapses keep their codes and only the row trims move them', () => {
    const g = teacher();
    const p = sub();
    const drawn = compileCircuit(g, p, { seed: 2 });
    const neurons = compileCircuit(g, p, { seed: 2, calibrate: emulatorMeter });
    expect(JSON.stringify(compileCircuit(g, p, { seed: 2, calibrate: emulatorMeter, calibrateSynapses: false }))).toBe(JSON.stringify(neurons));
    expect(synapseDetails(neurons)).toBeUndefined();
    neurons.arrays.forEach((a, k) => {
      const d = drawn.arrays[k]!;
      expect(a.codes).toEqual(d.codes);
      a.conductanceS.forEach((row, r) => {
        const ratios = row.map((G, c) => G / d.conductanceS[r]![c]!).filter((x) => Number.isFinite(x));
        for (const x of ratios) expect(x).toBeCloseTo(ratios[0]!, 12); // one row factor
      });
    });
  });

  it('same seed, same trimmed circuit bit for bit; another seed, another circuit', () => {
    const g = teacher();
    const p = sub();
    const a = JSON.stringify(compileCircuit(g, p, { seed: 4, calibrate: emulatorMeter, calibrateSynapses: true }));
    expect(JSON.stringify(compileCircuit(g, p, { seed: 4, calibrate: emulatorMeter, calibrateSynapses: true }))).toBe(a);
    expect(JSON.stringify(compileCircuit(g, p, { seed: 5, calibrate: emulatorMeter, calibrateSynapses: true }))).not.toBe(a);
  });

  it('trims the separate error arrays too, and the report line says so per array', () => {
    const ir = compileCircuit(teacher(), sub(), { seed: 1, calibrate: emulatorMeter, calibrateSynapses: true });
    const rep = ir.reports.find((r) => r.pass === 'calibrate')!;
    expect(ir.arrays.some((a) => a.realises.startsWith('T:'))).toBe(true);
    for (const a of ir.arrays) expect(rep.summary).toMatch(new RegExp(`${a.realises.replace(/[>:]/g, '\\$&')} [\\d.]+ % → [\\d.]+ % \\(\\d+ clamped\\)`));
    expect(rep.summary).toMatch(/^6-bit trims: .*; per-synapse DAC codes, rms gain error in->hidden/);
  });
});

describe('arrays without codes are left alone and reported', () => {
  for (const [kind, realisation, reason] of [
    ['conductance', { kind: 'conductance', series: 'E96' }, /resistors/],
    ['ideal', { kind: 'ideal' }, /ideal synapses/],
  ] as const) {
    it(`${kind} arrays: the same circuit as neuron trims alone, every array reported as not trimmable`, () => {
      const p = validateProfile({ format: 'nla-profile/1', name: `sub-${kind}`, extends: 'subthreshold', synapses: { realisation, gainSigma: 0.15 } });
      const g = teacher();
      const neurons = compileCircuit(g, p, { seed: 3, calibrate: emulatorMeter });
      const both = compileCircuit(g, p, { seed: 3, calibrate: emulatorMeter, calibrateSynapses: true });
      expect(JSON.stringify(both.arrays)).toBe(JSON.stringify(neurons.arrays));
      const details = synapseDetails(both)!;
      expect(details).toHaveLength(both.arrays.length);
      for (const d of details) {
        expect(d.trimmed).toBe(false);
        expect(d.skipped).toMatch(reason);
        expect(d.rmsGainErrorAfter).toBe(d.rmsGainErrorBefore);
        expect(d.rmsGainErrorBefore).toBeGreaterThan(0.05); // the mismatch is there, untrimmed
      }
      const summary = both.reports.find((r) => r.pass === 'calibrate')!.summary;
      expect(summary).toContain('per-synapse DAC codes: no DAC array to trim; not trimmable per synapse: in->hidden (');
    });
  }
});

describe('the pass contract (test/analog/passes.test.ts) holds with synapse trims', () => {
  it('on the fixture circuit: leaves its input alone, appends one report, gives a valid circuit, the same one twice', () => {
    const scaled = JSON.parse(readFileSync(fileURLToPath(new URL('fixtures/circuit-2-3-1.json', import.meta.url)), 'utf8')) as CircuitIR;
    const ctx = { profile: validateProfile(structuredClone(scaled.profile)), seed: 7 };
    const nominal = quantisePass.run(scaled, ctx);
    const drawn = mismatchPass.run(nominal, ctx);
    const before = JSON.stringify(drawn);
    const pass = calibratePass(emulatorMeter, { synapses: true });
    const out = pass.run(drawn, { ...ctx, nominal });
    expect(JSON.stringify(drawn)).toBe(before);
    expect(out.reports.map((r) => r.pass)).toEqual([...drawn.reports.map((r) => r.pass), 'calibrate']);
    expect(() => validateCircuit(JSON.parse(JSON.stringify(out)))).not.toThrow();
    expect(JSON.stringify(pass.run(drawn, { ...ctx, nominal }))).toBe(JSON.stringify(out));
    // 11-bit codes on the op-amp board: an unclamped array falls to its quantisation (in->h: 0.77 % → 0.016 %);
    // where full scale 'auto' put the largest weight on the top code, a cell of gain < 1 stays clamped there
    const details = synapseDetails(out)!;
    for (const d of details) expect(d.rmsGainErrorAfter).toBeLessThanOrEqual(d.rmsGainErrorBefore);
    // calibratePass(meter) alone keeps the neuron trims of before: no code moves, no synapse report
    const neuronsOnly = calibratePass(emulatorMeter).run(drawn, { ...ctx, nominal });
    expect(neuronsOnly.arrays.map((a) => a.codes)).toEqual(drawn.arrays.map((a) => a.codes));
    expect(synapseDetails(neuronsOnly)).toBeUndefined();
    const inH = details.find((d) => d.array === 'in->h')!;
    expect(inH.clamped).toBe(0);
    expect(inH.rmsGainErrorAfter).toBeLessThan(inH.rmsGainErrorBefore / 4); // measured 5.7× (10× with the draws before per-class streams)
  });
});

describe('the meter and the refusals', () => {
  it('synapseGains: the DC current of one line over the nominal cell\'s, NaN where the nominal cell is absent', () => {
    const base = compileCircuit(layeredNetwork([2, 2], { seed: 1 }).build(), sub(), { seed: 1 }).arrays[0]!;
    const a: ArrayCircuit = { ...structuredClone(base), rows: 2, cols: 2, conductanceS: [[2e-12, -3e-12], [0, 5e-12]] };
    const nominal: ArrayCircuit = { ...structuredClone(base), rows: 2, cols: 2, conductanceS: [[1e-12, -4e-12], [0, 0]] };
    const gains = synapseGains(a, nominal, 0.1);
    expect(gains[0]).toBeCloseTo(2, 14);
    expect(gains[1]).toBeCloseTo(0.75, 14);
    expect(gains[2]).toBeNaN();
    expect(gains[3]).toBeNaN();
  });

  it('a cell with no measurable gain keeps its code and is named in a warning', () => {
    const g = teacher();
    const p = sub();
    const nominal = nominalOf(g, p, 1);
    const drawn = mismatchPass.run(nominal, { profile: p, seed: 1, nominal });
    const k = drawn.arrays.findIndex((a) => a.realises === 'hidden->out');
    const row = drawn.arrays[k]!.conductanceS[1]!;
    const c = row.findIndex((x) => x !== 0);
    row[c] = -row[c]!; // a cell that delivers the opposite current: γ < 0
    const out = calibratePass(emulatorMeter, { synapses: true }).run(drawn, { profile: p, seed: 1, nominal });
    expect(out.arrays[k]!.codes![1]![c]).toBe(drawn.arrays[k]!.codes![1]![c]);
    expect(out.reports.at(-1)!.warnings).toEqual([`hidden->out: 1 synapse(s) with no measurable gain left at their code ([1][${c}])`]);
    expect(synapseDetails(out)![k]!.unmeasurable).toBe(1);
  });

  it('a trim moves the code, never the cell: G/code is the same before and after (what digital plasticity\'s κ reads)', () => {
    const g = teacher();
    const p = structuredClone(BUILTIN_PROFILES.accelerated!);
    const nominal = nominalOf(g, p, 2);
    const drawn = mismatchPass.run(nominal, { profile: p, seed: 2, nominal });
    const out = structuredClone(drawn);
    const { arrays } = trimSynapses(out, nominal, emulatorMeter);
    let moved = 0;
    out.arrays.forEach((a, k) => a.codes!.forEach((row, r) => row.forEach((code, c) => {
      const before = drawn.arrays[k]!.codes![r]![c]!;
      if (before === 0) return expect(code === 0).toBe(true); // quantise writes -0 for small negative weights
      if (code !== before) moved++;
      expect(a.conductanceS[r]![c]! / code).toBeCloseTo(drawn.arrays[k]!.conductanceS[r]![c]! / before, 24);
    })));
    expect(moved).toBeGreaterThan(10);
    expect(arrays.every((x) => x.trimmed)).toBe(true);
  });

  it('calibrateSynapses without a meter is refused', () => {
    expect(() => compileCircuit(teacher(), sub(), { seed: 1, calibrateSynapses: true })).toThrow(UsageError);
  });
});

describe('per-synapse calibration at scale', () => {
  it('784-500-10 on the subthreshold profile: every DAC array trimmed, the gain error of each falls', () => {
    const graph = layeredNetwork([784, 500, 10], { activation: 'hard-sigmoid', seed: 5 }).build();
    const ir = compileCircuit(graph, sub(), { seed: 11, calibrate: emulatorMeter, calibrateSynapses: true });
    expect(() => validateCircuit(ir)).not.toThrow();
    const details = synapseDetails(ir)!;
    expect(details.map((d) => d.array)).toEqual(ir.arrays.map((a) => a.realises));
    expect(details.reduce((s, d) => s + d.synapses, 0)).toBeGreaterThan(0.9 * (784 * 500 + 500 * 10 * 2));
    for (const d of details) {
      expect(d.trimmed).toBe(true);
      expect(d.rmsGainErrorAfter).toBeLessThan(0.75 * d.rmsGainErrorBefore);
    }
  });
});

describe('behaviour: the example network runs closer to the digital engine', () => {
  // Inference (no learning) on examples/teacher, subthreshold components without thermal noise (so the
  // difference is calibration's), smooth input rates, both from rest; the truth is the digital engine at
  // dt = 0.01 ms. Every membrane (24 hidden, 3 outputs) is compared: the 3 outputs alone are too few to
  // average the other flaws' contributions out (6 of 8 seeds improve there; see docs/hardware.md).
  const g = teacher();
  const p = validateProfile({ format: 'nla-profile/1', name: 'subthreshold-quiet', extends: 'subthreshold', noise: null });
  const d = drive(g, false);
  const T = 60;
  const digital = runDigital(new DigitalSimulator(g, { dtMs: 0.01, learn: false }), { durationMs: T, drive: d, probes: parseProbes('u', g), sampleEveryMs: 0.5 }).traces;
  const rmse = (ir: CircuitIR) => {
    const t = new AnalogSimulator(modelFromCircuit(ir), { rtol: 1e-6, atol: 1e-9, learn: false }).run({ durationMs: T, drive: d, probes: parseProbes('u', g), sampleEveryMs: 0.5 }).traces;
    let s = 0;
    let n = 0;
    t.names.forEach((name, i) => {
      const a = t.columnAt(i);
      const b = digital.column(name);
      for (let k = 0; k < a.length; k++) {
        s += (a[k]! - b[k]!) ** 2;
        n++;
      }
    });
    return Math.sqrt(s / n);
  };
  it('seeds 1-3: the membranes\' rms error against the digital engine falls with the synapse codes trimmed', () => {
    const ratios = [1, 2, 3].map((seed) => rmse(compileCircuit(g, p, { seed, calibrate: emulatorMeter })) / rmse(compileCircuit(g, p, { seed, calibrate: emulatorMeter, calibrateSynapses: true })));
    // measured 1.29, 1.14, 1.30 with one mismatch stream per class (1.66, 1.46, 1.45 with the draws before)
    for (const r of ratios) expect(r).toBeGreaterThan(1.1);
    expect(ratios.reduce((s, r) => s + r, 0) / ratios.length).toBeGreaterThan(1.2);
  });
});
