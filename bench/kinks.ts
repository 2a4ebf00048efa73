/**
 * Kinks benchmark (issue 15): steps and wall time of the analog emulator on networks whose transfer
 * function has kinks (hard sigmoid), against the same networks with the logistic. Prints one line per
 * case; a run that takes longer than the cap (default 120 s, `--cap S`) is stopped and reported with the
 * model time it reached.
 *
 *   npm run build && node dist/bench/kinks.js [--cap 120] [--reps 1] [--only NAME] [--unlocked]
 */
import { cpus } from 'node:os';
import { compileCircuit } from '../compiler/circuit/compile.js';
import { layeredNetwork, network } from '../compiler/spec/builder.js';
import type { NlaGraph } from '../compiler/graph/graph.js';
import { BUILTIN_PROFILES } from '../hardware-models/profiles/builtin.js';
import { modelFromCircuit } from '../emulator/analog/model.js';
import { AnalogSimulator, type AnalogSolverName } from '../emulator/analog/simulator.js';
import { SignalDrive } from '../emulator/stimulus/signal-drive.js';
import { TableSignal } from '../emulator/stimulus/table-signal.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const CAP_S = Number(arg('--cap', '120'));
const REPS = Number(arg('--reps', '1'));
const ONLY = arg('--only', '');
/** `--unlocked`: every run without mode locking (the behaviour before issue 15), for the before/after table. */
const LOCKED = !process.argv.includes('--unlocked');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Act = 'hard-sigmoid' | 'logistic';

/** The 5-8-3 layered network of issue 15. */
export function layered583(activation: Act): NlaGraph {
  return layeredNetwork([5, 8, 3], { activation, seed: 3, beta: 0.2, init: { distribution: 'normal', std: 0.8 } }).build();
}

/** The conformance suite's microcircuit (Algorithm 2) 3-5-2 with two interneurons. */
export function micro(activation: Act): NlaGraph {
  return network('mc').seed(4).beta(0.2).activation(activation).tauInMs(2).init({ distribution: 'normal', std: 0.5 })
    .feedback({ mode: 'microcircuit', interneuronInit: { distribution: 'normal', std: 0.3 }, feedbackInit: { distribution: 'normal', std: 0.4 } })
    .input('in', 3).hidden('h', 5).interneurons('i', 2, 'h').output('out', 2)
    .connect('in', 'h').connect('h', 'out')
    .build();
}

/** A step signal: rows of [t, value per channel]. */
function steps(rows: number[][]): TableSignal {
  return new TableSignal(Float64Array.from(rows, (r) => r[0]!), Array.from({ length: rows[0]!.length - 1 }, (_, c) => Float64Array.from(rows, (r) => r[c + 1]!)), 'step');
}

/**
 * The drive of a case: the microcircuit gets the conformance suite's (input steps at 0 and 20 ms, a held
 * target); layered networks smooth inputs in [0.1, 0.9] sampled every ms (linear) and targets as steps
 * every 25 ms.
 */
export function driveFor(g: NlaGraph, durationMs: number): SignalDrive {
  if (g.feedback === 'microcircuit') return new SignalDrive(steps([[0, 0.4, 0.6, 0.2], [20, 0.7, 0.1, 0.9]]), steps([[0, 0.2, 0.5]]));
  const nIn = g.nStimulusInputs;
  const nOut = g.outputs.length;
  const times = Float64Array.from({ length: durationMs + 1 }, (_, k) => k);
  const inputs = Array.from({ length: nIn }, (_, c) => Float64Array.from(times, (t) => 0.5 + 0.4 * Math.sin(t / (5 + 2 * c) + c)));
  const tt = Float64Array.from({ length: Math.floor(durationMs / 25) + 1 }, (_, k) => 25 * k);
  const targets = Array.from({ length: nOut }, (_, c) => Float64Array.from(tt, (t, k) => 0.2 + 0.6 * (((k + c) * 7) % 5) / 4 + 0 * t));
  return new SignalDrive(new TableSignal(times, inputs, 'linear'), new TableSignal(tt, targets, 'step'));
}

