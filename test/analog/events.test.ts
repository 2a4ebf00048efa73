import { describe, expect, it } from 'vitest';
import { activationKinks, evaluateActivation, evaluateActivationPiece, type Activation } from '../../core/activation.js';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { PIController } from '../../emulator/analog/ode/controller.js';
import { Dopri5 } from '../../emulator/analog/ode/dopri5.js';
import { Integrator } from '../../emulator/analog/ode/integrate.js';
import type { OdeSystem, SwitchingSystem } from '../../emulator/analog/ode/ode.js';
import { createIntegrator, type SolverName } from '../../emulator/analog/ode/registry.js';
import { AnalogSimulator, LOCK_AUTO_NEURONS, type AnalogOptions } from '../../emulator/analog/simulator.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { FrameDrive } from '../../bench/frame-drive.js';
import { runDigital } from '../../emulator/digital/run.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { TableSignal } from '../../emulator/stimulus/table-signal.js';
import { validateProfile } from '../../hardware-models/profiles/validate.js';
import type { TraceTable } from '../../emulator/probes/recorder.js';
import { driveFor, layered583, micro } from '../../bench/kinks.js';
import { FilippovBlend, SlidingField } from '../../emulator/analog/filippov.js';

/**
 * y0' = 1 − y0 (y0 = 1 − e^{−t} from 0) drives y1' = ρ(y0 − ½) with the hard sigmoid's lower kink:
 * y0 crosses ½ at t* = ln 2, after which y1 = ½(t − ln 2) + e^{−t} − ½.
 */
function rampThroughKink(locked: boolean): { sys: OdeSystem; mode: () => number } {
  let mode = -1;
  let active = false;
  const switching: SwitchingSystem = {
    count: 1,
    lock(_t, y) {
      active = true;
      mode = y[0]! >= 0.5 ? 1 : -1;
      return null;
    },
    margins(_t, y, g) {
      g[0] = mode * (y[0]! - 0.5);
      return null;
    },
    flip() {
      mode = -mode;
    },
    name: () => 'kink at y0 = ½',
  };
  const sys: OdeSystem = {
    size: 2,
    rhs(_t, y, dy) {
      dy[0] = 1 - y[0]!;
      const x = y[0]! - 0.5;
      dy[1] = active ? (mode > 0 ? x : 0) : Math.max(0, x);
    },
    componentName: (i) => `y${i}`,
    switching: locked ? switching : null,
  };
  return { sys, mode: () => mode };
}
const y1Exact = (t: number) => 0.5 * (t - Math.LN2) + Math.exp(-t) - 0.5;

describe('event location with mode locking (closed form)', () => {
  for (const name of ['dopri5', 'rosenbrock'] as SolverName[]) {
    it(`${name}: the kink's crossing is located at t* = ln 2 within 1e-8 and the solution after it is exact to 1e-8`, () => {
      const { sys, mode } = rampThroughKink(true);
      const ig = createIntegrator(name, { rtol: 1e-10, atol: 1e-12 });
      const y = new Float64Array(2);
      const ends: number[] = [];
      expect(ig.integrate(sys, 0, y, 3, (_a, b) => void ends.push(b))).toBeNull();
      expect(ig.stats.events).toBe(1);
      expect(mode()).toBe(1);
      const nearest = ends.reduce((best, t) => (Math.abs(t - Math.LN2) < Math.abs(best - Math.LN2) ? t : best), Infinity);
      expect(Math.abs(nearest - Math.LN2)).toBeLessThan(1e-8);
      // a step ends just past the crossing: the first one with y0 > ½
      expect(nearest).toBeGreaterThanOrEqual(Math.LN2 - 1e-9);
      expect(Math.abs(y[0]! - (1 - Math.exp(-3)))).toBeLessThan(1e-8);
      expect(Math.abs(y[1]! - y1Exact(3))).toBeLessThan(1e-8);
    });
  }

  it('without locking the same kink costs rejected steps; with it, none beyond the controller’s ordinary ones', () => {
    const run = (locked: boolean) => {
      const ig = createIntegrator('dopri5', { rtol: 1e-10, atol: 1e-12 });
      const y = new Float64Array(2);
      expect(ig.integrate(rampThroughKink(locked).sys, 0, y, 3)).toBeNull();
      return { stats: ig.stats, err: Math.abs(y[1]! - y1Exact(3)) };
    };
    const on = run(true);
    const off = run(false);
    expect(on.stats.rejected).toBeLessThan(off.stats.rejected);
    expect(on.err).toBeLessThan(1e-8);
  });
});

