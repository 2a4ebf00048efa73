import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import { network } from '../../compiler/spec/builder.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { acceleratedNominal } from '../helpers.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { FunctionSignal } from '../../emulator/stimulus/signal.js';

// The emulator integrates in model time (ms of the network spec); a profile's timeScale says how many
// seconds of circuit time one model ms is (1e-3 biological, 1e-6 for the 1000× accelerated chip). These
// tests measure a compiled membrane's time constant in seconds against the documented value, so a τ
// computed with the wrong time scale (1000× off on the accelerated profile) fails.

/** The accelerated profile without mismatch and noise: the nominal circuit, deterministic. */
const accelerated = () => acceleratedNominal({ noise: false });

describe('membrane time constants in seconds (accelerated profile: τ = 10 ms of model time = 10 µs)', () => {
  const tauMs = 10;
  const tauInMs = 5;
  const p = BUILTIN_PROFILES.accelerated!;

  it('the profile documents 1000× (1 model ms = 1 µs) and C = 1.2 pF (docs/hardware.md)', () => {
    expect(p.timeScale).toBe(1e-6);
    expect(p.membrane.capacitanceF).toBe(1.2e-12);
  });

  it('every compiled membrane has C/g_L = 10 µs, the input filters R·C = τ_in·1 µs/ms', () => {
    const g = network('tau').seed(1).tauMs(tauMs).tauInMs(tauInMs).activation('linear').input('in', 2).hidden('h', 3).output('out', 2).connect('in', 'h').connect('h', 'out').build();
    const ir = compileCircuit(g, accelerated());
    expect(ir.timeScale).toBe(1e-6);
    for (const n of ir.neurons) expect(n.membrane.capacitanceF / n.membrane.leakConductanceS).toBeCloseTo(10e-6, 15);
    for (const x of ir.inputs) expect(x.resistanceOhm * x.capacitanceF).toBeCloseTo(5e-6, 15);
    // with the built-in mismatch (C 5 %, g_L 10 %) τ scatters around 10 µs, never by orders of magnitude
    for (const n of compileCircuit(g, structuredClone(p), { seed: 2 }).neurons) {
      const tau = n.membrane.capacitanceF / n.membrane.leakConductanceS;
      expect(tau).toBeGreaterThan(5e-6);
      expect(tau).toBeLessThan(20e-6);
    }
  });

  it("the emulated step response of one compiled neuron has τ = 10 µs in seconds (the membrane's closed form)", () => {
    // in → h → out, all linear, weights 1. With prospective (look-ahead) units the membrane τ cancels out
    // of the forward path, which is the point of the NLA; so h's rate unit is rebuilt without look-ahead
    // (r_h = ρ(u_h)): out is then a plain RC membrane driven by u_h and low-passes it with its own τ_m.
    // β = 0 and zero feedback weights: no error reaches either neuron.
    const g = network('step')
      .seed(1)
      .beta(0)
      .tauMs(tauMs)
      .tauInMs(tauInMs)
      .activation('linear')
      .feedback({ mode: 'random', init: { distribution: 'zeros' } })
      .input('in', 1)
      .hidden('h', 1)
      .output('out', 1)
      .connect('in', 'h', { weights: [[1]] })
      .connect('h', 'out', { weights: [[1]] })
      .build();
    const ir = compileCircuit(g, accelerated());
    const h = ir.neurons.find((n) => n.realises === 'h[0]')!;
    h.rateUnit = { kind: 'current-sensing', lookaheadS: 0 };
    const sim = new AnalogSimulator(modelFromCircuit(ir), { rtol: 1e-10, atol: 1e-13, init: 'rest' });
    // a step of the input rate at t = 0 (rest: r̄_in = 0): u_h = r̄_in = A(1 − e^{−t/τ_in}) exactly,
    // and u_out = A(1 − (τ_in e^{−t/τ_in} − τ_m e^{−t/τ_m})/(τ_in − τ_m)), in seconds
    const A = 0.5;
    const drive = new SignalDrive(new FunctionSignal(1, () => A));
    const res = sim.run({ durationMs: 100, drive, probes: parseProbes('u', sim.system.graph), sampleEveryMs: 0.25 });
    const tModel = res.traces.time();
    const uh = res.traces.column('u:h[0]');
    const uo = res.traces.column('u:out[0]');
    const tauM = tauMs * 1e-6; // documented: 10 µs
    const tauIn = tauInMs * 1e-6;
    let errH = 0;
    let errOut = 0;
    let errFast = 0;
    tModel.forEach((tm, k) => {
      const t = tm * ir.timeScale; // seconds
      const inFilter = A * (1 - Math.exp(-t / tauIn));
      const membrane = A * (1 - (tauIn * Math.exp(-t / tauIn) - tauM * Math.exp(-t / tauM)) / (tauIn - tauM));
      errH = Math.max(errH, Math.abs(uh[k]! - inFilter));
      errOut = Math.max(errOut, Math.abs(uo[k]! - membrane));
      // the same response with a membrane 1000× faster (τ = 10 ns): what a wrong time scale would show
      const fast = A * (1 - (tauIn * Math.exp(-t / tauIn) - (tauM / 1000) * Math.exp(-t / (tauM / 1000))) / (tauIn - tauM / 1000));
      errFast = Math.max(errFast, Math.abs(membrane - fast));
    });
    expect(uo[uo.length - 1]!).toBeCloseTo(A, 3);
    expect(errH).toBeLessThan(1e-6 * A);
    expect(errOut).toBeLessThan(1e-6 * A);
    expect(errFast).toBeGreaterThan(0.1 * A); // the test can tell the two apart by a wide margin
    // read off the trace: the time u_out takes to reach half its final value, in seconds, against the
    // closed form's (found by bisection)
    const k = uo.findIndex((v) => v >= A / 2);
    const tHalf = tModel[k - 1]! + ((A / 2 - uo[k - 1]!) / (uo[k]! - uo[k - 1]!)) * (tModel[k]! - tModel[k - 1]!);
    let lo = 0;
    let hi = 100e-6;
    const s = (t: number) => 1 - (tauIn * Math.exp(-t / tauIn) - tauM * Math.exp(-t / tauM)) / (tauIn - tauM);
    for (let i = 0; i < 80; i++) {
      const mid = (lo + hi) / 2;
      if (s(mid) < 0.5) lo = mid;
      else hi = mid;
    }
    expect(Math.abs(tHalf * ir.timeScale - lo) / lo).toBeLessThan(2e-3);
  });
});
