import type { NlaGraph } from '../../compiler/graph/graph.js';
import { layeredNetwork, network } from '../../compiler/spec/builder.js';
import type { Impulse } from '../../emulator/drive.js';
import type { TraceTable } from '../../emulator/probes/recorder.js';
import { TableSignal } from '../../emulator/stimulus/table-signal.js';

/** The engines a case leaves out, each with the reason (a capability the back end does not have). */
export type Exclusions = Partial<Record<string, string>>;

/** One network and drive every engine runs; `excluded` lists who does not, and why. */
export interface ConformanceCase {
  name: string;
  graph(): NlaGraph;
  input: TableSignal;
  target: TableSignal | null;
  impulses: Impulse[];
  durationMs: number;
  learn: boolean;
  probes: string;
  excluded: Exclusions;
  /** The theory's identity this case checks on every engine's final state, if any. */
  settles: boolean;
}

/** A step signal: rows of [t, value per channel]. */
export function steps(rows: number[][]): TableSignal {
  const channels = (rows[0]?.length ?? 1) - 1;
  return new TableSignal(Float64Array.from(rows, (r) => r[0]!), Array.from({ length: channels }, (_, c) => Float64Array.from(rows, (r) => r[c + 1]!)), 'step');
}

const NO_INTERNEURONS_BOARD = 'the board core has no interneurons (compile-image refuses them)';
const NO_PLASTICITY_SPICE = 'the SPICE netlist has fixed weights (plasticity is emulated, not exported)';
const NO_IMPULSE_SPICE = 'SPICE sources here are piecewise linear: no input delta';
const NO_IMPULSE_BOARD = 'a board takes input frames, not input deltas';
const layered = (tauMs = 10) => layeredNetwork([3, 5, 2], { activation: 'logistic', seed: 3, beta: 0.2, tauMs, tauInMs: 2, init: { distribution: 'normal', std: 0.8 } });

export const CASES: ConformanceCase[] = [
  {
    name: 'layered 3-5-2, targets, inference',
    graph: () => layered().build(),
    input: steps([[0, 0.2, 0.7, 0.4], [20, 0.8, 0.1, 0.5]]),
    // targets held: at a target step a board adds βΔu* to one step while the float engine re-solves the
    // equilibrium (docs/protocol.md), a difference by design that is not an engine's error
    target: steps([[0, 0.3, 0.6]]),
    impulses: [],
    durationMs: 40,
    learn: false,
    probes: 'u',
    excluded: {},
    settles: false,
  },
  {
    name: 'layered 3-5-2, no targets: settles on the static forward pass',
    // from rest, f decays with τ: τ = τ_in = 2 ms leaves e^−20 of it after 40 ms
    graph: () => layered(2).build(),
    input: steps([[0, 0.6, 0.3, 0.9]]),
    target: null,
    impulses: [],
    durationMs: 40,
    learn: false,
    probes: 'u',
    excluded: {},
    settles: true,
  },
  {
    name: 'recurrent (hidden ↔ output loops), no targets',
    graph: () =>
      network('recurrent').seed(9).activation('logistic').tauMs(2).tauInMs(2).init({ distribution: 'normal', std: 0.3 })
        .input('in', 3).hidden('h', 4).output('o', 2)
        .connect('in', 'h').connect('h', 'h').connect('h', 'o').connect('o', 'h')
        .build(),
    input: steps([[0, 0.5, 0.2, 0.8], [15, 0.1, 0.9, 0.4]]),
    target: null,
    impulses: [],
    durationMs: 40,
    learn: false,
    probes: 'u',
    excluded: {},
    settles: true,
  },
  {
    name: 'cortical microcircuit (Algorithm 2), targets',
    graph: () =>
      network('mc').seed(4).beta(0.2).activation('logistic').tauInMs(2).init({ distribution: 'normal', std: 0.5 })
        .feedback({ mode: 'microcircuit', interneuronInit: { distribution: 'normal', std: 0.3 }, feedbackInit: { distribution: 'normal', std: 0.4 } })
        .input('in', 3).hidden('h', 5).interneurons('i', 2, 'h').output('out', 2)
        .connect('in', 'h').connect('h', 'out')
        .build(),
    input: steps([[0, 0.4, 0.6, 0.2], [20, 0.7, 0.1, 0.9]]),
    target: steps([[0, 0.2, 0.5]]),
    impulses: [],
    durationMs: 40,
    learn: false,
    probes: 'u',
    excluded: { board: NO_INTERNEURONS_BOARD },
    settles: false,
  },
  {
    name: 'layered 3-5-2 learning its targets (Eq. 8)',
    graph: () => layered().plasticity({ enabled: true, etaPerMs: 0.02 }).build(),
    input: steps([[0, 0.2, 0.7, 0.4], [25, 0.8, 0.1, 0.5], [50, 0.5, 0.5, 0.2]]),
    target: steps([[0, 0.3, 0.6]]),
    impulses: [],
    durationMs: 75,
    learn: true,
    probes: 'u',
    excluded: { spice: NO_PLASTICITY_SPICE },
    settles: false,
  },
  {
    name: 'an input impulse (delta event) at 10 ms',
    graph: () => layered().build(),
    input: steps([[0, 0.3, 0.3, 0.3]]),
    target: null,
    impulses: [{ tMs: 10, channel: 1, area: 0.8 }],
    durationMs: 20,
    learn: false,
    probes: 'u,rbar:in',
    excluded: { spice: NO_IMPULSE_SPICE, board: NO_IMPULSE_BOARD },
    settles: false,
  },
];