/**
 * y' = −1 above 0 and +1 below: every solution reaches 0 at t = y(0) and slides there (Filippov: y' = 0).
 * `withSlide`: the system offers the sliding mode (y' = 0); otherwise only the hold fallback is left.
 */
function slidingScalar(withSlide: boolean): OdeSystem {
  let mode = 1;
  const switching: SwitchingSystem = {
    count: 1,
    lock(_t, y) {
      if (mode !== 0 || y[0] !== 0) mode = y[0]! >= 0 ? 1 : -1;
      return null;
    },
    margins(_t, y, g) {
      g[0] = mode === 0 ? 1 : mode * y[0]!;
      return null;
    },
    flip() {
      mode = -mode;
    },
    name: () => 'y = 0',
  };
  if (withSlide) {
    switching.slide = (_k, _t, y) => {
      mode = 0;
      y[0] = 0;
      return true;
    };
  }
  return {
    size: 1,
    rhs(_t, _y, dy) {
      dy[0] = -mode;
    },
    componentName: () => 'y',
    switching,
  };
}

describe('chattering guard', () => {
  const opts = { repeatWindow: 1e-3, maxRepeats: 4, holdSpan: 1e-2 };
  it('a state sliding along a switch without a sliding mode terminates, each hold counted, within holdSpan of the slide', () => {
    const ig = new Integrator(new Dopri5(), new PIController({ rtol: 1e-6, atol: 1e-9 }), opts);
    const y = Float64Array.of(1);
    expect(ig.integrate(slidingScalar(false), 0, y, 2)).toBeNull();
    expect(ig.stats.chatterHolds).toBeGreaterThan(10);
    expect(ig.stats.slides).toBe(0);
    expect(Math.abs(y[0]!)).toBeLessThanOrEqual(2 * opts.holdSpan);
    // bounded work: a few steps and events per hold of 0.01 over the 1 unit of sliding
    expect(ig.stats.accepted + ig.stats.rejected).toBeLessThan(100 / opts.holdSpan);
  });

  it('with a sliding mode the state stays on the switch exactly, one slide counted, no hold', () => {
    const ig = new Integrator(new Dopri5(), new PIController({ rtol: 1e-6, atol: 1e-9 }), opts);
    const y = Float64Array.of(1);
    expect(ig.integrate(slidingScalar(true), 0, y, 2)).toBeNull();
    expect(ig.stats.slides).toBe(1);
    expect(ig.stats.chatterHolds).toBe(0);
    expect(y[0]).toBe(0);
    expect(ig.stats.accepted).toBeLessThan(100);
  });
});

describe('locked ρ pieces', () => {
  const acts: Activation[] = [{ kind: 'hard-sigmoid' }, { kind: 'clipped-relu', max: 3 }, { kind: 'depression-matched', a: 1, d: 2 }];
  for (const a of acts) {
    it(`${a.kind}: each piece equals ρ inside its interval and continues smoothly past its kinks`, () => {
      const ks = activationKinks(a);
      const edges = [-Infinity, ...ks, Infinity];
      for (let p = 0; p <= ks.length; p++) {
        const lo = Math.max(edges[p]!, -2);
        const hi = Math.min(edges[p + 1]!, 4);
        for (const x of [lo + 0.01, 0.5 * (lo + hi), hi - 0.01]) {
          const u = Float64Array.of(x);
          const want = [new Float64Array(1), new Float64Array(1), new Float64Array(1)] as const;
          const got = [new Float64Array(1), new Float64Array(1), new Float64Array(1)] as const;
          evaluateActivation(a, u, ...want, 0, 1);
          evaluateActivationPiece(a, p, u, ...got, 0);
          for (let j = 0; j < 3; j++) expect(got[j]![0]).toBeCloseTo(want[j]![0]!, 12);
        }
        // past a kink the piece keeps its own slope (the other side's ρ' differs)
        if (p < ks.length) {
          const u = Float64Array.of(ks[p]! + 0.05);
          const d = new Float64Array(1);
          const dTrue = new Float64Array(1);
          evaluateActivationPiece(a, p, u, null, d, null, 0);
          evaluateActivation(a, u, null, dTrue, null, 0, 1);
          expect(Math.abs(d[0]! - dTrue[0]!)).toBeGreaterThan(0.1);
        }
      }
    });
  }
});

