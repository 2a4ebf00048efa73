import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { ensureBuilt, nla as run, root } from './run-nla.js';

// `nla compile` prints the power and area estimate (hardware-models/power/) for every built-in profile,
// carries it in --json, and a profile with a bad or missing power field is refused (exit 2) naming it.

const spec = join(root, 'examples/teacher/network.json');
const nla = (...args: string[]) => run(args);

beforeAll(ensureBuilt);

describe('nla compile: power and area', () => {
  for (const name of Object.keys(BUILTIN_PROFILES)) {
    it(`prints the block on ${name}`, () => {
      const r = nla('compile', spec, '--profile', name);
      expect(r.code).toBe(0);
      if (name === 'ideal') {
        expect(r.out).toMatch(/^power and area: not estimated: the profile has no power section/m);
        return;
      }
      expect(r.out).toMatch(/^power and area \(estimate; supply [\d.]+ V, τ = [\d.]+ (ms|µs)/m);
      // the teacher network: 27 neurons, 6 inputs, 3 outputs → 9 conversion channels
      expect(r.out).toMatch(/^ {4}neuron +27: static [\d.]+ [nµm]?W, [\d.]+ [fpnµ]J per event, area /m);
      expect(r.out).toMatch(/^ {4}interface +9: /m);
      expect(r.out).toMatch(/^ {4}per synaptic operation \(one synapse over τ\): [\d.]+ [fpnµm]J synapse only, [\d.]+ [fpnµm]J all in$/m);
      expect(r.out).toMatch(/^ {4}per inference \(5 τ = [\d.]+ (ms|µs)\): /m);
      expect(r.out).toMatch(/^ {4}per learning update \((analog|digital), every /m);
    });
  }

  it('--json carries the estimate', () => {
    const r = nla('compile', spec, '--profile', 'accelerated', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.power.estimated).toBe(true);
    expect(j.power.classes.find((c: { class: string }) => c.class === 'neuron').count).toBe(27);
    expect(j.power.inference.durationS).toBeGreaterThan(4e-5);
    expect(j.power.inference.durationS).toBeLessThan(6e-5); // 5 τ of 10 µs
    expect(JSON.parse(nla('compile', spec, '--profile', 'ideal', '--json').out).power.estimated).toBe(false);
  });

  it('a negative or missing power field in a profile file exits 2 naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-power-'));
    writeFileSync(join(dir, 'neg.json'), JSON.stringify({ format: 'nla-profile/1', name: 'neg', extends: 'subthreshold', power: { biasCurrentA: { neuron: -1e-9 } } }));
    const neg = nla('compile', spec, '--profile', join(dir, 'neg.json'));
    expect(neg.code).toBe(2);
    expect(neg.err).toContain('neg.json: power.biasCurrentA.neuron: expected a number > 0 (A), got -1e-9');
    const { power: _drop, ...noPower } = { ...structuredClone(BUILTIN_PROFILES.subthreshold!), name: 'nopower' };
    writeFileSync(join(dir, 'missing.json'), JSON.stringify(noPower));
    const missing = nla('compile', spec, '--profile', join(dir, 'missing.json'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/missing\.json: power: missing: expected the power section/);
    const partial = { ...structuredClone(BUILTIN_PROFILES.subthreshold!), name: 'partial' } as unknown as { power: Record<string, unknown> };
    delete partial.power.conversionEnergyJ;
    writeFileSync(join(dir, 'partial.json'), JSON.stringify(partial));
    const p = nla('compile', spec, '--profile', join(dir, 'partial.json'));
    expect(p.code).toBe(2);
    expect(p.err).toContain('partial.json: power.conversionEnergyJ: expected a finite number (J), got nothing');
  });

  it('nla profiles prints the power section\'s key values', () => {
    const r = nla('profiles');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ideal:[\s\S]*power\s+not estimated \(no circuit: power null\)/);
    expect(r.out).toMatch(/opamp-board:[\s\S]*power\s+supply 24 V; bias neuron 1\.4 mA, rate 2\.8 mA, error 2\.8 mA, synapse 10 µA, input 1\.4 mA; area neuron 1 cm², synapse 30 mm²; conversion 10 nJ, weight update 100 nJ/);
  });
});
