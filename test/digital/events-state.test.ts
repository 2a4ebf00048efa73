import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { NumericalError } from '../../core/errors.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import { captureState, restoreState } from '../../emulator/digital/state-file.js';
import type { Drive, Impulse } from '../../emulator/drive.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { FunctionSignal } from '../../emulator/stimulus/signal.js';
import { loadSignalCsv } from '../../emulator/stimulus/load.js';
import { drive, maxAbsDiff, run } from '../helpers.js';

const net = () => layeredNetwork([3, 6, 2], { activation: 'logistic', seed: 4, beta: 0.2, init: { distribution: 'normal', std: 0.6 } }).build();

describe('input impulses and target steps are events', () => {
  it('a delta in an input rate moves u at once to where f is conserved, matching a narrow pulse resolved finely', () => {
    const g = net();
    const base = new FunctionSignal(3, (_t, c) => 0.3 + 0.2 * c);
    const area = 2; // rate·ms
    const withImpulse = new SignalDrive(base, null, [{ tMs: 10, channel: 1, area }]);
    const sim = new DigitalSimulator(g, { dtMs: 0.1, init: 'equilibrium', learn: false });
    let fBefore = 0;
    let fAfter = 0;
    let uJump = 0;
    let uPrev = new Float64Array(0);
    run(sim, withImpulse, 200, (s, k) => {
      if (k === 99) {
        fBefore = Math.max(...Array.from(s.workspace.f, Math.abs));
        uPrev = Float64Array.from(s.workspace.u);
      }
      if (k === 100) {
        fAfter = Math.max(...Array.from(s.workspace.f, Math.abs));
        uJump = maxAbsDiff(s.workspace.u, uPrev);
      }
    });
    expect(uJump).toBeGreaterThan(1e-3); // the voltages jumped within one step
    expect(fAfter).toBeLessThan(1e-12 + fBefore);
    // reference: the same impulse as a rectangular pulse of width 0.02 ms, integrated with dt = 0.002 ms
    const pulse = new FunctionSignal(3, (t, c) => 0.3 + 0.2 * c + (c === 1 && t >= 9.99 && t < 10.01 ? area / 0.02 : 0));
    const fine = new DigitalSimulator(g, { dtMs: 0.002, init: 'equilibrium', learn: false });
    run(fine, new SignalDrive(pulse), 10_000); // to t = 20 ms
    expect(maxAbsDiff(fine.state.u, sim.state.u)).toBeLessThan(2e-3);
  });

  it('without lookahead the same impulse leaves u continuous (leaky neurons cannot jump)', () => {
    const g = net();
    const d = new SignalDrive(new FunctionSignal(3, () => 0.4), null, [{ tMs: 10, channel: 0, area: 2 }]);
    const sim = new DigitalSimulator(g, { dtMs: 0.1, init: 'equilibrium', lookahead: false, learn: false });
    let jump = 0;
    let prev = new Float64Array(0);
    run(sim, d, 200, (s, k) => {
      if (k === 100) jump = maxAbsDiff(s.workspace.u, prev);
      prev = Float64Array.from(s.workspace.u);
    });
    expect(jump).toBeLessThan(1e-3);
  });

  it('a target step is followed at once: f is conserved across the jump of u*', () => {
    const g = net();
    const dir = mkdtempSync(join(tmpdir(), 'nla-'));
    writeFileSync(join(dir, 't.csv'), 't,out[0],out[1]\n0,0.2,0.5\n10,0.8,-0.1\n');
    const target = loadSignalCsv(join(dir, 't.csv'), 'step', ['out[0]', 'out[1]'], true);
    const d = new SignalDrive(new FunctionSignal(3, () => 0.4), target);
    const sim = new DigitalSimulator(g, { dtMs: 0.1, init: 'equilibrium', learn: false });
    const fs: number[] = [];
    run(sim, d, 200, (s) => fs.push(Math.max(...Array.from(s.workspace.f, Math.abs))));
    expect(Math.max(...fs)).toBeLessThan(1e-12);
  });
});