function emulate(g: NlaGraph, profile: string, T: number, opts: AnalogOptions, probes = '') {
  const ir = compileCircuit(g, structuredClone(BUILTIN_PROFILES[profile]!), { seed: 2 });
  const sim = new AnalogSimulator(modelFromCircuit(ir), opts);
  return sim.run({ durationMs: T, drive: driveFor(g, T), probes: probes ? parseProbes(probes, g) : [], sampleEveryMs: 1 });
}
const work = (r: ReturnType<typeof emulate>) => r.summary.stats.accepted + r.summary.stats.rejected;

/** Largest |Δu| between two tables over the rows at the given times (a drive's jump instant is left out: left and right limits differ there). */
function deviation(a: TraceTable, b: TraceTable, skipRows: number[] = []): number {
  let m = 0;
  for (const c of b.names) {
    if (!c.startsWith('u:')) continue;
    const x = a.column(c);
    const y = b.column(c);
    for (let i = 0; i < y.length; i++) if (!skipRows.includes(i)) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  }
  return m;
}

describe('hard-sigmoid networks cost about what logistic ones do (issue 15)', () => {
  it('5-8-3 on opamp-board, rtol 1e-6, 100 ms: DOPRI5 steps (accepted + rejected) ≤ 3× the logistic copy; kinks located, a slide taken', () => {
    const hs = emulate(layered583('hard-sigmoid'), 'opamp-board', 100, { solver: 'dopri5', rtol: 1e-6, atol: 1e-9 });
    const lg = emulate(layered583('logistic'), 'opamp-board', 100, { solver: 'dopri5', rtol: 1e-6, atol: 1e-9 });
    expect(hs.summary.modeLocking).toBe(true);
    expect(hs.summary.events).toBeGreaterThan(10);
    expect(hs.summary.slides).toBeGreaterThan(0);
    expect(hs.summary.chatterHolds).toBe(0);
    expect(lg.summary.events).toBe(0);
    expect(work(hs)).toBeLessThanOrEqual(3 * work(lg));
  });

  it('the same on ROS3, which evaluates one Jacobian per accepted step and restart, none again for a retried step', () => {
    const hs = emulate(layered583('hard-sigmoid'), 'opamp-board', 100, { solver: 'rosenbrock', rtol: 1e-6, atol: 1e-9 });
    const lg = emulate(layered583('logistic'), 'opamp-board', 100, { solver: 'rosenbrock', rtol: 1e-6, atol: 1e-9 });
    expect(work(hs)).toBeLessThanOrEqual(3 * work(lg));
    const s = hs.summary.stats;
    expect(s.rejected).toBeGreaterThan(0);
    expect(s.jacobians).toBeLessThan(s.accepted + s.rejected);
    expect(s.jacobians).toBeGreaterThanOrEqual(s.accepted);
  });

  it('microcircuit (conformance case) on ideal, rtol 1e-6, 100 ms: ≤ 3× the logistic copy', () => {
    const hs = emulate(micro('hard-sigmoid'), 'ideal', 100, { rtol: 1e-6 });
    const lg = emulate(micro('logistic'), 'ideal', 100, { rtol: 1e-6 });
    expect(hs.summary.events).toBeGreaterThan(0);
    expect(work(hs)).toBeLessThanOrEqual(3 * work(lg));
  });
});

