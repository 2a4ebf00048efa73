/**
 * Accuracy of the fixed-point core's number formats (format.ts, NumberFormat) against the float engine:
 * WIDE (docs/protocol.md) and UP5K16 (every multiplier operand 16 bits, for the iCE40 UP5K's SB_MAC16).
 *
 * Scenarios, as test/board/fixed-point.test.ts has them (implicit method, K = 4, the image's relaxation,
 * dt = 0.1 ms, 1 ms frames, Q3.16 inputs; largest |Δu| over every neuron at every frame end, |ΔW| at the
 * end):
 * - inference: the teacher network (examples/teacher/network.json, spec seed s) trained in float for
 *   2 s (inputs sines seed 5s, targets), then 3 s on the board and in float, inputs sines seed 2s;
 * - learning: the untrained teacher network (spec seed s) learning with targets for 2 s, inputs sines
 *   seed 2s;
 * - example: examples/teacher/network.json as bundled (seed 1, untrained) with examples/teacher/input.csv
 *   (rows held, as `nla stream` does by default), inference, every output voltage, over the file.
 * Seed 1 is the test's scenario exactly. Also the operand ranges UP5K16's multipliers saw (OperandTrace).
 * With --variants, UP5K16 with one choice changed at a time (VARIANTS), inference and learning: why
 * each choice is what it is.
 *
 *   npm run bench:format -- [--seeds 1,2,3] [--example-ms 30000] [--variants]
 */
import { fileURLToPath } from 'node:url';
import { buildGraph } from '../compiler/graph/build.js';
import { loadSpecFile } from '../compiler/spec/load.js';
import { OperandTrace } from '../hardware-models/fixed-point/core.js';
import { UP5K16, WIDE, type NumberFormat } from '../hardware-models/fixed-point/format.js';
import { DigitalSimulator } from '../emulator/digital/simulator.js';
import { SignalDrive } from '../emulator/stimulus/signal-drive.js';
import { loadSignalCsv } from '../emulator/stimulus/load.js';
import type { NlaGraph } from '../compiler/graph/graph.js';
import { sines, targetSines } from '../test/helpers.js';
import { boardVsFloat, type Comparison } from '../test/board/board-vs-float.js';

export const FORMATS: NumberFormat[] = [WIDE, UP5K16];

const withSlice = (name: string, slice: Partial<NumberFormat['slice']>): NumberFormat => ({ ...UP5K16, name, slice: { ...UP5K16.slice, ...slice } });
/** UP5K16 with one choice changed. */
export const VARIANTS: NumberFormat[] = [
  { ...UP5K16, name: 'decays whole (two partial products)', decay: 'whole' },
  { ...UP5K16, name: 'decays Q3.12', decay: 12 },
  { ...UP5K16, name: 'decays Q1.14', decay: 10 },
  { ...UP5K16, name: "weight update 'chain' (m Q3.12, t Q4.11)", plasticity: 'chain' },
  { ...UP5K16, name: 'weights Q3.12 (±8)', weightShift: 16 },
  { ...UP5K16, name: 'weights Q1.14 (±2)', weightShift: 14 },
  { ...UP5K16, name: 'factors 16-bit unsigned', factorBits: 16 },
  withSlice('increments Q0.20', { inc: 4 }),
  withSlice('signals Q2.13', { signal: 3 }),
];
const EXAMPLE = 'examples/teacher/network.json';

/** The teacher network with spec seed `seed` (1: the file as bundled). */
export function teacher(seed = 1): NlaGraph {
  return buildGraph({ ...loadSpecFile(EXAMPLE), seed });
}

/** The teacher network trained in float for 2 s (inputs sines seed 5·seed, targets), as the test trains it. */
export function trainedTeacher(seed = 1): NlaGraph {
  const g = teacher(seed);
  const sim = new DigitalSimulator(g, { dtMs: 0.1, learn: true });
  const d = new SignalDrive(sines(g.nStimulusInputs, 5 * seed), targetSines(g.outputs.length));
  for (let k = 0; k < 20_000; k++) sim.step(d);
  sim.weights().forEach((W, k) => g.projections[k]!.weights.set(W));
  return g;
}

export type ScenarioName = 'inference' | 'learning' | 'example';