class Capped extends Error {
  constructor(readonly tMs: number) {
    super('capped');
  }
}

interface Row {
  name: string;
  solver: string;
  rtol: number;
  accepted: number;
  rejected: number;
  events: number;
  slides: number;
  chatter: number;
  wallS: number;
  reachedMs: number;
  complete: boolean;
}

export function runCase(name: string, g: NlaGraph, profile: string, solver: AnalogSolverName, rtol: number, durationMs: number, capS = CAP_S, events = true): Row {
  const ir = compileCircuit(g, structuredClone(BUILTIN_PROFILES[profile]!), { seed: 2 });
  const sim = new AnalogSimulator(modelFromCircuit(ir), { solver, rtol, atol: rtol * 1e-3, events });
  const start = performance.now();
  let reached = durationMs;
  let complete = true;
  try {
    sim.run({
      durationMs,
      drive: driveFor(g, durationMs),
      probes: [],
      sampleEveryMs: 1,
      onProgress: (_f, t) => {
        if (performance.now() - start > capS * 1000) throw new Capped(t);
      },
    });
  } catch (e) {
    if (!(e instanceof Capped)) throw e;
    reached = e.tMs;
    complete = false;
  }
  const st = sim.solver.stats;
  return { name, solver: sim.solverName, rtol, accepted: st.accepted, rejected: st.rejected, events: st.events, slides: st.slides, chatter: st.chatterHolds, wallS: (performance.now() - start) / 1000, reachedMs: reached, complete };
}

export const CASES: Array<[string, () => NlaGraph, string, AnalogSolverName, number, number]> = [
  ['583-hs-opamp', () => layered583('hard-sigmoid'), 'opamp-board', 'dopri5', 1e-3, 100],
  ['583-hs-opamp', () => layered583('hard-sigmoid'), 'opamp-board', 'dopri5', 1e-5, 100],
  ['583-hs-opamp', () => layered583('hard-sigmoid'), 'opamp-board', 'dopri5', 1e-6, 100],
  ['583-lg-opamp', () => layered583('logistic'), 'opamp-board', 'dopri5', 1e-6, 100],
  ['583-hs-opamp', () => layered583('hard-sigmoid'), 'opamp-board', 'rosenbrock', 1e-5, 100],
  ['583-lg-opamp', () => layered583('logistic'), 'opamp-board', 'rosenbrock', 1e-5, 100],
  ['mc-hs-ideal', () => micro('hard-sigmoid'), 'ideal', 'dopri5', 1e-6, 100],
  ['mc-lg-ideal', () => micro('logistic'), 'ideal', 'dopri5', 1e-6, 100],
];

/** The benchmark table (when run as a program, not when imported by a diagnostic). */
function main(): void {
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`;
  process.stdout.write(`# ${machine}, cap ${CAP_S} s, ${REPS} rep(s), ${LOCKED ? 'mode locking' : 'unlocked'}\n| case | solver | rtol | accepted | rejected | events | slides | chatter holds | wall s | reached ms |\n|---|---|---|---|---|---|---|---|---|---|\n`);
  for (const [name, graph, profile, solver, rtol, T] of CASES) {
    if (ONLY && !name.includes(ONLY)) continue;
    const rows = Array.from({ length: REPS }, () => runCase(name, graph(), profile, solver, rtol, T, CAP_S, LOCKED));
    const r = rows[0]!;
    process.stdout.write(`| ${name} | ${r.solver} | ${rtol} | ${r.accepted} | ${r.rejected} | ${r.events} | ${r.slides} | ${r.chatter} | ${median(rows.map((x) => x.wallS)).toFixed(2)} | ${r.complete ? T : `${r.reachedMs.toFixed(2)} (capped)`} |\n`);
  }
}

if (process.argv[1]?.endsWith('kinks.js')) main();
