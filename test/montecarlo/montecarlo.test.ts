import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import { withoutMismatch } from '../../compiler/circuit/passes/mismatch-classes.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import type { Profile } from '../../hardware-models/profiles/profile.js';
import { digitalEngine } from '../../emulator/digital/engine.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { driveFromFiles } from '../../cli/drive-files.js';
import { classify, loadNetwork, type MonteCarloSetup, type TransientSetup } from '../../cli/montecarlo/chip.js';
import { runMonteCarlo, type Reference } from '../../cli/montecarlo/run.js';
import { testImages } from '../../cli/montecarlo/test-set.js';
import { buildSetup, type MonteCarloCliOptions } from '../../cli/commands/montecarlo.js';

// The Monte Carlo orchestration in this thread (workers = 1: the pool runs the chip handler in process).
// Truths: a profile without spread gives every chip the nominal chip; the sensitivity ranking finds the class
// that was given the spread; the classifier on the ideal profile is the ideal network, bit for bit.
const root = join(import.meta.dirname, '../..');
const teacher = join(root, 'examples/teacher/network.json');

function transientSetup(profile: Profile, durationMs: number): MonteCarloSetup {
  const t: TransientSetup = { durationMs, sampleEveryMs: 1, learn: false, init: 'rest', probes: 'u:out', engineValues: {}, input: join(root, 'examples/teacher/input.csv'), interp: 'step', targetInterp: 'step' };
  return { specPath: teacher, statePath: null, profile, calibrate: 'none', transient: t, classifier: null };
}

async function digitalReference(setup: MonteCarloSetup): Promise<Reference> {
  const g = loadNetwork(setup);
  const t = setup.transient!;
  const e = await digitalEngine.create({ kind: 'network', graph: g, file: setup.specPath }, { init: 'rest', learn: false, seed: undefined }, {});
  const out = await e.run({ durationMs: t.durationMs, drive: driveFromFiles(g, t), probes: parseProbes('u:out', g), sampleEveryMs: 1, weightsEveryMs: undefined });
  return { kind: 'transient', traces: out.traces };
}

const quiet = (p: Profile, over: Partial<Profile> = {}): Profile => ({ ...withoutMismatch({ ...structuredClone(p), noise: null }), ...over });

describe('Monte Carlo (in process)', () => {
  it('a profile without spread: every chip is the nominal chip, and the ideal chip tracks the digital engine', async () => {
    const setup = transientSetup(BUILTIN_PROFILES.ideal!, 40);
    const r = await runMonteCarlo({ setup, runs: 3, seed: 5, corners: [null], sensitivityRuns: 0, workers: 1, tolerance: 0.01, maxTaskError: null, reference: await digitalReference(setup) });
    const c = r.corners[0]!;
    expect(c.chips.map((x) => x.traceError)).toEqual([c.nominal.traceError, c.nominal.traceError, c.nominal.traceError]);
    // the exact circuit in continuous time against the paper's Euler scheme at dt = 0.1 ms
    expect(c.nominal.traceError).toBeLessThan(0.01);
    expect(c.yield!.passed).toBe(3);
    expect(new Set(r.chipSeeds).size).toBe(3);
  });

  it('the sensitivity ranking puts the class with the spread first, and the classes add up', async () => {
    const sub = BUILTIN_PROFILES.subthreshold!;
    // synapse gain σ 20 %, transfer gain σ 1 %, nothing else varies, no noise
    const profile = quiet(sub, { synapses: { ...sub.synapses, gainSigma: 0.2 }, transfer: { gainSigma: 0.01, offsetSigmaV: 0 } });
    const setup = transientSetup(profile, 40);
    const r = await runMonteCarlo({ setup, runs: 3, seed: 5, corners: [null], sensitivityRuns: 3, workers: 1, tolerance: null, maxTaskError: null, reference: await digitalReference(setup) });
    const s = r.sensitivity!;
    expect(s.entries.map((e) => e.knob)).toEqual(['synapses.gainSigma', 'transfer.gainSigma']);
    expect(s.entries[0]!.share).toBeGreaterThan(0.8);
    // small, independent perturbations: the mean-square excess of all classes ≈ the sum of each alone
    expect(Math.abs(s.allKnobsExcessMs - s.sumOfKnobsExcessMs) / s.allKnobsExcessMs).toBeLessThan(0.3);
    // the chips differ from each other and from the nominal chip (quantisation alone), not necessarily upwards
    const e = r.corners[0]!.chips.map((x) => x.traceError);
    expect(new Set([...e, r.corners[0]!.nominal.traceError]).size).toBe(4);
  });

  it('a classifier on the ideal profile is the ideal network at DC; on subthreshold each chip errs its own way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-mc-'));
    const spec = join(dir, 'net.json');
    writeFileSync(spec, JSON.stringify({ format: 'nla-network/1', name: 'tiny-mnist', seed: 3, tauMs: 10, beta: 0.1, activation: 'hard-sigmoid', init: { distribution: 'normal', mean: 0, std: 0.1, cutoff: 0.3 }, populations: [{ name: 'in', kind: 'input', size: 196 }, { name: 'h', kind: 'hidden', size: 12, bias: true }, { name: 'out', kind: 'output', size: 10, activation: 'linear', bias: true }], projections: [{ from: 'in', to: 'h' }, { from: 'h', to: 'out' }] }));
    const base: MonteCarloSetup = { specPath: spec, statePath: null, profile: BUILTIN_PROFILES.ideal!, calibrate: 'none', transient: null, classifier: { dataset: 'mnist', images: 30 } };
    const g = loadNetwork(base);
    const images = testImages('mnist', 30, g);
    const ideal = classify(compileCircuit(g, BUILTIN_PROFILES.ideal!, { seed: 1 }), images);
    const reference: Reference = { kind: 'classifier', outputs: ideal.outputs!, labels: images.labels, outputsPerImage: 10 };
    const onIdeal = await runMonteCarlo({ setup: base, runs: 2, seed: 1, corners: [null], sensitivityRuns: 0, workers: 1, tolerance: null, maxTaskError: null, reference });
    for (const c of onIdeal.corners[0]!.chips) {
      expect(c.traceError).toBeLessThan(1e-9);
      expect(c.taskError).toBe(onIdeal.referenceTaskError);
    }
    const onSub = await runMonteCarlo({ setup: { ...base, profile: BUILTIN_PROFILES.subthreshold! }, runs: 3, seed: 1, corners: [null], sensitivityRuns: 0, workers: 1, tolerance: null, maxTaskError: null, reference });
    const e = onSub.corners[0]!.chips.map((c) => c.traceError);
    expect(Math.min(...e)).toBeGreaterThan(1e-4);
    expect(new Set(e).size).toBe(3);
  });
});

describe('the command line to every chip', () => {
  const base: MonteCarloCliOptions = { profile: 'ideal', runs: '2', cornerSigmas: '3', testImages: '10', duration: '5ms', input: join(root, 'examples/teacher/input.csv'), interp: 'step', targetInterp: 'step', init: 'rest', sampleEvery: '1ms' };
  it("passes the analog engine's strings and switches as given (--no-affine-inputs reads false)", () => {
    const values = (o: Partial<MonteCarloCliOptions>) => buildSetup(teacher, { ...base, ...o }).transient!.engineValues;
    expect(values({ affineInputs: false }).affineInputs).toBe(false);
    expect(values({ affineInputs: true }).affineInputs).toBe(true);
    expect(values({ rtol: '1e-5', kinks: 'free' })).toMatchObject({ rtol: '1e-5', kinks: 'free' });
    expect(values({}).rtol).toBeUndefined();
  });
});
