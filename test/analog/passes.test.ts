import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { circuitPasses, compileCircuit } from '../../compiler/circuit/compile.js';
import type { CircuitIR } from '../../compiler/circuit/ir.js';
import { calibratePass } from '../../compiler/circuit/passes/calibrate.js';
import { mismatchPass } from '../../compiler/circuit/passes/mismatch.js';
import type { Pass, PassContext } from '../../compiler/circuit/passes/pass.js';
import { quantisePass } from '../../compiler/circuit/passes/quantise.js';
import { scalePass } from '../../compiler/circuit/passes/scale.js';
import { validateCircuit } from '../../compiler/circuit/validate.js';
import { network } from '../../compiler/spec/builder.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';
import { emulatorMeter } from '../../emulator/analog/calibration-meter.js';

// Fixture tests of the compiler passes: every pass has the same type (Pass, compiler/circuit/passes/
// pass.ts) and is held to the same contract on the same fixture circuit, fixtures/circuit-2-3-1.json:
// the scale pass's output for the network below on the profile stored in the fixture (the op-amp board
// profile when it was written; the test reads it back from the file, so a later change to a built-in
// profile does not move it). Regenerate with NLA_WRITE_FIXTURES=1 after a deliberate change.

const FIXTURE = fileURLToPath(new URL('fixtures/circuit-2-3-1.json', import.meta.url));
const WRITE = Boolean(process.env.NLA_WRITE_FIXTURES);
const fixture = (): CircuitIR => JSON.parse(readFileSync(FIXTURE, 'utf8')) as CircuitIR;

/** 2-3-1, logistic, bias, fixed weights, plastic forward arrays: every kind of component once. */
const graph = () =>
  network('fixture-2-3-1')
    .seed(1)
    .beta(0.2)
    .activation('logistic')
    .input('in', 2)
    .hidden('h', 3, { bias: true })
    .output('out', 1, { bias: true })
    .connect('in', 'h', { weights: [[0.8, -0.3], [0.05, 0.6], [-0.9, 0.4]] })
    .connect('h', 'out', { weights: [[0.7, -0.5, 0.25]] })
    .plasticity({ enabled: true, etaPerMs: 0.002 })
    .build();

const context = (ir: CircuitIR, nominal?: CircuitIR): PassContext => ({ profile: validateProfile(structuredClone(ir.profile)), seed: 7, ...(nominal ? { nominal } : {}) });

/** The passes after scale, with the circuit each one takes on the fixture. */
function chain(): Array<{ pass: Pass; input: CircuitIR; ctx: PassContext }> {
  const scaled = fixture();
  const ctx = context(scaled);
  const quantised = quantisePass.run(scaled, ctx);
  const drawn = mismatchPass.run(quantised, ctx);
  return [
    { pass: quantisePass, input: scaled, ctx },
    { pass: mismatchPass, input: quantised, ctx },
    { pass: calibratePass(emulatorMeter), input: drawn, ctx: context(scaled, quantised) },
  ];
}

describe('compiler passes: one Pass type, one contract, on the fixture circuit', () => {
  it('scale: the fixture is what the scale pass makes of the network on the stored profile', () => {
    if (WRITE) writeFileSync(FIXTURE, JSON.stringify(scalePass.run(graph(), { profile: structuredClone(BUILTIN_PROFILES['opamp-board']!), seed: 7 }), null, 1) + '\n');
    const f = fixture();
    const ir = scalePass.run(graph(), context(f));
    expect(ir.profile.name).toBe('opamp-board');
    expect(JSON.parse(JSON.stringify(ir))).toEqual(f);
    expect(ir.reports.map((r) => r.pass)).toEqual(['scale']);
    expect(() => validateCircuit(JSON.parse(JSON.stringify(ir)))).not.toThrow();
  });

  for (const name of ['quantise', 'mismatch', 'calibrate']) {
    it(`${name}: leaves its input alone, appends one report under its name, gives a valid circuit, the same one twice`, () => {
      const step = chain().find((s) => s.pass.name === name)!;
      const before = JSON.stringify(step.input);
      const out = step.pass.run(step.input, step.ctx);
      expect(JSON.stringify(step.input)).toBe(before);
      expect(out.reports.map((r) => r.pass)).toEqual([...step.input.reports.map((r) => r.pass), name]);
      expect(() => validateCircuit(JSON.parse(JSON.stringify(out)))).not.toThrow();
      expect(JSON.stringify(step.pass.run(step.input, step.ctx))).toBe(JSON.stringify(out));
    });
  }

  it('quantise on the fixture: 11-bit + sign codes, G = code·lsb·g_L of the row', () => {
    const f = fixture();
    const out = quantisePass.run(f, context(f));
    const a = out.arrays.find((x) => x.realises === 'in->h')!;
    expect(a.realisation).toEqual({ kind: 'dac', bits: 11, fullScale: 'auto' });
    expect(a.lsbWeight).toBeCloseTo(0.9 / 2047, 15);
    const gL = (r: number) => out.neurons.find((n) => n.realises === `h[${r}]`)!.membrane.leakConductanceS;
    a.codes!.forEach((row, r) => row.forEach((code, c) => expect(a.conductanceS[r]![c]).toBeCloseTo(code * a.lsbWeight * gL(r), 20)));
    expect(a.codes![0]).toEqual([Math.round(0.8 / a.lsbWeight), Math.round(-0.3 / a.lsbWeight)]);
  });

  it('calibrate needs the nominal circuit in its context', () => {
    const f = fixture();
    expect(() => calibratePass(emulatorMeter).run(f, context(f))).toThrow(/nominal/);
  });

  it('compileCircuit is scale followed by circuitPasses, in order', () => {
    const f = fixture();
    const profile = validateProfile(structuredClone(f.profile));
    const compiled = compileCircuit(graph(), profile, { seed: 7 });
    let ir = scalePass.run(graph(), { profile, seed: 7 });
    for (const p of circuitPasses()) ir = p.run(ir, { profile, seed: 7 });
    expect(circuitPasses().map((p) => p.name)).toEqual(['quantise', 'mismatch']);
    expect(circuitPasses({ calibrate: emulatorMeter }).map((p) => p.name)).toEqual(['quantise', 'mismatch', 'calibrate']);
    expect(JSON.stringify(ir)).toBe(JSON.stringify(compiled));
  });
});