describe('trajectories with events agree with independent references', () => {
  it('ideal profile: within 5e-4 of the digital engine at dt = 1 µs, whose own error shrinks ≥ 5× from dt = 10 µs (5-8-3 and the microcircuit, whose h[4] slides on its kink)', () => {
    const T = 40;
    for (const g of [layered583('hard-sigmoid'), micro('hard-sigmoid')]) {
      const a = emulate(g, 'ideal', T, { rtol: 1e-8, atol: 1e-11 }, 'u');
      const dig = (dtMs: number) => runDigital(new DigitalSimulator(g, { dtMs, learn: false }), { durationMs: T, drive: driveFor(g, T), probes: parseProbes('u', g), sampleEveryMs: 1 }).traces;
      const skip = g.feedback === 'microcircuit' ? [20] : []; // the input step at 20 ms
      const fine = deviation(a.traces, dig(0.001), skip);
      const coarse = deviation(a.traces, dig(0.01), skip);
      expect(a.summary.events).toBeGreaterThan(0);
      expect(fine).toBeLessThan(5e-4);
      expect(coarse / fine).toBeGreaterThan(5);
    }
  });

  it('opamp-board (a slide included): the unlocked integration at rtol 1e-4 lies within 1e-2 of the locked one', () => {
    const g = layered583('hard-sigmoid');
    const locked = emulate(g, 'opamp-board', 100, { solver: 'dopri5', rtol: 1e-6, atol: 1e-9 }, 'u');
    const unlocked = emulate(g, 'opamp-board', 100, { solver: 'dopri5', rtol: 1e-4, atol: 1e-7, events: false }, 'u');
    expect(locked.summary.slides).toBeGreaterThan(0);
    expect(unlocked.summary.modeLocking).toBe(false);
    expect(unlocked.summary.events).toBe(0);
    expect(deviation(locked.traces, unlocked.traces)).toBeLessThan(1e-2);
  }, 60_000);

  it('rails at −0.3 and 0.8 units (ideal otherwise, no targets): nodes pinned and released as events, within 2e-5 of the unlocked run at rtol 1e-8', () => {
    const ideal = BUILTIN_PROFILES.ideal!;
    const railed = validateProfile({ ...structuredClone(ideal), name: 'railed', membrane: { ...ideal.membrane, railLowV: -0.3, railHighV: 0.8 } });
    const g = layered583('hard-sigmoid');
    const T = 100;
    const times = Float64Array.from({ length: T + 1 }, (_, k) => k);
    const inputs = Array.from({ length: 5 }, (_, c) => Float64Array.from(times, (t) => 0.5 + 0.4 * Math.sin(t / (5 + 2 * c) + c)));
    const run = (events: boolean) =>
      new AnalogSimulator(modelFromCircuit(compileCircuit(g, railed)), { rtol: 1e-8, atol: 1e-11, events }).run({ durationMs: T, drive: new SignalDrive(new TableSignal(times, inputs, 'linear')), probes: parseProbes('u', g), sampleEveryMs: 1 });
    const on = run(true);
    const off = run(false);
    const us = (r: typeof on) => r.traces.names.filter((c) => c.startsWith('u:')).flatMap((c) => Array.from(r.traces.column(c)));
    for (const r of [on, off]) {
      expect(Math.max(...us(r))).toBeCloseTo(0.8, 12);
      expect(Math.min(...us(r))).toBeCloseTo(-0.3, 12);
    }
    expect(on.summary.events).toBeGreaterThan(10);
    expect(deviation(on.traces, off.traces)).toBeLessThan(2e-5);
  });
});

describe("mode locking's default", () => {
  const lockedAt = (sizes: number[], events?: AnalogOptions['events']) => {
    const g = layeredNetwork(sizes, { activation: 'hard-sigmoid', seed: 1 }).build();
    const sim = new AnalogSimulator(modelFromCircuit(compileCircuit(g, structuredClone(BUILTIN_PROFILES.ideal!))), events === undefined ? {} : { events });
    return sim.run({ durationMs: 0.1, drive: new FrameDrive(sizes[0]!, sizes[2]!, 5, 4, 1), probes: [] }).summary.modeLocking;
  };
  it(`auto locks up to ${LOCK_AUTO_NEURONS} neurons and leaves wider circuits to the step control; true and false force it`, () => {
    expect(lockedAt([4, LOCK_AUTO_NEURONS - 10, 10])).toBe(true);
    expect(lockedAt([4, LOCK_AUTO_NEURONS, 10])).toBe(false);
    expect(lockedAt([4, LOCK_AUTO_NEURONS, 10], true)).toBe(true);
    expect(lockedAt([4, 8, 3], false)).toBe(false);
  });
});

