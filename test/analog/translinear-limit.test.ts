import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import type { Profile } from '../../hardware-models/profiles/profile.js';
import { drive } from '../helpers.js';

/**
 * THE LIMIT TEST. With mismatch off, a translinear circuit is the linear one with each membrane replaced
 * by a DPI pair whose u̇ differs from (x − u)/τ by at most ε|x − u| (first order), ε = h/(h + a_min):
 * h = I_th/I_unit and a_min = m − h − max|u|/2 the smallest half current in units. So the runs differ by
 * O(ε · max τ|u̇|); the bound used is 2·depth·ε·max τ|u̇| (depth 2: one hidden and one output layer, each
 * passing its own error on) plus the solvers' floor (rtol 1e-9).
 */
const g = layeredNetwork([3, 6, 2], { activation: 'logistic', seed: 2, beta: 0.2, bias: true, init: { distribution: 'normal', std: 0.5 } }).build();
const d = drive(g, true);
const UNIT_A = 50e-12;
const M = 4;

function profile(circuit: 'linear' | 'translinear', thresholdCurrentA: number): Profile {
  return validateProfile({
    format: 'nla-profile/1',
    extends: 'translinear',
    name: `limit-${circuit}`,
    membrane: { capacitanceSigma: 0 },
    transfer: { gainSigma: 0, offsetSigmaV: 0 },
    synapses: { realisation: { kind: 'ideal' }, gainSigma: 0 },
    rateUnit: { kind: 'current-sensing', lookaheadSigma: 0 },
    errorUnit: { kind: 'lead', poleRatio: 0.01, lookaheadSigma: 0 },
    circuit: circuit === 'linear' ? { kind: 'linear' } : { kind: 'translinear', unitCurrentA: UNIT_A, thresholdCurrentA, commonModeUnits: M, tauSigmaV: 0, thresholdSigmaV: 0, inputSigmaV: 0 },
  });
}

function uTraces(p: Profile): Float64Array[] {
  const sim = new AnalogSimulator(modelFromCircuit(compileCircuit(g, p, { seed: 3 })), { solver: 'dopri5', rtol: 1e-9, atol: 1e-12 });
  const out = sim.run({ durationMs: 100, drive: d, probes: parseProbes('u', sim.system.graph), sampleEveryMs: 0.25 });
  expect(out.failure ?? null).toBeNull();
  return out.traces.names.map((_, i) => out.traces.columnAt(i)).filter((_, i) => out.traces.names[i]!.startsWith('u:'));
}

const maxDiff = (a: Float64Array[], b: Float64Array[]) => Math.max(...a.map((x, k) => Math.max(...x.map((v, i) => Math.abs(v - b[k]![i]!)))));

describe('translinear profile: the limit in which it is the linear profile', () => {
  const linear = uTraces(profile('linear', 1e-12));
  const maxU = Math.max(...linear.map((x) => Math.max(...x.map(Math.abs))));
  // max τ|u̇| from the linear run (τ = 10 ms, samples 0.25 ms apart)
  const maxDrive = Math.max(...linear.map((x) => Math.max(...x.slice(1).map((v, i) => (10 * Math.abs(v - x[i]!)) / 0.25))));
  const bound = (h: number) => 4 * (h / (h + M - h - maxU / 2)) * maxDrive + 1e-6;
  const hs = [1e-6, 1e-3, 1e-2, 1e-1];
  const devs = hs.map((h) => maxDiff(uTraces(profile('translinear', h * UNIT_A)), linear));

  it('deep in the linear regime (I_th/I_unit = 1e-6) the runs agree within the derived bound', () => {
    expect(maxU).toBeGreaterThan(0.1); // the network moves
    expect(devs[0]!).toBeLessThan(bound(1e-6));
    expect(devs[0]!).toBeLessThan(1e-5);
  });

  it('the deviation grows monotonically as the operating point leaves the linear regime, to first order in I_th/I_unit', () => {
    for (let k = 1; k < hs.length; k++) {
      expect(devs[k]!).toBeGreaterThan(devs[k - 1]!);
      expect(devs[k]!).toBeLessThan(bound(hs[k]!));
    }
    // first order: 10× the threshold current, about 10× the deviation (between 8× and 12×; measured 10.0×)
    const ratio = devs[2]! / devs[1]!;
    expect(ratio).toBeGreaterThan(8);
    expect(ratio).toBeLessThan(12);
  });
});