describe('state: save, load, batch, divergence', () => {
  it('a saved state continues the run exactly (weights, voltages, filters)', () => {
    const g = net();
    const d = drive(g, true);
    const a = new DigitalSimulator(g, { dtMs: 0.1, learn: true });
    run(a, d, 500);
    const saved = JSON.parse(JSON.stringify(captureState(a)));
    run(a, d, 500);
    const b = new DigitalSimulator(g, { dtMs: 0.1, learn: true });
    restoreState(b, saved);
    expect(b.tMs).toBeCloseTo(50, 12);
    run(b, d, 500);
    expect(maxAbsDiff(a.state.u, b.state.u)).toBe(0);
    a.weights().forEach((W, k) => expect(maxAbsDiff(W, b.weights()[k]!)).toBe(0));
  });

  it('refuses a state of another shape, naming the field', () => {
    const g = net();
    const sim = new DigitalSimulator(g, { dtMs: 0.1 });
    const st = captureState(sim);
    st.weights['in->h1']!.pop();
    expect(() => restoreState(sim, st, { file: 's.json' })).toThrow(/s\.json: weights\["in->h1"\]: expected 6 rows of 3, got 5 rows/);
    const st2 = captureState(sim);
    (st2.weights as Record<string, number[][]>)['extra'] = [[1]];
    expect(() => restoreState(sim, st2)).toThrow(/weights\["extra"\]: no projection of that name/);
  });

  it('a batch of identical samples learns exactly like one sample; different samples average their updates', () => {
    const g = net();
    const d = drive(g, true);
    const one = new DigitalSimulator(g, { dtMs: 0.1, learn: true });
    const three = new DigitalSimulator(g, { dtMs: 0.1, learn: true, batch: 3 });
    run(one, d, 300);
    run(three, d, 300);
    one.weights().forEach((W, k) => expect(maxAbsDiff(W, three.weights()[k]!)).toBeLessThan(1e-13));
    for (let b = 0; b < 3; b++) expect(maxAbsDiff(one.state.u, three.state.u.subarray(b * 8, b * 8 + 8))).toBeLessThan(1e-12);

    // per-sample inputs: one step of the batch = the mean of the single-sample weight changes
    const perSample: Drive = {
      inputChannels: 3,
      targetChannels: 2,
      inputs: (t, b, out, off) => [0, 1, 2].forEach((c) => (out[off + c] = 0.2 + 0.3 * b + 0.1 * c + 0.01 * t)),
      targets: (_t, b, v, sl, off) => [0, 1].forEach((c) => ((v[off + c] = 0.1 * (b + 1) - 0.2 * c), (sl[off + c] = 0))),
      impulses: (): Impulse[] => [],
      targetJumps: () => false,
      breakpoints: () => [],
    };
    const batch = new DigitalSimulator(g, { dtMs: 0.1, learn: true, batch: 3, init: 'equilibrium' });
    const w0 = batch.weights().map((W) => Float64Array.from(W));
    batch.step(perSample);
    const mean = w0.map((W) => new Float64Array(W.length));
    for (let b = 0; b < 3; b++) {
      const single: Drive = { ...perSample, inputs: (t, _s, o, off) => perSample.inputs(t, b, o, off), targets: (t, _s, v, sl, off) => perSample.targets(t, b, v, sl, off) };
      const s = new DigitalSimulator(g, { dtMs: 0.1, learn: true, init: 'equilibrium' });
      s.step(single);
      s.weights().forEach((W, k) => W.forEach((x, i) => (mean[k]![i]! += (x - w0[k]![i]!) / 3)));
    }
    batch.weights().forEach((W, k) => expect(maxAbsDiff(W.map((x, i) => x - w0[k]![i]!), mean[k]!)).toBeLessThan(1e-15));
  });

  it('divergence is reported with the time and the neuron', () => {
    const g = layeredNetwork([3, 6, 2], { activation: 'linear', seed: 4, beta: 0.2, init: { distribution: 'normal', std: 0.6 } })
      .plasticity({ enabled: true, etaPerMs: 50 })
      .build();
    const sim = new DigitalSimulator(g, { dtMs: 0.5, divergenceLimit: 1e3 });
    let err: unknown;
    try {
      run(sim, drive(g, true), 100_000);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NumericalError);
    const ne = err as NumericalError;
    expect(ne.message).toMatch(/at t = [\d.]+ ms in (h1|out)\[\d+\]/);
    expect(ne.timeMs).toBeGreaterThan(0);
  });
});
