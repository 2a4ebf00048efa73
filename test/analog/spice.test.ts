import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import { emitSpice } from '../../compiler/spice/emit.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { poolRate, transmitted } from '../../hardware-models/components/depressing-synapse.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { Dopri5 } from '../../emulator/analog/ode/dopri5.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { runSpice } from '../../emulator/spice/run.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { TableSignal } from '../../emulator/stimulus/table-signal.js';

/** Normalised RMSE: rms(a − b) / (max b − min b). */
function nrmse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < b.length; i++) {
    s += (a[i]! - b[i]!) ** 2;
    lo = Math.min(lo, b[i]!);
    hi = Math.max(hi, b[i]!);
  }
  return Math.sqrt(s / b.length) / (hi - lo);
}

describe('SPICE cross-check (ngspice in WebAssembly)', () => {
  it('a 4-4-2 network on the op-amp board profile plus one depressing synapse: ngspice matches the emulator within 1 % NRMSE', async () => {
    const g = layeredNetwork([4, 4, 2], { activation: 'logistic', seed: 3, beta: 0.3, init: { distribution: 'normal', std: 1 } }).build();
    const ir = compileCircuit(g, structuredClone(BUILTIN_PROFILES['opamp-board']!), { seed: 2 });
    const T = 60;
    const times = Float64Array.from({ length: T + 1 }, (_, k) => k);
    const inputs = [0, 1, 2, 3].map((c) => Float64Array.from(times, (t) => 0.5 + 0.3 * Math.sin(t / (6 + c) + c)));
    const targets = [0, 1].map((c) => Float64Array.from(times, (t) => 0.4 + 0.3 * Math.cos(t / 9 + 2 * c)));
    const drive = new SignalDrive(new TableSignal(times, inputs, 'linear'), new TableSignal(times, targets, 'linear'));
    const dep = { recoveryS: 0.01, a: 1.5, d: 2 };
    const net = emitSpice(ir, { durationModelMs: T, sampleEveryModelMs: 0.1, inputs: { times, channels: inputs }, targets: { times, channels: targets }, depressing: [{ pre: 'h1[0]', params: dep }], reltol: 1e-6, init: 'equilibrium' });
    const spice = await runSpice(net, { sampleEveryModelMs: 0.1, durationModelMs: T });
    const sim = new AnalogSimulator(modelFromCircuit(ir), { init: 'equilibrium', rtol: 1e-8, atol: 1e-11 });
    const emu = sim.run({ durationMs: T, drive, probes: parseProbes('u,rbar:h1[0:1]', g), sampleEveryMs: 0.1 });
    for (const name of spice.traces.names.filter((n) => n.startsWith('u:'))) {
      expect(nrmse(spice.traces.column(name), emu.traces.column(name)), name).toBeLessThan(0.01);
    }
    // the depressing synapse: integrate its pool on the emulator's rate trace and compare the delivered signal
    const rate = emu.traces.column('rbar:h1[0]');
    const x = new Float64Array([1 / (1 + dep.d * rate[0]!)]);
    const rateAt = (tMs: number) => {
      const k = Math.min(rate.length - 2, Math.floor(tMs / 0.1));
      return rate[k]! + ((tMs - k * 0.1) / 0.1) * (rate[k + 1]! - rate[k]!);
    };
    const ts = ir.timeScale;
    const delivered: number[] = [transmitted(dep, x[0]!, rate[0]!)];
    for (let k = 1; k < rate.length; k++) {
      new Dopri5().integrate({ size: 1, rhs: (t, y, dy) => void (dy[0] = poolRate(dep, y[0]!, rateAt(t)) * ts), componentName: () => 'x' }, (k - 1) * 0.1, x, k * 0.1, { rtol: 1e-9, atol: 1e-12, hMax: 0.05 }, () => {});
      delivered.push(transmitted(dep, x[0]!, rate[k]!));
    }
    expect(nrmse(spice.traces.column('dep0:h1[0]'), delivered)).toBeLessThan(0.01);
    console.log(`SPICE cross-check: ngspice ${spice.points} points in ${spice.wallMs.toFixed(0)} ms; emulator ${emu.summary.steps} steps in ${emu.summary.wallMs.toFixed(0)} ms`);
  });
});
