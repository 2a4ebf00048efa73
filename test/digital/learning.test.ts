import { describe, expect, it } from 'vitest';
import { network } from '../../compiler/spec/builder.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import { captureState, restoreState } from '../../emulator/digital/state-file.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { FunctionSignal } from '../../emulator/stimulus/signal.js';
import { Rng } from '../../core/rng.js';
import { run } from '../helpers.js';

const TAU_IN = 10;
/** Input rates: per channel two sinusoids; `filtered` is their exact τ_in low-pass (after the transient). */
const waves = [
  [
    [0.25, 2 * Math.PI / 370, 0.3],
    [0.15, 2 * Math.PI / 910, 1.1],
  ],
  [
    [0.2, 2 * Math.PI / 530, 2.0],
    [0.2, 2 * Math.PI / 1330, 0.4],
  ],
  [
    [0.3, 2 * Math.PI / 610, 4.0],
    [0.1, 2 * Math.PI / 230, 2.2],
  ],
];
const raw = (t: number, c: number) => 0.5 + waves[c]!.reduce((s, [a, w, p]) => s + a! * Math.sin(w! * t + p!), 0);
const filtered = (t: number, c: number) =>
  0.5 + waves[c]!.reduce((s, [a, w, p]) => s + (a! / Math.hypot(1, w! * TAU_IN)) * Math.sin(w! * t + p! - Math.atan(w! * TAU_IN)), 0);

/** The teacher: a fixed 3-8-2 network (weights written out below) evaluated on the filtered rates, test-side. */
function teacherOutput(t: number): number[] {
  const x = [0, 1, 2].map((c) => filtered(t, c));
  const W1 = [[1.2, -0.8, 0.5], [-0.4, 1.5, -1.1], [0.9, 0.3, 1.4], [-1.3, 0.7, 0.2], [0.6, -1.2, 0.8], [1.1, 1.0, -0.9], [-0.7, -0.5, 1.3], [0.4, 0.9, -1.4]];
  const W2 = [[0.8, -0.6, 0.7, -0.9, 0.5, 0.6, -0.4, 0.3], [-0.5, 0.9, -0.3, 0.6, -0.8, 0.4, 0.7, -0.6]];
  const h = W1.map((row) => 1 / (1 + Math.exp(-row.reduce((s, w, i) => s + w * (x[i]! - 0.5), 0))));
  return W2.map((row) => row.reduce((s, w, i) => s + w * h[i]!, 0));
}

const target = new FunctionSignal(
  2,
  (t, c) => teacherOutput(t)[c]!,
  (t, c) => (teacherOutput(t + 1e-3)[c]! - teacherOutput(t - 1e-3)[c]!) / 2e-3,
);
const drive = new SignalDrive(new FunctionSignal(3, raw), target);

function student() {
  return network('student')
    .seed(3)
    .beta(0.1)
    .tauInMs(TAU_IN)
    .activation('logistic')
    .init({ distribution: 'normal', std: 0.5 })
    .input('in', 3)
    .hidden('h', 20, { bias: true })
    .output('out', 2, { activation: 'linear', bias: true })
    .connect('in', 'h')
    .connect('h', 'out')
    .plasticity({ enabled: true, etaPerMs: 0.01 })
    .build();
}

/** Mean cost over 3 s of the input, plasticity off, from a given state. */
function evaluate(state: ReturnType<typeof captureState>): number {
  const sim = new DigitalSimulator(student(), { dtMs: 0.2, learn: false, init: 'equilibrium' });
  restoreState(sim, state, { weightsOnly: true });
  let c = 0;
  let n = 0;
  run(sim, drive, 15_000, (s) => {
    if (s.tMs < 100) return;
    const w = s.workspace;
    for (const o of s.graph.outputs) c += 0.5 * (w.ustar[o]! - w.u[o]!) ** 2;
    n++;
  });
  return c / n;
}

describe('learning in real time (Eq. 8)', () => {
  it('a student learns a random teacher from continuously changing inputs: cost down by at least 10×', () => {
    const sim = new DigitalSimulator(student(), { dtMs: 0.2, init: 'equilibrium' });
    const before = evaluate(captureState(sim));
    run(sim, drive, 150_000); // 30 s of online learning, inputs and targets never stop changing
    const after = evaluate(captureState(sim));
    expect(before / after).toBeGreaterThan(10);
  });
});