describe('sliding field at scale (filippov.ts)', () => {
  /** A field linear in the blend weights: u̇_s = c_s + d_s α_s + Σ_k coupling·m_sk α_k over n sliding neurons, other components likewise. */
  function linearField(n: number, size: number, coupling: number, seed: number) {
    let x = seed;
    const rnd = () => ((x = (x * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const c = Float64Array.from({ length: size }, rnd);
    const M = Array.from({ length: size }, (_, i) => Float64Array.from({ length: n }, (_, k) => (i === k ? 2 + rnd() : coupling * rnd())));
    const S = Array.from({ length: n }, (_, j) => j);
    // each sliding neuron's own weight pushes its u̇ across zero: c_s in (−d_s, 0)
    for (const s of S) c[s] = -M[s]![s]! * (0.2 + 0.6 * Math.abs(rnd()));
    const evaluate = (alpha: Float64Array, dy: Float64Array) => {
      for (let i = 0; i < size; i++) {
        let v = c[i]!;
        for (let k = 0; k < n; k++) v += M[i]![k]! * alpha[k]!;
        dy[i] = v;
      }
      return Float64Array.from(dy);
    };
    return { S, evaluate };
  }

  it('three evaluations of f for 300 sliding neurons, the same field as the vertex form (n + 1 evaluations) to 1e-9', () => {
    const n = 300;
    const size = 320;
    const { S, evaluate } = linearField(n, size, 0, 7);
    let calls = 0;
    const counted = (a: Float64Array, dy: Float64Array) => (calls++, evaluate(a, dy));
    const dy = new Float64Array(size);
    const lambda = new Float64Array(n);
    expect(new SlidingField().solve(S, counted, dy, lambda, new Float64Array(n), 0, (i) => `n${i}`)).toBeNull();
    expect(calls).toBe(3);
    const base = new Float64Array(size);
    evaluate(new Float64Array(n), base);
    const vertices = S.map((j) => {
      const a = new Float64Array(n);
      a[j] = 1;
      const v = new Float64Array(size);
      evaluate(a, v);
      return v;
    });
    const ref = new Float64Array(size);
    new FilippovBlend(n).blend(S, base, vertices, ref, new Float64Array(n));
    for (let i = 0; i < size; i++) expect(Math.abs(dy[i]! - ref[i]!)).toBeLessThan(1e-9);
    for (const s of S) expect(dy[s]).toBe(0);
  });

  it('coupled sliding neurons settle by secant steps (u̇ on the surfaces ≤ 1e-9 of their pieces); a slide that does not settle is an error naming a neuron, not a field', () => {
    const field = (M: number[][], c: number[]) => (a: Float64Array, dy: Float64Array) => {
      for (let i = 0; i < 2; i++) dy[i] = c[i]! + M[i]![0]! * a[0]! + M[i]![1]! * a[1]!;
      return Float64Array.from(dy);
    };
    const weak = field([[2, 0.3], [0.3, 2]], [-1, -1.2]);
    const lambda = new Float64Array(2);
    expect(new SlidingField().solve([0, 1], weak, new Float64Array(2), lambda, new Float64Array(2), 0, (i) => `n${i}`)).toBeNull();
    const r = weak(lambda, new Float64Array(2));
    expect(Math.max(Math.abs(r[0]!), Math.abs(r[1]!))).toBeLessThan(1e-8);
    // off-diagonal stronger than the diagonal: the secant steps on each surface alone converge too slowly
    const strong = field([[1, 2], [2, 1]], [-1.6, -1.1]);
    const fail = new SlidingField().solve([0, 1], strong, new Float64Array(2), new Float64Array(2), new Float64Array(2), 4.5, (i) => `n${i}`);
    expect(fail?.what).toMatch(/sliding field on the kink of n\d did not settle/);
    expect(fail?.timeMs).toBe(4.5);
  });
});
