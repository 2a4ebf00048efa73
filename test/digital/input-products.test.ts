import { describe, expect, it } from 'vitest';
import { layeredNetwork, network } from '../../compiler/spec/builder.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { UsageError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { captureState, restoreState } from '../../emulator/digital/state-file.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import type { InputProducts } from '../../emulator/digital/input-products.js';
import type { Drive, Impulse } from '../../emulator/drive.js';

/**
 * DigitalOptions.inputProducts = 'incremental' (emulator/digital/input-products.ts) carries W_in·r̄_in and
 * W_in·dr̄_in/dt from step to step while the raw input holds still. Truth here is the reference engine
 * ('recompute', a pass over W_in every step) on the same network and drive: the two must agree to
 * rounding, also across everything that breaks the recurrence (an input change, an impulse, weights
 * written from outside, a restore), and the carried path must actually be taken.
 */

/** Piecewise-constant frames (sparse pixels in [0, 1]) held `frameMs`, one-hot targets, optional impulses. */
class FrameDrive implements Drive {
  readonly targetChannels: number;
  private readonly frames: Float64Array[];
  constructor(
    readonly inputChannels: number,
    outputs: number,
    private readonly frameMs: number,
    private readonly impulseTimes: number[] = [],
  ) {
    this.targetChannels = outputs;
    const rng = new Rng(5);
    this.frames = Array.from({ length: 7 }, () => Float64Array.from({ length: inputChannels }, () => (rng.uniform() < 0.6 ? 0 : rng.uniform())));
  }
  private k(t: number): number {
    return Math.floor(Math.max(0, t) / this.frameMs + 1e-9) % this.frames.length;
  }
  inputs(t: number, _b: number, out: Float64Array, offset: number): void {
    out.set(this.frames[this.k(t)]!, offset);
  }
  targets(t: number, _b: number, value: Float64Array, slope: Float64Array, offset: number): void {
    for (let o = 0; o < this.targetChannels; o++) value[offset + o] = o === this.k(t) % this.targetChannels ? 0.9 : 0.1;
    slope.fill(0, offset, offset + this.targetChannels);
  }
  impulses(t0: number, t1: number): Impulse[] {
    return this.impulseTimes.filter((t) => t > t0 && t <= t1).map((tMs) => ({ channel: 3, area: 2, tMs }));
  }
  targetJumps(t0: number, t1: number): boolean {
    return Math.floor(t0 / this.frameMs + 1e-9) !== Math.floor(t1 / this.frameMs + 1e-9);
  }
  breakpoints(): number[] {
    return [];
  }
}

const net = (): NlaGraph =>
  layeredNetwork([40, 24, 10], { activation: 'hard-sigmoid', seed: 3, beta: 0.1, bias: true, tauMs: 10, tauInMs: 10, init: { distribution: 'normal', std: 0.3 } })
    .plasticity({ enabled: true, etaPerMs: 5e-3 })
    .build();

const pair = (g: NlaGraph, learn = true) => [
  new DigitalSimulator(g, { dtMs: 0.1, learn }),
  new DigitalSimulator(g, { dtMs: 0.1, learn, inputProducts: 'incremental' }),
] as const;

/** max |a − b| over u, relative to max |a|. */
function uGap(a: DigitalSimulator, b: DigitalSimulator): number {
  let gap = 0;
  let scale = 0;
  for (let i = 0; i < a.state.u.length; i++) {
    gap = Math.max(gap, Math.abs(a.state.u[i]! - b.state.u[i]!));
    scale = Math.max(scale, Math.abs(a.state.u[i]!));
  }
  return gap / scale;
}

/** max |a − b| over all weights, relative to max |a|. */
function wGap(a: DigitalSimulator, b: DigitalSimulator): number {
  const wa = a.weights();
  const wb = b.weights();
  let gap = 0;
  let scale = 0;
  wa.forEach((W, k) => W.forEach((v, i) => ((gap = Math.max(gap, Math.abs(v - wb[k]![i]!))), (scale = Math.max(scale, Math.abs(v))))));
  return gap / scale;
}

const carried = (s: DigitalSimulator) => s.workspace.inputProducts as InputProducts;

/** Projections whose products are carried: 40→24 and the bias's to both layers (counts are per projection). */
const P = 3;

