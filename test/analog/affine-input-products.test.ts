import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { Rng } from '../../core/rng.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { AffineInputProducts } from '../../emulator/analog/affine-input-products.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator, type AnalogOptions } from '../../emulator/analog/simulator.js';
import type { Impulse } from '../../emulator/drive.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import type { TraceTable } from '../../emulator/probes/recorder.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { TableSignal } from '../../emulator/stimulus/table-signal.js';

/**
 * AnalogOptions.inputProducts = 'affine' (the default) against 'recompute' (a pass over W_in at every
 * evaluation): the same right-hand side to rounding, so the same trajectories to far below the solver's
 * tolerance, on held frames, impulses, inputs that move every instant, learning and the user's 784-500-10.
 */

/** Frames of random rates held `frameMs` each (rows at 0, frameMs, …), interpolated as `interp`. */
function frames(channels: number, count: number, frameMs: number, interp: 'step' | 'linear', seed = 5): TableSignal {
  const rng = new Rng(seed);
  const times = Float64Array.from({ length: count }, (_, k) => k * frameMs);
  const cols = Array.from({ length: channels }, () => Float64Array.from({ length: count }, () => (rng.uniform() < 0.7 ? 0 : rng.uniform())));
  return new TableSignal(times, cols, interp);
}

function emulate(g: NlaGraph, drive: SignalDrive, durationMs: number, options: AnalogOptions, profile = 'ideal') {
  const sim = new AnalogSimulator(modelFromCircuit(compileCircuit(g, structuredClone(BUILTIN_PROFILES[profile]!), { seed: 3 })), { rtol: 1e-6, atol: 1e-9, ...options });
  const run = sim.run({ durationMs, drive, probes: parseProbes('u,rbar:in', g), sampleEveryMs: 0.5 });
  const source = sim.system.workspace.inputProducts;
  return { traces: run.traces, steps: run.summary.steps, source: source instanceof AffineInputProducts ? source : null };
}

/** max |a − b| over every column, and the largest |b| (the scale). */
function deviation(a: TraceTable, b: TraceTable): { max: number; scale: number } {
  expect(a.names).toEqual(b.names);
  expect(a.rows).toBe(b.rows);
  let max = 0;
  let scale = 0;
  for (const c of b.names) {
    const x = a.column(c);
    const y = b.column(c);
    for (let i = 0; i < y.length; i++) {
      max = Math.max(max, Math.abs(x[i]! - y[i]!));
      scale = Math.max(scale, Math.abs(y[i]!));
    }
  }
  return { max, scale };
}

const net = (sizes: number[], bias = true) => layeredNetwork(sizes, { activation: 'hard-sigmoid', seed: 2, beta: 0.1, bias, init: { distribution: 'normal', std: 0.3, cutoff: 0.9 } }).build();