/**
 * The state the NLA dynamics settle on when nothing changes and no target nudges (f = 0): every neuron
 * at u = W ρ(u) + W_in r_in, found here by fixed-point iteration from the graph's weights alone, with the
 * logistic written out (every case uses it).
 */
export function settledState(g: NlaGraph, rIn: ArrayLike<number>): Float64Array {
  const u = new Float64Array(g.nNeurons);
  const rho = new Float64Array(g.nNeurons);
  const rates = new Float64Array(g.nInputs);
  rates.set(Array.from(rIn));
  for (const p of g.inputs) if (p.constantRate !== null) rates.fill(p.constantRate, p.offset, p.offset + p.size);
  for (let it = 0; it < 500; it++) {
    for (const p of g.neurons) {
      if (p.activation.kind !== 'logistic') throw new Error('settledState: logistic populations only');
      for (let i = p.offset; i < p.offset + p.size; i++) rho[i] = 1 / (1 + Math.exp(-u[i]!));
    }
    const next = new Float64Array(g.nNeurons);
    for (const pr of g.projections) {
      if (pr.role !== 'forward') continue;
      const post = g.neurons[pr.post.pop]!.offset;
      const pre = pr.pre.type === 'input' ? rates.subarray(g.inputs[pr.pre.pop]!.offset) : rho.subarray(g.neurons[pr.pre.pop]!.offset);
      for (let r = 0; r < pr.rows; r++) for (let c = 0; c < pr.cols; c++) next[post + r] = next[post + r]! + pr.weights[r * pr.cols + c]! * pre[c]!;
    }
    u.set(next);
  }
  return u;
}

/** max |a − b| over b's columns and row times, a interpolated linearly in time (rows of b before a's first are skipped). */
export function maxDeviation(a: TraceTable, b: TraceTable): { max: number; column: string; tMs: number; compared: number } {
  const ta = a.time();
  const tb = b.time();
  let worst = { max: 0, column: '', tMs: NaN, compared: 0 };
  b.names.forEach((name, j) => {
    const ca = a.column(name);
    const cb = b.columnAt(j);
    let k = 0;
    for (let r = 0; r < tb.length; r++) {
      const t = tb[r]!;
      if (t < ta[0]! - 1e-9 || t > ta[ta.length - 1]! + 1e-9) continue;
      while (k < ta.length - 2 && ta[k + 1]! < t) k++;
      const span = ta[k + 1]! - ta[k]!;
      const w = span > 0 ? Math.min(1, Math.max(0, (t - ta[k]!) / span)) : 0;
      const ref = ca[k]! + w * (ca[k + 1]! - ca[k]!);
      const d = Math.abs(cb[r]! - ref);
      worst.compared++;
      if (!(d <= worst.max)) worst = { ...worst, max: d, column: name, tMs: t };
    }
  });
  return worst;
}