describe("incremental input products (inputProducts: 'incremental')", () => {
  it('learns along the reference trajectory over 60 frames: u and W agree to 1e-9, every step after the first carried', () => {
    const g = net();
    const d = new FrameDrive(g.nStimulusInputs, 10, 3);
    const [ref, inc] = pair(g);
    const u0 = Float64Array.from(ref.state.u);
    for (let k = 0; k < 1800; k++) {
      ref.step(d);
      inc.step(d);
    }
    expect(uGap(ref, inc)).toBeLessThan(1e-9);
    expect(wGap(ref, inc)).toBeLessThan(1e-9);
    // the run moved far from its start and its weights learned (the comparison is not between two idle runs)
    expect(Math.max(...Array.from(ref.state.u, (v, i) => Math.abs(v - u0[i]!)))).toBeGreaterThan(0.1);
    // at a frame change the engine evaluates before the jump (old r_in: carried) and after it (r_in changed)
    const frames = 1800 / 30;
    // (the bias projections' inputs never change: only their refreshes, every 129 steps, are full passes)
    expect(carried(inc).carriedSteps).toBe(P * (1800 - 1) - 2 * Math.floor(1799 / 129));
    // the data projection: one full pass per frame (its first, step 0, included); each bias projection: the
    // first step and its refreshes; the jumps' further evaluations reuse the products of the pass
    expect(carried(inc).fullPasses).toBe(frames + 2 * (1 + Math.floor(1799 / 129)));
    expect(carried(inc).reusedEvaluations).toBeGreaterThan(P * (frames - 1));
  });

  it('with constant input, refreshes by a full pass every 129 steps and stays on the reference', () => {
    const g = net();
    const d = new FrameDrive(g.nStimulusInputs, 10, 1e6);
    const [ref, inc] = pair(g);
    for (let k = 0; k < 600; k++) {
      ref.step(d);
      inc.step(d);
    }
    expect(uGap(ref, inc)).toBeLessThan(1e-10);
    expect(carried(inc).fullPasses).toBe(P * Math.ceil(600 / 129));
  });

  it('weights written from outside mid-frame are seen by the next step (the carried products are dropped)', () => {
    const g = net();
    const d = new FrameDrive(g.nStimulusInputs, 10, 3);
    const [ref, inc] = pair(g);
    for (let k = 0; k < 45; k++) {
      ref.step(d);
      inc.step(d);
    }
    for (const s of [ref, inc]) s.weights()[0]!.forEach((v, i, W) => (W[i] = 1.5 * v));
    const passes = carried(inc).fullPasses;
    for (let k = 0; k < 10; k++) {
      ref.step(d);
      inc.step(d);
    }
    expect(carried(inc).fullPasses).toBe(passes + P);
    expect(uGap(ref, inc)).toBeLessThan(1e-10);
  });

  it('an impulse mid-frame breaks the Euler path of r̄_in: a full pass, and the reference trajectory', () => {
    const g = net();
    const d = new FrameDrive(g.nStimulusInputs, 10, 3, [1.25, 4.55]);
    const [ref, inc] = pair(g);
    for (let k = 0; k < 90; k++) {
      ref.step(d);
      inc.step(d);
    }
    expect(uGap(ref, inc)).toBeLessThan(1e-10);
    // each step's first evaluation is carried (at an impulse, the one before it lands); the impulse's own
    // evaluations (its continuation) are full passes, as are the frame changes' second evaluations
    expect(carried(inc).carriedSteps).toBe(P * (90 - 1));
    expect(carried(inc).fullPasses).toBeGreaterThanOrEqual(P * (3 + 2));
    // the jumps' further evaluations (Newton on f) see the same W and inputs: their products are reused
    expect(carried(inc).reusedEvaluations).toBeGreaterThan(0);
  });

  it('a saved and restored run continues exactly as the uninterrupted incremental run', () => {
    const g = net();
    const d = new FrameDrive(g.nStimulusInputs, 10, 3);
    const [, a] = pair(g);
    for (let k = 0; k < 50; k++) a.step(d);
    const saved = captureState(a);
    const b = new DigitalSimulator(g, { dtMs: 0.1, learn: true, inputProducts: 'incremental' });
    restoreState(b, JSON.parse(JSON.stringify(saved)));
    for (let k = 0; k < 100; k++) {
      a.step(d);
      b.step(d);
    }
    expect(Array.from(b.state.u)).toEqual(Array.from(a.state.u));
    expect(b.weights().map((W) => Array.from(W))).toEqual(a.weights().map((W) => Array.from(W)));
  });

  it('without learning (fixed W) the products are carried too, and agree with the reference', () => {
    const g = net();
    const d = new FrameDrive(g.nStimulusInputs, 10, 3);
    const [ref, inc] = pair(g, false);
    for (let k = 0; k < 300; k++) {
      ref.step(d);
      inc.step(d);
    }
    expect(uGap(ref, inc)).toBeLessThan(1e-11);
    expect(carried(inc).carriedSteps).toBe(P * (300 - 1) - 2 * Math.floor(299 / 129));
  });

  it('random feedback and the microcircuit (Algorithm 2) stay on their reference trajectories too', () => {
    const random = layeredNetwork([40, 24, 10], { activation: 'hard-sigmoid', seed: 4, beta: 0.1, bias: true, tauMs: 10, tauInMs: 10, init: { distribution: 'normal', std: 0.3 } })
      .feedback({ mode: 'random', init: { distribution: 'normal', std: 0.4 } })
      .plasticity({ enabled: true, etaPerMs: 5e-3 })
      .build();
    const micro = network('micro')
      .seed(5)
      .beta(0.1)
      .tauInMs(10)
      .activation('logistic')
      .init({ distribution: 'normal', std: 0.5 })
      .feedback({ mode: 'microcircuit', interneuronInit: { distribution: 'normal', std: 0.05 }, feedbackInit: { distribution: 'normal', std: 0.5 } })
      .input('in', 40)
      .hidden('h', 16, { bias: true })
      .interneurons('i', 10, 'h')
      .output('out', 10, { activation: 'linear', bias: true })
      .connect('in', 'h')
      .connect('h', 'out')
      .plasticity({ enabled: true, etaPerMs: 0.01 })
      .build();
    expect([random.feedback, micro.feedback]).toEqual(['random', 'microcircuit']);
    for (const g of [random, micro]) {
      const d = new FrameDrive(40, 10, 3);
      const [ref, inc] = pair(g);
      for (let k = 0; k < 600; k++) {
        ref.step(d);
        inc.step(d);
      }
      expect(uGap(ref, inc)).toBeLessThan(1e-9);
      expect(wGap(ref, inc)).toBeLessThan(1e-9);
      expect(carried(inc).carriedSteps).toBeGreaterThan(500);
    }
  });

  it('is refused at batch > 1, naming the option', () => {
    expect(() => new DigitalSimulator(net(), { dtMs: 0.1, batch: 4, inputProducts: 'incremental' })).toThrow(UsageError);
    expect(() => new DigitalSimulator(net(), { dtMs: 0.1, batch: 4, inputProducts: 'incremental' })).toThrow(/inputProducts/);
  });
});