describe("the analog emulator's input products from an affine family", () => {
  it('held frames: the trajectories of the plain evaluation to 1e-11, one pass over W_in per frame and input projection', () => {
    const g = net([40, 12, 4]);
    const drive = () => new SignalDrive(frames(40, 6, 10, 'step'));
    const plain = emulate(g, drive(), 60, { inputProducts: 'recompute' });
    const affine = emulate(g, drive(), 60, {});
    expect(plain.source).toBeNull();
    const d = deviation(affine.traces, plain.traces);
    expect(d.max).toBeLessThan(1e-11 * d.scale);
    expect(affine.steps).toBe(plain.steps);
    // input→hidden and the two bias projections; a stretch per frame for the stimulus one (6), one for each
    // bias projection (its input never changes), and the stretch restarts nowhere else
    const s = affine.source!;
    expect(s.stretches).toBe(6 + 2);
    expect(s.derived).toBeGreaterThan(20 * s.stretches);
  });

  it('an input impulse leaves the family: the stretch restarts there and the trajectories still agree', () => {
    const g = net([20, 8, 3], false);
    const impulses: Impulse[] = [{ tMs: 7.3, channel: 4, area: 3 }, { tMs: 12.1, channel: 0, area: -1 }];
    const drive = () => new SignalDrive(frames(20, 2, 15, 'step', 9), null, impulses);
    const plain = emulate(g, drive(), 30, { inputProducts: 'recompute' });
    const affine = emulate(g, drive(), 30, {});
    const d = deviation(affine.traces, plain.traces);
    expect(d.max).toBeLessThan(1e-11 * d.scale);
    // r_in is unchanged at an impulse: only the family test sees the jump. The event's continuation
    // (equilibrium.ts: r̄_in moved to its new value in stages, Newton at each) restarts the stretch at each
    // stage; the integration after it runs on one stretch per frame and impulse again
    const s = affine.source!;
    console.log(`impulses: ${s.stretches} stretches, ${s.derived} derived evaluations`);
    expect(s.stretches).toBeGreaterThanOrEqual(4);
    expect(s.derived).toBeGreaterThan(5 * s.stretches);
  });

  it('inputs that move at every instant (linear interpolation): a stretch at every evaluation, the same trajectories', () => {
    const g = net([10, 6, 2], false);
    const drive = () => new SignalDrive(frames(10, 4, 8, 'linear', 11));
    const plain = emulate(g, drive(), 24, { inputProducts: 'recompute' });
    const affine = emulate(g, drive(), 24, {});
    const d = deviation(affine.traces, plain.traces);
    expect(d.max).toBeLessThan(1e-11 * d.scale);
    // r_in differs at every instant: only evaluations at one instant (the step-size start) share a stretch
    const s = affine.source!;
    console.log(`linear interpolation: ${s.stretches} stretches, ${s.derived} derived evaluations, ${affine.steps} steps`);
    expect(s.stretches).toBeGreaterThan(5 * affine.steps);
    expect(s.derived).toBeLessThan(s.stretches / 5);
  });

  it('learning: plastic input weights are not taken from the family (they move with the state); a fixed one is', () => {
    const g = layeredNetwork([12, 6, 3], { activation: 'hard-sigmoid', seed: 2, beta: 0.5, bias: true }).plasticity({ enabled: true, etaPerMs: 0.01 }).build();
    // the stimulus projection held fixed, the rest plastic
    const stim = g.projections.findIndex((p) => p.pre.type === 'input' && g.inputs[p.pre.pop]!.constantRate === null);
    (g.projections[stim] as { plastic: boolean }).plastic = false;
    const target = new TableSignal(Float64Array.of(0), [Float64Array.of(0.2), Float64Array.of(0.8), Float64Array.of(0.5)], 'step');
    const drive = () => new SignalDrive(frames(12, 3, 10, 'step', 4), target);
    const plain = emulate(g, drive(), 30, { inputProducts: 'recompute', learn: true });
    const affine = emulate(g, drive(), 30, { learn: true });
    const d = deviation(affine.traces, plain.traces);
    expect(d.max).toBeLessThan(1e-10 * d.scale);
    const s = affine.source!;
    const fromInput = g.projections.map((p, k) => ({ k, p })).filter(({ p }) => p.pre.type === 'input');
    expect(fromInput.some(({ p }) => p.plastic)).toBe(true);
    for (const { k, p } of fromInput) expect(s.handles({ index: k } as never), p.name).toBe(!p.plastic);
    expect(s.stretches).toBe(3);
    expect(s.derived).toBeGreaterThan(20 * s.stretches);
  });

  it('a state off the family by 10⁻⁹ restarts the stretch; one a rounding away uses it', () => {
    const g = net([6, 4, 2], false);
    const sim = new AnalogSimulator(modelFromCircuit(compileCircuit(g, structuredClone(BUILTIN_PROFILES.ideal!))), {});
    const sys = sim.system;
    const s = sys.workspace.inputProducts as AffineInputProducts;
    const ref = sys.layout.forward.find((r) => r.p.pre.type === 'input')!;
    const buf = sys.workspace.proj[ref.index]!;
    const raw = sys.workspace.rIn;
    raw.set([0.1, 0.9, 0.4, 0, 0.7, 0.3]);
    const start = [0.5, 0.2, 0.4, 0.3, 0.1, 0.6];
    const at = (c: number, off: number[] = []) => {
      for (let j = 0; j < 6; j++) buf.pre[j] = raw[j]! + c * (start[j]! - raw[j]!) + (off[j] ?? 0);
      expect(s.carry(ref, 0, raw)).toBe(true);
      return Float64Array.from(buf.out.subarray(0, ref.p.rows));
    };
    at(1);
    expect(s.stretches).toBe(1);
    const onFamily = at(0.37);
    expect(s.stretches).toBe(1);
    // the derived product against W r̄ made directly
    const W = buf.W;
    for (let r = 0; r < ref.p.rows; r++) {
      let y = 0;
      for (let j = 0; j < 6; j++) y += W[r * 6 + j]! * buf.pre[j]!;
      expect(onFamily[r]!).toBeCloseTo(y, 14);
    }
    at(0.37, [0, 0, 0, 1e-9]);
    expect(s.stretches).toBe(2);
    // the new stretch's family is the line through r_in and that state: a point on it is derived
    at(0.2, [0, 0, 0, 1e-9 * 0.2 / 0.37]);
    expect(s.stretches).toBe(2);
    // back on the first line: off the second by about 10⁻⁹
    at(0.5);
    expect(s.stretches).toBe(3);
    at(0.5, [0, 2e-17]);
    expect(s.stretches).toBe(3);
  });

  it("at the user's scale (784-500-10, MNIST-like frames): the same outputs to 1e-10 with a fifth of the passes over W_in", () => {
    const g = layeredNetwork([784, 500, 10], { activation: 'hard-sigmoid', seed: 1, beta: 0.1, bias: true, init: { distribution: 'normal', std: 0.05, cutoff: 0.15 } }).build();
    const drive = () => new SignalDrive(frames(784, 3, 10, 'step', 1));
    const run = (inputProducts: 'affine' | 'recompute') => {
      const sim = new AnalogSimulator(modelFromCircuit(compileCircuit(g, structuredClone(BUILTIN_PROFILES.ideal!))), { rtol: 1e-4, atol: 1e-7, inputProducts });
      const r = sim.run({ durationMs: 30, drive: drive(), probes: parseProbes('u:out', g), sampleEveryMs: 1 });
      return { traces: r.traces, source: sim.system.workspace.inputProducts as AffineInputProducts | null };
    };
    const plain = run('recompute');
    const affine = run('affine');
    const d = deviation(affine.traces, plain.traces);
    expect(d.max).toBeLessThan(1e-10 * d.scale);
    expect(affine.source!.stretches).toBe(3 + 2);
    expect(affine.source!.derived).toBeGreaterThan(5 * affine.source!.stretches);
  }, 60_000);
});
