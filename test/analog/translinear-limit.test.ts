import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import type { Profile } from '../../hardware-models/profiles/profile.js';
import { drive } from '../helpers.js';
import { dpiDriveCoefficients, dpiPairRates } from '../../hardware-models/components/dpi-neuron.js';
import type { Drive } from '../../emulator/drive.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { FunctionSignal } from '../../emulator/stimulus/signal.js';

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

function profile(circuit: 'linear' | 'translinear', thresholdCurrentA: number, rate: 'current-sensing' | 'lead' = 'current-sensing'): Profile {
  return validateProfile({
    format: 'nla-profile/1',
    extends: 'translinear',
    name: `limit-${circuit}`,
    membrane: { capacitanceSigma: 0 },
    transfer: { gainSigma: 0, offsetSigmaV: 0 },
    synapses: { realisation: { kind: 'ideal' }, gainSigma: 0 },
    rateUnit: rate === 'lead' ? { kind: 'lead', poleRatio: 0.01, lookaheadSigma: 0, maxRate: 100 } : { kind: 'current-sensing', lookaheadSigma: 0 },
    errorUnit: { kind: 'lead', poleRatio: 0.01, lookaheadSigma: 0 },
    circuit: circuit === 'linear' ? { kind: 'linear' } : { kind: 'translinear', unitCurrentA: UNIT_A, thresholdCurrentA, commonModeUnits: M, tauSigmaV: 0, thresholdSigmaV: 0, inputSigmaV: 0, synapseSigmaV: 0 },
  });
}

function uTraces(p: Profile, drv: Drive = d, ms = 100): Float64Array[] {
  const sim = new AnalogSimulator(modelFromCircuit(compileCircuit(g, p, { seed: 3 })), { solver: 'dopri5', rtol: 1e-9, atol: 1e-12 });
  const out = sim.run({ durationMs: ms, drive: drv, probes: parseProbes('u', sim.system.graph), sampleEveryMs: 0.25 });
  expect(out.failure ?? null).toBeNull();
  return out.traces.names.map((_, i) => out.traces.columnAt(i)).filter((_, i) => out.traces.names[i]!.startsWith('u:'));
}

const maxDiff = (a: Float64Array[], b: Float64Array[]) => Math.max(...a.map((x, k) => Math.max(...x.map((v, i) => Math.abs(v - b[k]![i]!)))));

describe('translinear profile: the limit in which it is the linear profile (current-sensing rate units: the implicit form)', () => {
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

describe('the same limit with lead-stage rate units (the explicit form: u̇ straight from the DPI pairs)', () => {
  const linear = uTraces(profile('linear', 1e-12, 'lead'));
  const hs = [1e-3, 1e-2, 1e-1];
  const devs = hs.map((h) => maxDiff(uTraces(profile('translinear', h * UNIT_A, 'lead')), linear));

  it('grows monotonically, first order in I_th/I_unit', () => {
    expect(devs[0]!).toBeLessThan(1e-3);
    expect(devs[1]!).toBeGreaterThan(devs[0]!);
    expect(devs[2]!).toBeGreaterThan(devs[1]!);
    const ratio = devs[1]! / devs[0]!;
    expect(ratio).toBeGreaterThan(8);
    expect(ratio).toBeLessThan(12);
  });
});

describe('far from the linear regime the pair still settles exactly', () => {
  it('constant inputs, I_th/I_unit = 0.5: the transient departs from the linear circuit, the steady state does not (the halves\' −I_th offsets cancel in u)', () => {
    const dc = new SignalDrive(new FunctionSignal(g.nStimulusInputs, (_t, c) => 0.3 + 0.2 * c), null);
    const lin = uTraces(profile('linear', 1e-12, 'lead'), dc, 250);
    const tl = uTraces(profile('translinear', 0.5 * UNIT_A, 'lead'), dc, 250);
    expect(maxDiff(tl, lin)).toBeGreaterThan(1e-2);
    const last = (x: Float64Array[]) => x.map((c) => [c[c.length - 1]!]).map((v) => Float64Array.from(v));
    expect(maxDiff(last(tl), last(lin))).toBeLessThan(1e-6);
  });
});

describe('the common modes are part of the state', () => {
  for (const rateUnit of [{ kind: 'lead', poleRatio: 0.01, lookaheadSigma: 0, maxRate: 100 }, { kind: 'current-sensing', lookaheadSigma: 0.05 }]) it(`${rateUnit.kind} rate units: dy of the common-mode block is each pair's ṡ at the drive its u̇ implies (mismatched halves, s moved off its rest)`, () => {
    const p = validateProfile({ format: 'nla-profile/1', extends: 'translinear', name: 'mm', rateUnit, circuit: { kind: 'translinear', thresholdCurrentA: 10e-12 } });
    const sim = new AnalogSimulator(modelFromCircuit(compileCircuit(g, p, { seed: 3 })), { solver: 'dopri5' });
    const sys = sim.system;
    sys.drive = d;
    const y = sys.initialState(0, 'rest');
    const N = g.nNeurons;
    for (let i = 0; i < N; i++) y[sys.oS + i] = y[sys.oS + i]! * (1 + 0.1 * Math.sin(i + 1)) + 0.05 * i;
    const dy = new Float64Array(y.length);
    expect(sys.rhs(3, y, dy)).toBeNull();
    const pop = sys.model.dpi!;
    const r = { uDot: 0, sDot: 0 };
    for (let i = 0; i < N; i++) {
      const { kb, k0 } = dpiDriveCoefficients(pop, i, y[i]!, y[sys.oS + i]!);
      expect(dpiPairRates(pop, i, y[i]!, y[sys.oS + i]!, (dy[i]! - k0) / kb, r)).toBeNull();
      expect(Math.abs(dy[sys.oS + i]! - r.sDot)).toBeLessThan(1e-10 * (1 + Math.abs(r.sDot)));
      expect(Math.abs(dy[i]! - r.uDot)).toBeLessThan(1e-10 * (1 + Math.abs(r.uDot)));
    }
    expect(sys.componentName(sys.oS + 1)).toMatch(/DPI common mode of /);
  });
});
