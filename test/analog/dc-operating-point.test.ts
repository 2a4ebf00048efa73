import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import type { Profile } from '../../hardware-models/profiles/profile.js';
import { DcOperatingPoint } from '../../emulator/analog/dc-operating-point.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { ConstantSignal } from '../../emulator/stimulus/signal.js';

// The DC operating point must be where the emulator's transient settles: the same mismatched, quantised
// circuit, integrated for 40 τ by the adaptive solver (a second, independent computation).
const noiseless = (p: Profile): Profile => ({ ...structuredClone(p), noise: null });

describe('DC operating point of a compiled layered circuit', () => {
  const graph = layeredNetwork([5, 7, 4, 3], { activation: 'logistic', seed: 3, bias: true, init: { distribution: 'normal', std: 0.4 } }).build();
  const rates = [0.2, 0.9, 0.5, 0.05, 0.7];
  for (const name of ['subthreshold', 'accelerated', 'opamp-board']) {
    it(`${name} (mismatch seed 21, no noise): equals the settled transient to 1e-7`, () => {
      const ir = compileCircuit(graph, noiseless(BUILTIN_PROFILES[name]!), { seed: 21 });
      const model = modelFromCircuit(ir);
      const dc = Float64Array.from(new DcOperatingPoint(model).solve(rates));
      const sim = new AnalogSimulator(modelFromCircuit(ir), { rtol: 1e-10, atol: 1e-12, learn: false });
      const tau = Math.max(...model.tauMs);
      const res = sim.run({ durationMs: 40 * tau, drive: new SignalDrive(new ConstantSignal(rates)), probes: parseProbes('u', sim.system.graph), sampleEveryMs: 10 * tau });
      expect(res.failure).toBeNull();
      const last = res.traces.rows - 1;
      const settled = res.traces.names.map((_, i) => res.traces.columnAt(i)[last]!);
      const uCols = res.traces.names.map((n, i) => [n, i] as const).filter(([n]) => n.startsWith('u:'));
      expect(uCols.length).toBe(graph.nNeurons);
      const scale = Math.max(...dc.map(Math.abs));
      for (const [, i] of uCols) {
        const k = uCols.findIndex(([, j]) => j === i);
        expect(Math.abs(settled[i]! - dc[k]!) / scale).toBeLessThan(1e-7);
      }
      // the mismatch matters: the nominal circuit's operating point is measurably elsewhere
      const nominal = new DcOperatingPoint(modelFromCircuit(compileCircuit(graph, { ...noiseless(BUILTIN_PROFILES[name]!), ...zeroSigma(BUILTIN_PROFILES[name]!) }, { seed: 21 }))).solve(rates);
      expect(Math.max(...dc.map((v, i) => Math.abs(v - nominal[i]!)))).toBeGreaterThan(1e-4);
    });
  }

});

describe('DC operating point with nodes at the rails', () => {
  it('ideal circuit with rails at ±0.5 units: railed nodes are counted and held at their rails', () => {
    // Not compared with the transient here: with nodes at a rail the emulator's transient (a Filippov
    // slide along the rail) settles elsewhere (docs/hardware.md, "Known limit of the DC operating point"),
    // which is why the classifier Monte Carlo counts the images that reach a rail and prints them.
    const g = layeredNetwork([5, 7, 4, 3], { activation: 'logistic', seed: 3, bias: true, init: { distribution: 'normal', std: 1.5 } }).build();
    const p = structuredClone(BUILTIN_PROFILES.ideal!);
    p.membrane = { ...p.membrane, railLowV: -0.5, railHighV: 0.5 };
    const dcp = new DcOperatingPoint(modelFromCircuit(compileCircuit(g, p, { seed: 1 })));
    const u = Float64Array.from(dcp.solve([0.9, 0.1, 0.8, 0.3, 1]));
    expect(dcp.railNodes).toBe(u.filter((v) => Math.abs(v) === 0.5).length);
    expect(dcp.railNodes).toBeGreaterThan(3);
    expect(u.every((v) => v >= -0.5 && v <= 0.5)).toBe(true);
    // a drive that keeps every node inside counts none
    dcp.solve([0, 0, 0, 0, 0]);
    expect(dcp.railNodes).toBeLessThan(u.length);
  });
});

function zeroSigma(p: Profile): Partial<Profile> {
  return {
    membrane: { ...p.membrane, capacitanceSigma: 0, leakSigma: 0, offsetSigmaV: 0 },
    transfer: { gainSigma: 0, offsetSigmaV: 0 },
    synapses: { ...p.synapses, gainSigma: 0 },
  };
}
