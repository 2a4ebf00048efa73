import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { ConstantSignal } from '../../emulator/stimulus/signal.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';

// A run split in two at an event's time must equal one run: what happens exactly at the end of the first
// run (an input impulse here) is applied when the second one starts, never dropped.
describe('an analog run continued from where the last one ended', () => {
  it('an input impulse exactly at the split is applied once: 5 + 5 ms equals 10 ms', () => {
    const g = layeredNetwork([2, 3, 1], { activation: 'logistic', seed: 4, init: { distribution: 'normal', std: 0.8 } }).build();
    const model = () => modelFromCircuit(compileCircuit(g, BUILTIN_PROFILES.ideal!));
    const drive = new SignalDrive(new ConstantSignal([0.3, 0.6]), null, [{ tMs: 5, channel: 0, area: 2 }]);
    const probes = parseProbes('u,rbar:in', g);
    const whole = new AnalogSimulator(model(), { rtol: 1e-9, atol: 1e-12 });
    const a = whole.run({ durationMs: 10, drive, probes }).traces;
    const split = new AnalogSimulator(model(), { rtol: 1e-9, atol: 1e-12 });
    split.run({ durationMs: 5, drive, probes });
    const b = split.run({ durationMs: 5, drive, probes }).traces;
    const last = (t: typeof a, name: string) => t.column(name)[t.rows - 1]!;
    // the impulse raised r̄_in[0] by area/τ_in = 2/10 at 5 ms in both
    expect(last(b, 'rbar:in[0]')).toBeCloseTo(last(a, 'rbar:in[0]'), 8);
    expect(last(b, 'u:out[0]')).toBeCloseTo(last(a, 'u:out[0]'), 6);
  });
});