describe('cortical microcircuit (Algorithm 2, theory §5)', () => {
  it('learning reduces the angle between W^PI W^IP and B W', () => {
    // 10 input channels so that the hidden activity explores every direction (alignment is learned only
    // where activity goes); targets: a fixed random teacher on the filtered rates.
    const rng = new Rng(77);
    const nIn = 10;
    const periods = Array.from({ length: nIn }, () => [200 + 900 * rng.uniform(), 200 + 900 * rng.uniform()]);
    const phases = Array.from({ length: nIn }, () => [6.28 * rng.uniform(), 6.28 * rng.uniform()]);
    const lp = (t: number, c: number, filt: boolean) =>
      0.5 + [0, 1].reduce((s, k) => {
        const w = (2 * Math.PI) / periods[c]![k]!;
        const gain = filt ? 1 / Math.hypot(1, w * TAU_IN) : 1;
        return s + 0.2 * gain * Math.sin(w * t + phases[c]![k]! - (filt ? Math.atan(w * TAU_IN) : 0));
      }, 0);
    const T = Array.from({ length: 2 }, () => Array.from({ length: nIn }, () => rng.normal()));
    const teach = (t: number, o: number) => Math.tanh(T[o]!.reduce((s, w, c) => s + w * (lp(t, c, true) - 0.5), 0));
    const d = new SignalDrive(
      new FunctionSignal(nIn, (t, c) => lp(t, c, false)),
      new FunctionSignal(2, teach, (t, o) => (teach(t + 1e-3, o) - teach(t - 1e-3, o)) / 2e-3),
    );
    const g = network('micro')
      .seed(5)
      .beta(0.1)
      .tauInMs(TAU_IN)
      .activation('logistic')
      .init({ distribution: 'normal', std: 0.5 })
      .feedback({ mode: 'microcircuit', interneuronInit: { distribution: 'normal', std: 0.05 }, feedbackInit: { distribution: 'normal', std: 0.5 } })
      .input('in', nIn)
      .hidden('h', 8, { bias: true })
      .interneurons('i', 4, 'h')
      .output('out', 2, { activation: 'linear', bias: true })
      .connect('in', 'h')
      .connect('h', 'out')
      .plasticity({ enabled: true, etaPerMs: 0.01 })
      .build();
    const sim = new DigitalSimulator(g, { dtMs: 0.2, init: 'equilibrium' });
    const k = (name: string) => g.projections.findIndex((p) => p.name === name);
    const angle = () => {
      const W = sim.weights();
      const [wip, wpi, b, w2] = [W[k('WIP:i')]!, W[k('WPI:i')]!, W[k('B:h->out')]!, W[k('h->out')]!];
      const n = 8;
      const A = new Float64Array(n * n);
      const C = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          for (let m = 0; m < 4; m++) A[i * n + j]! += wpi[i * 4 + m]! * wip[m * n + j]!;
          for (let o = 0; o < 2; o++) C[i * n + j]! += b[i * 2 + o]! * w2[o * n + j]!;
        }
      }
      let ac = 0;
      let aa = 0;
      let cc = 0;
      for (let i = 0; i < n * n; i++) {
        ac += A[i]! * C[i]!;
        aa += A[i]! ** 2;
        cc += C[i]! ** 2;
      }
      return (Math.acos(ac / Math.sqrt(aa * cc)) * 180) / Math.PI;
    };
    const cost = (steps: number) => {
      let c = 0;
      run(sim, d, steps, (s) => {
        for (const o of g.outputs) c += 0.5 * (s.workspace.ustar[o]! - s.workspace.u[o]!) ** 2;
      });
      return c / steps;
    };
    const start = angle();
    const early = cost(10_000);
    run(sim, d, 160_000); // 32 s of learning
    const late = cost(10_000);
    const end = angle();
    expect(start).toBeGreaterThan(45);
    expect(end).toBeLessThan(start / 2);
    expect(late).toBeLessThan(early / 2);
  });
});