/** Three lowrank simulators of g with the nudges the tolerance test gives them, and the data projection (40 inputs → 24). */
function low3(g: NlaGraph) {
  const ref = new DigitalSimulator(g, { dtMs: 0.1, learn: true, inputProducts: 'lowrank' }).layout.forward.find((r) => r.p.pre.type === 'input' && r.p.cols === 40)!;
  return [0, 1e-15, 1e-11].map((nudge) => ({ sim: new DigitalSimulator(g, { dtMs: 0.1, learn: true, inputProducts: 'lowrank' }), ref, nudge }));
}

/** n steps of every simulator on drive d, in turn. */
function stepAll(d: Drive, n: number, ...sims: DigitalSimulator[]): void {
  for (let k = 0; k < n; k++) for (const s of sims) s.step(d);
}

describe("low-rank weight updates of held frames (inputProducts: 'lowrank')", () => {
  const trio = (g: NlaGraph, learn = true) => [...pair(g, learn), new DigitalSimulator(g, { dtMs: 0.1, learn, inputProducts: 'lowrank' })] as const;

  it('learns along the reference trajectory over 60 frames: u and W agree to rounding, each frame one rank-2 update per projection', () => {
    const g = net();
    const d = new FrameDrive(g.nStimulusInputs, 10, 3);
    const [ref, inc, low] = trio(g);
    stepAll(d, 1800, ref, inc, low);
    // measured 1.4e-15 (u) and 3.6e-15 (W) relative; dropping the λ·d half of the update gives ~1e-3
    expect(uGap(ref, low)).toBeLessThan(1e-12);
    expect(wGap(ref, low)).toBeLessThan(1e-12);
    // a different path from 'incremental' (whose W holds the reference's bits), not the same one
    expect(wGap(ref, inc)).toBeLessThan(1e-15);
    expect(wGap(inc, low)).toBeGreaterThan(0);
    const lr = carried(low);
    // every carried step's update was summed; the sums reach W once per stretch: at the frame's full pass
    // (the bias projections: at their refreshes) and at the read above
    expect(lr.summedUpdates).toBe(lr.carriedSteps);
    expect(lr.carriedSteps).toBe(carried(inc).carriedSteps);
    // (each projection's first full pass finds no sums; the read flushes each projection once)
    expect(lr.lowRankFlushes).toBe(lr.fullPasses);
    expect(lr.summedUpdates / lr.lowRankFlushes).toBeGreaterThan(50);
  });

  it('an impulse mid-frame moves r̄_in off the line: the sums are flushed, a new stretch starts, the reference trajectory holds', () => {
    const g = net();
    const d = new FrameDrive(g.nStimulusInputs, 10, 3, [1.25, 4.55]);
    const [ref, , low] = trio(g);
    stepAll(d, 90, ref, low);
    expect(uGap(ref, low)).toBeLessThan(1e-12);
    expect(wGap(ref, low)).toBeLessThan(1e-12);
    // 3 frames and 2 impulses: the data projection's stretches restart at each (its flushes: 2 frame
    // switches, 2 impulses, the read); the bias projections flush only at the read
    expect(carried(low).lowRankFlushes).toBe(2 + 2 + 1 + 2);
  });

  it('a state saved mid-frame holds the summed updates, and restoring it continues on the reference', () => {
    const g = net();
    const d = new FrameDrive(g.nStimulusInputs, 10, 3);
    const [ref, , low] = trio(g);
    stepAll(d, 45, ref, low);
    const saved = captureState(low);
    const again = new DigitalSimulator(g, { dtMs: 0.1, learn: true, inputProducts: 'lowrank' });
    restoreState(again, JSON.parse(JSON.stringify(saved)));
    stepAll(d, 45, ref, again);
    expect(wGap(ref, again)).toBeLessThan(1e-12);
    expect(uGap(ref, again)).toBeLessThan(1e-12);
  });

  it('an update whose presynaptic factor leaves the line by more than the tolerance starts a new stretch; within it, it is summed', () => {
    const g = net();
    const d = new FrameDrive(g.nStimulusInputs, 10, 3);
    const data = low3(g);
    const flushes = data.map(({ sim, ref, nudge }) => {
      for (let k = 0; k < 45; k++) sim.step(d);
      // the update deferred by step 45 (mid-frame), its presynaptic factor moved by a relative `nudge`
      const p = sim.workspace.proj[ref.index]!.pendPre;
      const j = p.findIndex((v) => v > 0.1);
      p[j] = p[j]! * (1 + nudge);
      const before = carried(sim).lowRankFlushes;
      sim.step(d);
      return carried(sim).lowRankFlushes - before;
    });
    // LOWRANK_TOLERANCE is 1e-13 of the column's magnitude
    expect(flushes).toEqual([0, 0, 1]);
  });

  it('a frame held for 600 steps: stretches of 128 steps end at the refresh, λ up to 0.99^127, the reference trajectory holds', () => {
    const g = net();
    const d = new FrameDrive(g.nStimulusInputs, 10, 1e6);
    const [ref, , low] = trio(g);
    stepAll(d, 600, ref, low);
    expect(uGap(ref, low)).toBeLessThan(1e-12);
    expect(wGap(ref, low)).toBeLessThan(1e-12);
    const lr = carried(low);
    // no line check failed: every flush is a refresh's full pass (P per refresh, the first passes find no sums) or the read
    expect(lr.lowRankFlushes).toBe(lr.fullPasses);
    expect(lr.summedUpdates).toBe(lr.carriedSteps);
  });

  it('weights written from outside mid-frame are seen by the next step, the summed updates applied first', () => {
    const g = net();
    const d = new FrameDrive(g.nStimulusInputs, 10, 3);
    const [ref, , low] = trio(g);
    stepAll(d, 45, ref, low);
    for (const s of [ref, low]) s.weights()[0]!.forEach((v, i, W) => (W[i] = 1.5 * v));
    stepAll(d, 10, ref, low);
    expect(wGap(ref, low)).toBeLessThan(1e-12);
    expect(uGap(ref, low)).toBeLessThan(1e-12);
  });

  it('without learning it is incremental: no update is summed', () => {
    const g = net();
    const d = new FrameDrive(g.nStimulusInputs, 10, 3);
    const [, inc, low] = trio(g, false);
    stepAll(d, 200, inc, low);
    expect(Array.from(low.state.u)).toEqual(Array.from(inc.state.u));
    expect([carried(low).summedUpdates, carried(low).lowRankFlushes]).toEqual([0, 0]);
  });
});
