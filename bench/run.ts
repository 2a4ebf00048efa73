/**
 * Benchmarks of the digital reference engine (`npm run bench`). Every figure is a median over repeated
 * timed blocks, with baselines measured in the same run, so ratios stay meaningful on a shared, noisy
 * machine. Prints a Markdown report and writes it, with the raw numbers, to out/benchmarks.{md,json}.
 *
 *   npm run bench [-- --quick]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { layeredNetwork } from '../compiler/spec/builder.js';
import type { NlaGraph } from '../compiler/graph/graph.js';
import { DigitalSimulator } from '../emulator/digital/simulator.js';
import type { DigitalOptions } from '../emulator/digital/options.js';
import { FrameDrive } from './frame-drive.js';

const quick = process.argv.includes('--quick');
const REPS = quick ? 3 : 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Median steps/s over REPS blocks of `steps` steps, after a warm-up block. */
function stepsPerSecond(g: NlaGraph, opts: Partial<DigitalOptions>, steps: number): number {
  const sim = new DigitalSimulator(g, { dtMs: 0.05, learn: true, ...opts });
  const drive = new FrameDrive(g.nStimulusInputs, g.outputs.length, 5, 16, 1);
  for (let i = 0; i < Math.max(20, steps / 4); i++) sim.step(drive);
  const rates: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) sim.step(drive);
    rates.push(steps / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

/**
 * The baseline named in the issue: a plain Float64Array mat-vec plus an outer-product update over the
 * same weights (784×500 and 500×10), one thread, no solve at all: what "one pass to read, one to write"
 * costs in straightforward JavaScript.
 */
function plainBaseline(sizes: number[], steps: number): number {
  const mats = sizes.slice(1).map((n, l) => ({ rows: n, cols: sizes[l]!, W: new Float64Array(n * sizes[l]!).fill(0.01) }));
  const xs = sizes.map((n) => new Float64Array(n).fill(0.5));
  const rates: number[] = [];
  const one = () => {
    mats.forEach((m, l) => {
      const x = xs[l]!;
      const y = xs[l + 1]!;
      for (let r = 0; r < m.rows; r++) {
        let s = 0;
        for (let c = 0; c < m.cols; c++) s += m.W[r * m.cols + c]! * x[c]!;
        y[r] = 0.5 + 1e-9 * s;
      }
      for (let r = 0; r < m.rows; r++) {
        const a = 1e-9 * y[r]!;
        for (let c = 0; c < m.cols; c++) m.W[r * m.cols + c] = m.W[r * m.cols + c]! + a * x[c]!;
      }
    });
  };
  for (let i = 0; i < steps / 4; i++) one();
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) one();
    rates.push(steps / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

const mnist = (sizes: number[]) =>
  layeredNetwork(sizes, { activation: 'hard-sigmoid', seed: 1, beta: 0.1, bias: true, init: { distribution: 'normal', std: 0.01, cutoff: 0.03 } })
    .plasticity({ enabled: true, etaPerMs: 1e-3 })
    .build();

const synapses = (g: NlaGraph) => g.projections.reduce((s, p) => s + p.rows * p.cols, 0);

const rows: Array<Record<string, string | number>> = [];
const add = (what: string, g: NlaGraph, sps: number, batch: number, note = '') => {
  const row = { what, network: g.name.replace('layered-', ''), synapses: synapses(g), batch, stepsPerSecond: Math.round(sps), sampleStepsPerSecond: Math.round(sps * batch), nsPerSynapseStep: Number(((1e9 / (sps * batch)) / synapses(g)).toFixed(3)), note };
  rows.push(row);
  process.stderr.write(`${what}: ${Math.round(sps)} steps/s\n`);
};

const N = quick ? 300 : 1500;
const g = mnist([784, 500, 10]);
const base = plainBaseline([785, 500, 10], N);
rows.push({ what: 'baseline: plain Float64Array mat-vec + outer-product update', network: '784-500-10', synapses: synapses(g), batch: 1, stepsPerSecond: Math.round(base), sampleStepsPerSecond: Math.round(base), nsPerSynapseStep: Number(((1e9 / base) / synapses(g)).toFixed(3)), note: 'no solve, no plasticity terms' });
process.stderr.write(`baseline: ${Math.round(base)} steps/s\n`);
const wasm1 = stepsPerSecond(g, { kernels: 'wasm' }, N);
add('engine, explicit layered solve, wasm SIMD kernels', g, wasm1, 1);
const inc1 = stepsPerSecond(g, { kernels: 'wasm', inputProducts: 'incremental' }, N);
add('engine, incremental input products (--input-products incremental), wasm', g, inc1, 1, 'W_in·r̄_in carried within a frame; differs from the reference by rounding');
const low1 = stepsPerSecond(g, { kernels: 'wasm', inputProducts: 'lowrank' }, N);
add('engine, low-rank updates of held frames (--input-products lowrank), wasm', g, low1, 1, "as incremental, and a frame's W_in updates summed into one rank-2 update; W_in differs by rounding too");
const js1 = stepsPerSecond(g, { kernels: 'js' }, N);
add('engine, explicit layered solve, js kernels', g, js1, 1);
const dense = stepsPerSecond(g, { solver: 'dense' }, quick ? 3 : 8);
add('engine, dense Cholesky of H every step (the authors\' approach)', g, dense, 1);
const b32 = stepsPerSecond(g, { batch: 32 }, quick ? 20 : 80);
add('engine, batch 32', g, b32, 32);
const scaling = [
  [196, 100, 10],
  [784, 500, 10],
  [784, 1000, 500, 10],
];
const scale: Array<{ net: string; synapses: number; sps: number }> = [];
for (const sizes of scaling) {
  const gs = mnist(sizes);
  const sps = sizes.join('-') === '784-500-10' ? wasm1 : stepsPerSecond(gs, {}, Math.max(100, Math.round((N * synapses(g)) / synapses(gs))));
  if (sizes.join('-') !== '784-500-10') add('scaling, batch 1', gs, sps, 1);
  scale.push({ net: sizes.join('-'), synapses: synapses(gs), sps });
}

const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`;
const header = ['what', 'network', 'synapses', 'batch', 'steps/s', 'sample-steps/s', 'ns per synapse·step', 'note'];
const md = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; medians of ${REPS} blocks, dt = 0.05 ms, plasticity on, hard sigmoid, β = 0.1, 5 ms frames.`,
  '',
  `| ${header.join(' | ')} |`,
  `|${header.map(() => '---').join('|')}|`,
  ...rows.map((r) => `| ${[r.what, r.network, r.synapses, r.batch, r.stepsPerSecond, r.sampleStepsPerSecond, r.nsPerSynapseStep, r.note].join(' | ')} |`),
  '',
  `Ratios in this run: wasm engine / plain baseline = ${(wasm1 / base).toFixed(2)}×; incremental / recompute input products = ${(inc1 / wasm1).toFixed(2)}×; lowrank / recompute = ${(low1 / wasm1).toFixed(2)}× (lowrank / incremental ${(low1 / inc1).toFixed(2)}×); wasm / js kernels = ${(wasm1 / js1).toFixed(2)}×; layered solve / dense Cholesky = ${(wasm1 / dense).toFixed(0)}×; batch 32 throughput / batch 1 = ${((b32 * 32) / wasm1).toFixed(2)}×.`,
  `Scaling (batch 1): ${scale.map((s) => `${s.net}: ${Math.round(s.sps)} steps/s (${((1e9 / s.sps) / s.synapses).toFixed(2)} ns per synapse)`).join('; ')}.`,
].join('\n');
process.stdout.write(md + '\n');
mkdirSync('out', { recursive: true });
writeFileSync('out/benchmarks.md', md + '\n');
writeFileSync('out/benchmarks.json', JSON.stringify({ machine, reps: REPS, rows, scale }, null, 2));
