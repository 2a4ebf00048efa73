/**
 * What the deterministic libm (core/libm.ts) costs: the digital engine's steps/s on examples/teacher (6-24-3,
 * logistic) and on 784-500-10 with the logistic, learning on, dt 0.05 ms (median of REPS timed blocks after a
 * warm-up), and ns per call of libm.exp/log/sin/cos/tanh against Math's on the same arguments. Prints one JSON line.
 * Run it on two builds (before/after) alternately to compare: `node dist/bench/libm.js [--reps 7]`.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { layeredNetwork } from '../compiler/spec/builder.js';
import { loadSpecFile } from '../compiler/spec/load.js';
import { buildGraph } from '../compiler/graph/build.js';
import type { NlaGraph } from '../compiler/graph/graph.js';
import { DigitalSimulator } from '../emulator/digital/simulator.js';
import { FrameDrive } from './frame-drive.js';

const argReps = process.argv.indexOf('--reps');
const REPS = argReps > 0 ? Number(process.argv[argReps + 1]) : 7;
const root = join(fileURLToPath(import.meta.url), '../../..');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Median steps/s over REPS blocks of `steps` steps, after a warm-up block. */
function stepsPerSecond(g: NlaGraph, steps: number): number {
  const sim = new DigitalSimulator(g, { dtMs: 0.05, learn: true });
  const drive = new FrameDrive(g.nStimulusInputs, g.outputs.length, 5, 16, 1);
  for (let i = 0; i < steps / 2; i++) sim.step(drive);
  const rates: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) sim.step(drive);
    rates.push(steps / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

/** Median ns per call of f over 1e6 arguments from `args`, REPS blocks. */
function nsPerCall(f: (x: number) => number, args: Float64Array): number {
  let sink = 0;
  const times: number[] = [];
  for (let r = 0; r < REPS + 1; r++) {
    const t0 = performance.now();
    for (let i = 0; i < args.length; i++) sink += f(args[i]!);
    if (r > 0) times.push(((performance.now() - t0) * 1e6) / args.length);
  }
  if (sink === 0.5) console.log('');
  return Number(median(times).toFixed(2));
}

const teacher = buildGraph(loadSpecFile(join(root, 'examples/teacher/network.json')));
const mnist = layeredNetwork([784, 500, 10], { activation: 'logistic', seed: 1, beta: 0.1, bias: true, init: { distribution: 'normal', std: 0.01, cutoff: 0.03 } })
  .plasticity({ enabled: true, etaPerMs: 1e-3 })
  .build();
const result: Record<string, number> = {
  teacherStepsPerS: Math.round(stepsPerSecond(teacher, 20000)),
  mnistLogisticStepsPerS: Math.round(stepsPerSecond(mnist, 300)),
};
const libm = await import('../core/libm.js').catch(() => null);
if (libm) {
  const args = new Float64Array(1_000_000).map((_, i) => Math.sin(i) * 20);
  const pos = args.map(Math.abs);
  const pairs: Array<[string, (x: number) => number, (x: number) => number, Float64Array]> = [
    ['exp', libm.exp, Math.exp, args],
    ['log', libm.log, Math.log, pos],
    ['sin', libm.sin, Math.sin, args],
    ['cos', libm.cos, Math.cos, args],
    ['tanh', libm.tanh, Math.tanh, args],
  ];
  for (const [name, a, b, xs] of pairs) {
    result[`libm.${name} ns`] = nsPerCall(a, xs);
    result[`Math.${name} ns`] = nsPerCall(b, xs);
  }
}
console.log(JSON.stringify(result));