/** One scenario for one seed and format (the graph is built by the caller: training is format-independent). */
export function runScenario(name: ScenarioName, g: NlaGraph, seed: number, format: NumberFormat, opts: { exampleMs?: number; trace?: OperandTrace } = {}): Comparison {
  if (name === 'inference') return boardVsFloat(g, 3000, { learn: false, targets: false, format, inputSeed: 2 * seed, trace: opts.trace });
  if (name === 'learning') return boardVsFloat(g, 2000, { learn: true, targets: true, format, inputSeed: 2 * seed, trace: opts.trace });
  const inputs = loadSignalCsv('examples/teacher/input.csv', 'step', g.inputs.filter((p) => p.constantRate === null).flatMap((p) => Array.from({ length: p.size }, (_, i) => `${p.name}[${i}]`)));
  return boardVsFloat(g, opts.exampleMs ?? 30_000, { learn: false, targets: false, format, inputs, neurons: Array.from(g.outputs), trace: opts.trace });
}

function stats(xs: number[]): string {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const spread = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  const lg = (x: number) => (x > 0 ? Math.log2(x).toFixed(1) : '-inf');
  return `${mean.toExponential(2)} ± ${spread.toExponential(1)} (max ${Math.max(...xs).toExponential(2)} = 2^${lg(Math.max(...xs))})`;
}

function main(argv: string[]): void {
  const arg = (name: string, dflt: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1]! : dflt;
  };
  const seeds = arg('--seeds', '1,2,3').split(',').map(Number);
  const exampleMs = Number(arg('--example-ms', '30000'));
  if (argv.includes('--variants')) return variants(seeds);
  console.log(`format study: seeds ${seeds.join(', ')} (spec seed s, training inputs sines 5s, evaluation inputs sines 2s); example ${exampleMs} ms`);
  const rows: string[] = [];
  const traces = new Map<string, OperandTrace>();
  for (const name of ['inference', 'learning', 'example'] as ScenarioName[]) {
    const ss = name === 'example' ? [1] : seeds;
    const res = new Map<string, Comparison[]>(FORMATS.map((f) => [f.name, []]));
    for (const s of ss) {
      const g = name === 'inference' ? trainedTeacher(s) : teacher(s);
      for (const f of FORMATS) {
        const trace = f === WIDE ? undefined : (traces.get(name) ?? traces.set(name, new OperandTrace()).get(name)!);
        const r = runScenario(name, g, s, f, { exampleMs, trace });
        res.get(f.name)!.push(r);
        console.log(`  ${name} seed ${s} ${f.name}: max|Δu| ${r.maxErr.toExponential(3)} (2^${Math.log2(r.maxErr).toFixed(2)}), max|ΔW| ${r.maxW.toExponential(3)}, max|u| ${r.maxU.toFixed(3)}, saturations ${r.saturations}`);
      }
    }
    for (const f of FORMATS) {
      const rs = res.get(f.name)!;
      const w = name === 'learning' ? stats(rs.map((r) => r.maxW)) : '-';
      rows.push(`| ${name} | ${f.name} | ${ss.length} | ${stats(rs.map((r) => r.maxErr))} | ${w} | ${rs.reduce((s, r) => s + r.saturations, 0)} |`);
    }
  }
  console.log('\n| scenario | format | seeds | max abs Δu: mean ± sd (max) | max abs ΔW: mean ± sd (max) | saturations |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log('\nUP5K16 multiplier operands seen (min .. max; acc = largest |sum|):');
  const sites = new Set<string>();
  for (const t of traces.values()) for (const k of t.sites.keys()) sites.add(k);
  console.log(`| site | ${[...traces.keys()].join(' | ')} |`);
  console.log(`|---|${[...traces.keys()].map(() => '---').join('|')}|`);
  for (const s of [...sites].sort()) {
    const cells = [...traces.values()].map((t) => {
      const r = t.sites.get(s);
      return r ? `${r.min} .. ${r.max}` : '';
    });
    console.log(`| ${s} | ${cells.join(' | ')} |`);
  }
}

function variants(seeds: number[]): void {
  console.log(`UP5K16 variants: seeds ${seeds.join(', ')}, largest over seeds`);
  const graphs = seeds.map((s) => ({ s, inf: trainedTeacher(s), learn: teacher(s) }));
  const lg = (x: number) => `${x.toExponential(2)} (2^${Math.log2(x).toFixed(1)})`;
  console.log('| format | inference max abs Δu | learning max abs Δu | learning max abs ΔW | saturations |');
  console.log('|---|---|---|---|---|');
  for (const f of [UP5K16, ...VARIANTS]) {
    const r = graphs.map(({ s, inf, learn }) => [runScenario('inference', inf, s, f), runScenario('learning', learn, s, f)] as const);
    const max = (get: (x: readonly [Comparison, Comparison]) => number) => Math.max(...r.map(get));
    console.log(`| ${f.name} | ${lg(max(([a]) => a.maxErr))} | ${lg(max(([, b]) => b.maxErr))} | ${lg(max(([, b]) => b.maxW))} | ${r.reduce((n, [a, b]) => n + a.saturations + b.saturations, 0)} |`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
