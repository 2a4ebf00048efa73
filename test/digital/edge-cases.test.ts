import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layeredNetwork, network } from '../../compiler/spec/builder.js';
import { validateSpec } from '../../compiler/spec/validate.js';
import { SpecError } from '../../core/errors.js';
import { DigitalObserver } from '../../emulator/digital/observe.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import { captureState, restoreState } from '../../emulator/digital/state-file.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { loadSignalCsv } from '../../emulator/stimulus/load.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { FunctionSignal } from '../../emulator/stimulus/signal.js';
import { drive, maxAbsDiff, run } from '../helpers.js';

const csv = (text: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'nla-edge-'));
  writeFileSync(join(dir, 'x.csv'), text);
  return join(dir, 'x.csv');
};

describe('edge cases', () => {
  for (const kernels of ['js', 'wasm'] as const) {
    it(`non-plastic projections keep their weights while others learn (batch 1, ${kernels} kernels)`, () => {
      const g = network('np')
        .seed(2)
        .activation('logistic')
        .input('in', 5)
        .hidden('h', 4, { bias: { plastic: false } })
        .output('out', 2)
        .connect('in', 'h', { plastic: false })
        .connect('h', 'out')
        .plasticity({ enabled: true, etaPerMs: 0.01 })
        .build();
      const sim = new DigitalSimulator(g, { dtMs: 0.1, kernels });
      const w0 = sim.weights().map((W) => Float64Array.from(W));
      run(sim, drive(g, true), 200);
      const w1 = sim.weights();
      g.projections.forEach((p, k) => {
        expect(w1[k]!.every(Number.isFinite)).toBe(true);
        if (p.plastic) expect(maxAbsDiff(w1[k]!, w0[k]!)).toBeGreaterThan(0);
        else expect(maxAbsDiff(w1[k]!, w0[k]!)).toBe(0);
      });
    });
  }

  it('a run resumed from a saved state treats an event at the resume time exactly like an uninterrupted run', () => {
    const g = layeredNetwork([3, 5, 2], { activation: 'logistic', seed: 6, beta: 0.3, init: { distribution: 'normal', std: 0.5 } }).build();
    const target = loadSignalCsv(csv('t,out[0],out[1]\n0,0.2,0.4\n5,0.9,-0.3\n'), 'step', ['out[0]', 'out[1]'], true);
    const d = new SignalDrive(new FunctionSignal(3, (t, c) => 0.3 + 0.1 * c + 0.001 * t), target, [{ tMs: 5, channel: 1, area: 2 }]);
    const whole = new DigitalSimulator(g, { dtMs: 0.1, learn: true });
    const part = new DigitalSimulator(g, { dtMs: 0.1, learn: true });
    run(whole, d, 100);
    run(part, d, 50);
    const resumed = new DigitalSimulator(g, { dtMs: 0.1, learn: true });
    restoreState(resumed, JSON.parse(JSON.stringify(captureState(part))));
    run(resumed, d, 50);
    expect(maxAbsDiff(resumed.state.u, whole.state.u)).toBeLessThan(1e-12);
    expect(maxAbsDiff(resumed.state.rbarIn, whole.state.rbarIn)).toBeLessThan(1e-12);
  });

  for (const resumeSteps of [0, 30]) {
    it(`a state saved after ${resumeSteps} steps of 0.3 ms resumes on the same time grid (an input step at 9 ms is read at the same step)`, () => {
      const g = layeredNetwork([2, 4, 1], { activation: 'logistic', seed: 3 }).build();
      const input = loadSignalCsv(csv('t,in[0],in[1]\n0,0.1,0.2\n9,0.9,0.7\n'), 'step', ['in[0]', 'in[1]'], false);
      const d = new SignalDrive(input, null);
      const whole = new DigitalSimulator(g, { dtMs: 0.3, learn: false });
      const part = new DigitalSimulator(g, { dtMs: 0.3, learn: false });
      run(part, d, resumeSteps);
      const resumed = new DigitalSimulator(g, { dtMs: 0.3, learn: false });
      restoreState(resumed, JSON.parse(JSON.stringify(captureState(part))));
      run(whole, d, resumeSteps);
      const times: Array<[number, number]> = [];
      for (let k = resumeSteps; k < 60; k++) {
        times.push([whole.tMs, resumed.tMs]);
        whole.step(d);
        resumed.step(d);
      }
      for (const [a, b] of times) expect(b).toBe(a);
      expect(maxAbsDiff(resumed.state.u, whole.state.u)).toBe(0);
    });
  }

  it('an impulse at t = 0 is applied (after the initial equilibrium), not dropped', () => {
    const g = layeredNetwork([2, 3, 1], { activation: 'logistic', seed: 1 }).build();
    const d = new SignalDrive(new FunctionSignal(2, () => 0.5), null, [{ tMs: 0, channel: 1, area: 2 }]);
    const sim = new DigitalSimulator(g, { dtMs: 0.1, init: 'equilibrium', learn: false });
    sim.step(d);
    // r̄_in = 0.5 + 2/τ_in = 0.7, then one Euler step of the decay back towards 0.5
    expect(sim.state.rbarIn[1]).toBeCloseTo(0.7 + 0.1 * (0.5 - 0.7) / 10, 12);
    expect(sim.state.rbarIn[0]).toBeCloseTo(0.5, 12);
  });

  it('a linearly interpolated target switches off at the row where its value is missing, as an event', () => {
    const sig = loadSignalCsv(csv('t,out[0]\n0,0.1\n10,0.2\n20,\n30,0.4\n'), 'linear', ['out[0]'], true);
    const v = new Float64Array(1);
    const at = (t: number) => (sig.value(t, v, 0), v[0]!);
    expect(at(5)).toBeCloseTo(0.15, 12);
    expect(at(10)).toBe(0.2);
    expect(at(19.9)).toBe(0.2);
    expect(at(20)).toBeNaN();
    expect(at(29.9)).toBeNaN();
    expect(sig.jumps(19.9, 20)).toBe(true);
    expect(sig.jumps(9.9, 10)).toBe(false);
  });

  it('target steps in a network mixing kinked and smooth activations do not stop the run', () => {
    for (let seed = 0; seed < 20; seed++) {
      const g = network('mixed')
        .seed(seed)
        .init({ distribution: 'normal', std: 1 })
        .input('in', 2)
        .hidden('a', 4, { activation: 'hard-sigmoid' })
        .hidden('b', 3, { activation: 'logistic' })
        .output('out', 2, { activation: 'hard-sigmoid' })
        .connect('in', 'a')
        .connect('a', 'b')
        .connect('b', 'out')
        .beta(0.5)
        .build();
      const rows = ['t,out[0],out[1]', ...Array.from({ length: 10 }, (_, k) => `${k * 5},${Math.sin(seed + k) * 1.5},${Math.cos(seed * 3 + k)}`)];
      const d = new SignalDrive(new FunctionSignal(2, (t, c) => 0.5 + 0.4 * Math.sin(t / 7 + c)), loadSignalCsv(csv(rows.join('\n')), 'step', ['out[0]', 'out[1]'], true));
      const sim = new DigitalSimulator(g, { dtMs: 0.1, learn: false });
      expect(() => run(sim, d, 500)).not.toThrow();
    }
  });

  it('with --no-lookahead the ebar probe reports the error the leaky neurons use', () => {
    const g = layeredNetwork([3, 5, 2], { activation: 'logistic', seed: 6, beta: 0.3, init: { distribution: 'normal', std: 0.8 } }).build();
    const sim = new DigitalSimulator(g, { dtMs: 0.1, lookahead: false, learn: false });
    const obs = new DigitalObserver(sim);
    const row = new Float64Array(g.nNeurons);
    run(sim, drive(g, true), 100, (s) => {
      obs.sample(parseProbes('ebar', g), row);
      const w = s.workspace;
      // leaky dynamics: τu̇ = −ē_raw + ē
      for (let i = 0; i < g.nNeurons; i++) expect(row[i]!).toBeCloseTo(10 * w.udot[i]! + w.eraw[i]!, 10);
    });
  });

  it('spec checks: reserved names, weights where the mask has no synapse, bias values with init', () => {
    const issues = (raw: unknown) => {
      try {
        validateSpec(raw);
        return [];
      } catch (e) {
        return (e as SpecError).issues.map((i) => `${i.path}: ${i.message}`);
      }
    };
    const base = {
      format: 'nla-network/1',
      populations: [
        { name: 'in', kind: 'input', size: 2 },
        { name: 'out', kind: 'output', size: 2, bias: { values: [0, 1], init: { distribution: 'zeros' } } },
      ],
      projections: [{ name: 'bias->out', from: 'in', to: 'out', weights: [[1, 2], [3, 4]], mask: [[1, 0], [0, 1]] }],
    };
    const got = issues(base);
    expect(got).toContain("projections[0].name: names starting with 'bias->' are reserved for generated projections (biases, feedback and interneuron arrays); choose another name");
    expect(got).toContain('projections[0].weights[0][1]: is 2 where the mask has no synapse; expected 0');
    expect(got).toContain('populations[1].bias.init: give either values or init, not both');
  });

  it('a state file of another network, or with unknown entries, is refused', () => {
    const g = layeredNetwork([2, 3, 1], { seed: 1 }).build();
    const sim = new DigitalSimulator(g, { dtMs: 0.1 });
    const st = captureState(sim) as unknown as Record<string, any>;
    expect(() => restoreState(sim, { ...st, network: 'other' })).toThrow(/network: the state is of network 'other', this network is 'layered-2-3-1'/);
    expect(() => restoreState(sim, { ...st, neurons: { ...st.neurons, ghost: { u: [[0]], udot: [[0]] } } })).toThrow(/neurons\["ghost"\]: no neuron population/);
    expect(() => restoreState(sim, { ...st, extra: 1 })).toThrow(/extra: unknown field/);
  });
});
